// What the Sales Intelligence module promises its REST methods and the rest of the server:
// traces written, deleted and read as a caller may see them, and the source catalogue.
import type { Caller } from '../auth/caller.js';
import type { Executor } from '../db/schema.js';
import type { MatcherReuse, PreparedTrace, TracePageRequest, TraceTreeReading } from './service.js';
import type { CheckedTrace } from './traceRun.js';
import type { CallTraceRequest, CallTraceResult } from './callTrace.js';
import type { SourceRecord, TrackingSettings } from './sourceCatalog.js';
import type { SourceChanges } from './sources.js';
import type { ItemRef, TraceFilter, TraceRecord } from './traceStore.js';

export type { SavedTraceInfo, TracesSavedHook } from './savedTraces.js';

export interface TrackingPort {
  /**
   * Parses a decoded TRACE; nothing is written. Throws TraceInputError for a TRACE over the limits.
   * `reuse.matcher`: the batch run's previous row's source matcher, which still holds
   * (RunWriter.check). `reuse.changesReadAfter`: a change-token mark taken when the request
   * arrived (Caller.changesReadAfter), so a token read issued after it can be reused.
   */
  prepare(decoded: unknown, reuse?: MatcherReuse): Promise<PreparedTrace>;
  /** Saves a prepared trace, bound to the items `checkItems` gives inside the same transaction (`db`). */
  create(prepared: PreparedTrace, checkItems: (db: Executor) => Promise<readonly ItemRef[]>, createdBy: number): Promise<number>;
  /**
   * A trace the website sent by itself: saved bound to nothing, by no user (tracker-and-calls.md
   * §3.3); inside the caller's open transaction `db` when given (a site form binds it to its items there).
   */
  storeSiteTrace(prepared: PreparedTrace, db?: Executor): Promise<number>;
  /** Removes site traces that stayed unbound for a day, at most once per 10 hours; null when not due. */
  removeStaleSiteTraces(): Promise<number[] | null>;
  /** Checked traces of one batch written together, as `create` would write them one by one (traceRun.ts). */
  createMany(traces: readonly CheckedTrace[]): Promise<number[]>;
  /** Bitrix's CheckUpdatePermission on one item; `db` is the open transaction, a batch's when left out. */
  mayEdit(item: ItemRef, caller: Caller, db?: Executor): Promise<boolean>;
  delete(id: number, caller: Caller): Promise<void>;
  readTreeAsSeenBy(id: number, caller: Caller): Promise<TraceTreeReading>;
  listAsSeenBy(caller: Caller, filter: TraceFilter, page: TracePageRequest): Promise<{ traces: TraceRecord[]; total: number | undefined }>;
  sources(): Promise<SourceRecord[]>;
  /** An incoming call's trace (tracker-and-calls.md §4.3, §4.4), written in the call's transaction `db`. */
  saveCallTrace(db: Executor, request: CallTraceRequest): Promise<CallTraceResult>;
  settings(): Promise<TrackingSettings>;
  addSource(changes: SourceChanges): Promise<number>;
  updateSource(id: number, changes: SourceChanges): Promise<void>;
  deleteSource(id: number): Promise<void>;
}

export type { CallTraceRequest, CallTraceResult } from './callTrace.js';
/** An item's newest trace (its newest binding), as the attribution window reads it (§4.4). */
export interface LatestTrace {
  readonly id: number;
  /** Null or 0 is organic traffic: no source. */
  readonly sourceId: number | null;
  /** Unix seconds. */
  readonly createdAt: number;
}

/**
 * What the attribution window (src/analytics/attribution/window.ts) asks of Sales Intelligence
 * inside an item's add transaction, which `db` is.
 */
export interface TraceAttribution {
  latestTraceOf(db: Executor, item: ItemRef): Promise<LatestTrace | undefined>;
  /** Saves a trace with this source and nothing else (no tags, pages or channels), bound to the items. */
  createSourceTrace(db: Executor, sourceId: number, items: readonly ItemRef[], createdBy: number): Promise<number>;
}
