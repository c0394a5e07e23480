// Sales Intelligence as one service: creating, deleting and reading traces, managing sources,
// and the hooks the CRM module calls inside its items' own transactions. Every write that
// belongs together runs in one transaction. CRM items are reached only through the CRM
// contract (src/crm/contract.ts): existence, edit and read rights, UTM copies, and which items
// a caller may read as a subquery that trace visibility composes into its own statement.
import type { Clock } from '../clock.js';
import {
  CRM_ENTITY_TYPES,
  type CrmItemAccess,
  type ItemAddedHook,
  type ItemDeletedHook,
  type ItemReadScopes,
  type ItemUtmCopier,
} from '../crm/contract.js';
import type { Db, Executor } from '../db/schema.js';
import type { SiteHostDirectory } from '../sites/contract.js';
import type { Caller } from '../auth/caller.js';
import {
  bindItems,
  descendantIds,
  holdExistingItems,
  itemsOfTrace,
  latestBoundTraceOfItem,
  latestTraceOfItem,
  removeUnusedTraces,
  tracesOfItem,
  type FreshTrace,
  unbindItems,
} from './bindings.js';
import { saveCallTrace, type CallTraceRequest, type CallTraceResult } from './callTrace.js';
import { positiveIntegerId } from './itemRefs.js';
import type { SavedTraceInfo, TracesSavedHook } from './savedTraces.js';
import { traceFromItemFields } from './itemTrace.js';
import { emptyTrace, parseTrace, type ParsedTrace } from './parseTrace.js';
import { loadTrackingSettings, saveTrackingSettings } from './settings.js';
import type { SourceRecord, TrackingSettings } from './sourceCatalog.js';
import type { SourceMatcher } from './sourceMatcher.js';
import { SourceMatcherCache } from './sourceMatcherCache.js';
import type { ChangeToken } from '../db/dialects/types.js';
import { asSeenBy, listVisibleTraceIds, traceReader, visibleTraceIds } from './traceVisibility.js';
import { addSource, deleteSource, loadSources, updateSource, type SourceChanges } from './sources.js';
import { saveTraceRun, type CheckedTrace } from './traceRun.js';
import { removeStaleSiteTraces, SITE_VISITOR } from './siteTraces.js';
import {
  appendChannel,
  deleteTraceRows,
  lockTrace,
  lockTraceForDelete,
  markUnboundIfEmpty,
  previousIdsOf,
  readTraces,
  saveTraceTree,
  traceExists,
  type ItemRef,
  type TraceFilter,
  type TraceRecord,
} from './traceStore.js';

/** What a trace's preparation may reuse instead of reading the source matcher again (TrackingPort.prepare). */
export interface MatcherReuse {
  readonly matcher?: SourceMatcher;
  readonly changesReadAfter?: number;
}

/** A TRACE parsed against the sources of the moment, not yet written. */
export interface PreparedTrace {
  readonly trace: ParsedTrace;
  readonly matcher: SourceMatcher;
}

/** A trace with its previous traces as one caller may see them, or why they may not. */
export type TraceTreeReading =
  | { readonly found: false }
  | { readonly found: true; readonly visible: false }
  | { readonly found: true; readonly visible: true; readonly traces: TraceRecord[] };

export interface TracePageRequest {
  readonly offset: number;
  readonly limit: number;
  readonly countTotal: boolean;
}

export class TrackingService {
  readonly #matchers: SourceMatcherCache;
  readonly #savedHooks: TracesSavedHook[] = [];

  /** Follows every trace save, inside its transaction (analytics splits ad levels, §4.3). */
  onTracesSaved(hook: TracesSavedHook): void {
    this.#savedHooks.push(hook);
  }

  /** A list to collect saved traces in, or undefined when nothing follows saves. */
  private savedList(): SavedTraceInfo[] | undefined {
    return this.#savedHooks.length > 0 ? [] : undefined;
  }

  private async tracesSaved(trx: Executor, saved: readonly SavedTraceInfo[] | undefined): Promise<void> {
    if (saved === undefined || saved.length === 0) return;
    for (const hook of this.#savedHooks) await hook(trx, saved);
  }

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly crm: CrmItemAccess,
    private readonly itemUtm: ItemUtmCopier | undefined,
    /** Which items a caller may read, for which traces they may see (traceVisibility.ts). */
    private readonly readScopes: ItemReadScopes,
    /** The change signal that lets the source matcher skip its version read (sourceMatcherCache.ts). */
    changes?: ChangeToken,
    /** The own sites, for the site channel of a trace's URL (§3.5). */
    sites?: SiteHostDirectory,
  ) {
    this.#matchers = new SourceMatcherCache(changes, sites);
  }

  private nowSeconds(): number {
    return this.clock.now() / 1000;
  }

  /** Parses a decoded TRACE; nothing is written. Throws TraceInputError for a TRACE over the limits. */
  async prepare(decoded: unknown, reuse?: MatcherReuse): Promise<PreparedTrace> {
    // reuse.matcher: the matcher of the batch run's previous row, read in the same transaction
    // with nothing written since (RunWriter.check), so the sources it was built from still hold.
    const matcher = reuse?.matcher ?? (await this.#matchers.get(this.db, reuse?.changesReadAfter));
    return { trace: parseTrace(decoded, matcher, this.nowSeconds()), matcher };
  }

  /** Bitrix's CheckUpdatePermission on one item; `db` is the open transaction (a batch's by default). */
  mayEdit(item: ItemRef, caller: Caller, db: Executor = this.db): Promise<boolean> {
    return this.crm.canUpdate(item.entityTypeId, item.entityId, caller, db);
  }

  /**
   * Saves a prepared trace and binds the items `checkItems` gives (missing ones are skipped
   * quietly, §2.6 step 5). `checkItems` runs first, inside the same transaction, so permissions
   * are checked against the state the bindings are written to; when it throws, nothing is written.
   */
  async create(prepared: PreparedTrace, checkItems: (db: Executor) => Promise<readonly ItemRef[]>, createdBy: number, transaction?: Executor): Promise<number> {
    const write = async (trx: Executor) => {
      const items = await holdExistingItems(trx, await checkItems(trx), this.crm);
      const written = this.savedList();
      const saved = await saveTraceTree(trx, prepared.trace, prepared.matcher, this.nowSeconds(), createdBy, items.length > 0, written);
      await this.tracesSaved(trx, written);
      await bindItems(trx, saved.id, items, this.crm, this.itemUtm, { tags: prepared.trace.tags, previousIds: previousIdsOf(saved), itemsHeld: true });
      return saved.id;
    };
    return transaction ? write(transaction) : this.db.transaction().execute(write);
  }

  /**
   * A trace the website sent (/pub/guest.php storeTrace, registerOrder; tracker-and-calls.md
   * §3.3): saved as trace.add saves one, bound to nothing and written by no user (siteTraces.ts).
   * Inside the caller's open transaction when one is given (a site form's).
   */
  storeSiteTrace(prepared: PreparedTrace, transaction?: Executor): Promise<number> {
    return this.create(prepared, async () => [], SITE_VISITOR, transaction);
  }

  /** The throttled cleanup of site traces nothing came to need (siteTraces.ts); null when not due. */
  removeStaleSiteTraces(): Promise<number[] | null> {
    return this.db.transaction().execute((trx) => removeStaleSiteTraces(trx, this.nowSeconds()));
  }

  /** Checked traces of one batch written together, as create() would write them in turn (traceRun.ts). */
  async createMany(traces: readonly CheckedTrace[]): Promise<number[]> {
    return this.db.transaction().execute(async (trx) => {
      const written = this.savedList();
      const ids = await saveTraceRun(trx, traces, this.crm, this.itemUtm, this.nowSeconds(), written);
      await this.tracesSaved(trx, written);
      return ids;
    });
  }

  /**
   * crm.tracking.trace.delete (§2.7): unbinds the items the caller may edit. Only when no
   * binding is left does the trace go, and then completely: channels, tree rows and the
   * previous traces nothing else needs. An unknown ID changes nothing, and so does an unbound
   * trace of another user's for anyone but an administrator.
   */
  async delete(id: number, caller: Caller): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      // Locked first: a binding to this trace being written commits before its items are read.
      const trace = await lockTraceForDelete(trx, id);
      if (trace === undefined) return;
      const items = await itemsOfTrace(trx, id);
      // A trace bound to nothing is its creator's (and the administrators') alone. Anyone else
      // gets what a trace they may not touch gives: silence, and the trace stays (COMPATIBILITY.md).
      if (items.length === 0 && !caller.isAdmin && trace.createdBy !== caller.userId) return;
      const editable: ItemRef[] = [];
      for (const item of items) if (await this.crm.canUpdate(item.entityTypeId, item.entityId, caller, trx)) editable.push(item);
      // The tree is read once: unbinding changes no tree row.
      const previous = await descendantIds(trx, id);
      await unbindItems(trx, [id, ...previous], editable);
      if (editable.length < items.length) return;
      await deleteTraceRows(trx, id, { unbound: true });
      await removeUnusedTraces(trx, previous);
    });
  }

  /** A trace and all its previous traces (at every depth), the trace first; empty when it does not exist. */
  async readWithPrevious(id: number): Promise<TraceRecord[]> {
    if (!(await traceExists(this.db, id))) return [];
    return readTraces(this.db, [id, ...(await descendantIds(this.db, id))]);
  }

  /** The trace `id` and its previous traces, without the items and parents `caller` may not see. */
  async readTreeAsSeenBy(id: number, caller: Caller): Promise<TraceTreeReading> {
    const traces = await this.readWithPrevious(id);
    if (traces.length === 0) return { found: false };
    const reader = await traceReader(this.readScopes, caller);
    if (!(await visibleTraceIds(this.db, reader, [id])).has(id)) return { found: true, visible: false };
    // Its previous traces are visible with it.
    return { found: true, visible: true, traces: await asSeenBy(this.db, reader, traces) };
  }

  /** One page of the traces `caller` may see, as they may see them, with their total. */
  async listAsSeenBy(caller: Caller, filter: TraceFilter, page: TracePageRequest): Promise<{ traces: TraceRecord[]; total: number | undefined }> {
    const reader = await traceReader(this.readScopes, caller);
    const { ids, total } = await listVisibleTraceIds(this.db, reader, filter, page);
    return { traces: await asSeenBy(this.db, reader, await readTraces(this.db, ids)), total };
  }

  /** The trace of an incoming call, in the call's transaction `db` (callTrace.ts). */
  saveCallTrace(db: Executor, request: CallTraceRequest): Promise<CallTraceResult> {
    return saveCallTrace(db, request, this.nowSeconds(), this.crm, this.itemUtm);
  }

  sources(): Promise<SourceRecord[]> {
    return loadSources(this.db);
  }

  settings(): Promise<TrackingSettings> {
    return loadTrackingSettings(this.db);
  }

  updateSettings(changes: Partial<TrackingSettings>): Promise<TrackingSettings> {
    return saveTrackingSettings(this.db, changes);
  }

  addSource(changes: SourceChanges): Promise<number> {
    return this.db.transaction().execute((trx) => addSource(trx, changes, this.nowSeconds()));
  }

  updateSource(id: number, changes: SourceChanges): Promise<void> {
    return this.db.transaction().execute((trx) => updateSource(trx, id, changes));
  }

  deleteSource(id: number): Promise<void> {
    return this.db.transaction().execute((trx) => deleteSource(trx, id));
  }

  /**
   * TRACE on crm.{lead,deal,contact,company,quote}.add (§5.2), inside the item's transaction:
   * the item's trace is a numeric TRACE naming an existing trace, or one built from the TRACE
   * JSON and the UTM_* fields (an empty, organic one when there are neither); it gets a `rest`
   * channel and the item is bound. crm.item.add creates no trace (§5.4).
   */
  readonly onItemAdded: ItemAddedHook = async (trx, event) => {
    if (!event.viaTypedMethod) return;
    const item = { entityTypeId: event.entityTypeId, entityId: event.id };
    const now = this.nowSeconds();
    let traceId = (await latestTraceOfItem(trx, item)) ?? (await this.readableTraceNamedBy(trx, event.fields.TRACE, event.caller));
    let fresh: FreshTrace | undefined;
    if (traceId === undefined) {
      const matcher = await this.#matchers.get(trx);
      // A TRACE over the limits throws TraceInputError: crm.{type}.add answers it (ITEM_HOOK_ERROR_KINDS).
      const trace = traceFromItemFields(event.fields, matcher, now);
      const written = this.savedList();
      const saved = await saveTraceTree(trx, trace, matcher, now, event.caller.userId, false, written);
      await this.tracesSaved(trx, written);
      traceId = saved.id;
      fresh = { tags: trace.tags, previousIds: previousIdsOf(saved) };
    }
    await appendChannel(trx, traceId, { code: 'rest', value: null });
    const items: ItemRef[] = [item];
    if (event.entityTypeId === CRM_ENTITY_TYPES.DEAL) {
      // A deal's client is bound too. Bitrix binds COMPANY_ID with the contact type by mistake (§5.2 step 4).
      // Binding writes into the client (its traces, its UTM values), so only a client the caller may edit.
      const clients: ItemRef[] = [];
      if (event.contactId !== null) clients.push({ entityTypeId: CRM_ENTITY_TYPES.CONTACT, entityId: event.contactId });
      if (event.companyId !== null) clients.push({ entityTypeId: CRM_ENTITY_TYPES.COMPANY, entityId: event.companyId });
      for (const client of clients) if (await this.mayEdit(client, event.caller, trx)) items.push(client);
    }
    await bindItems(trx, traceId, items, this.crm, this.itemUtm, fresh);
  };

  /** The item's newest binding's trace (Bitrix's latest trace of a client, §4.4; TraceAttribution in contract.ts). */
  async latestTraceOf(db: Executor, item: ItemRef): Promise<{ id: number; sourceId: number | null; createdAt: number } | undefined> {
    return latestBoundTraceOfItem(db, item);
  }

  /** The attribution window's trace (§4.4): only a source, bound to the items, in the caller's transaction `db`. */
  async createSourceTrace(db: Executor, sourceId: number, items: readonly ItemRef[], createdBy: number): Promise<number> {
    const matcher = await this.#matchers.get(db);
    const saved = await saveTraceTree(db, { ...emptyTrace(), sourceId }, matcher, this.nowSeconds(), createdBy);
    await bindItems(db, saved.id, items, this.crm, this.itemUtm, { tags: {}, previousIds: [] });
    return saved.id;
  }

  /**
   * An item is being deleted: all its bindings go (Bitrix removes only the latest one, §1.13),
   * and so does every trace that was bound to it and is now needed by nothing else.
   */
  readonly onItemDeleted: ItemDeletedHook = async (trx, entityTypeId, id) => {
    const item = { entityTypeId, entityId: id };
    const traces = await tracesOfItem(trx, item);
    await trx
      .deleteFrom('tracking_trace_items')
      .where('entity_type_id', '=', entityTypeId)
      .where('entity_id', '=', id)
      .execute();
    await markUnboundIfEmpty(trx, traces);
    await removeUnusedTraces(trx, traces);
  };

  /**
   * The trace a numeric TRACE names, if it exists and the caller may read it. One they may not
   * read is treated as a missing one: binding it would let them read it back (issue 18).
   */
  private async readableTraceNamedBy(db: Executor, value: unknown, caller: Caller): Promise<number | undefined> {
    const id = positiveIntegerId(typeof value === 'string' ? value.trim() : value);
    // Held against a concurrent delete until the binding to it has committed.
    if (id === null || !(await lockTrace(db, id, 'keyShare'))) return undefined;
    const reader = await traceReader(this.readScopes, caller, db);
    return (await visibleTraceIds(db, reader, [id])).has(id) ? id : undefined;
  }
}
