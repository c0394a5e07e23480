// Who may read a trace back through salestrace.trace.get / .list. Bitrix24 has no such methods,
// so the rule is Salestrace's own, built on what CRM says each user may read (COMPATIBILITY.md,
// "Salestrace's own methods"): a trace is visible to an administrator; when it is bound to no
// item, to the user who created it; when the caller may READ at least one item it is bound to;
// and when it is a previous trace of a visible trace. Items the caller may not read are left
// out of the answer, as are the IDs of traces they cannot see.
//
// A list starts from what the caller may read (their items' bindings and their own unbound
// traces, through indexes) and walks down the tree of previous traces from there, so its cost
// follows what the caller sees, not the size of the portal (issue 18).
import { sql, type Expression, type ExpressionBuilder, type Kysely, type QueryCreator, type SqlBool } from 'kysely';
import type { ItemReadScope, ItemReadScopes, PartialReadScope } from '../crm/contract.js';
import { fitsIntegerColumn } from '../db/integers.js';
import type { Executor } from '../db/schema.js';
import type { Caller } from '../auth/caller.js';
import { PREVIOUS_MAX_DEPTH } from './parseTrace.js';
import { listTraceIds, type ItemRef, type TraceFilter, type TraceQueryNarrowing, type TraceRecord } from './traceStore.js';

/** What one caller may read. */
export interface TraceReader {
  readonly userId: number;
  /** The items the caller may read, per CRM entity type ID (CRM's answer); null for administrators, who read every trace. */
  readonly scopes: ReadonlyMap<number, ItemReadScope> | null;
}

/** `db` is the open transaction when there is one (on SQLite a second connection would wait for it). */
export async function traceReader(crm: ItemReadScopes, caller: Caller, db?: Executor): Promise<TraceReader> {
  if (caller.isAdmin) return { userId: caller.userId, scopes: null };
  // Even READ ALL on every type leaves out other users' unbound traces, so the map stays.
  return { userId: caller.userId, scopes: await crm.readScopes(caller, db) };
}

// The queries below name tables by alias at several nesting depths, which Kysely's types cannot follow.
type AnyBuilder = ExpressionBuilder<any, any>;

function untyped(db: Executor): Kysely<any> {
  return db as unknown as Kysely<any>;
}

/** `bound = 0` as a literal, not a parameter: SQLite uses the partial index tracking_traces_unbound only then. */
const UNBOUND = sql.lit(0);

type ReadScopes = ReadonlyMap<number, ItemReadScope>;

function typesReadInFull(scopes: ReadScopes): number[] {
  return [...scopes].filter(([, scope]) => scope.kind === 'ALL').map(([typeId]) => typeId);
}

/** The types the reader reads in part, with the subquery of the items they may read. */
function typesReadInPart(scopes: ReadScopes): [number, PartialReadScope][] {
  const partly: [number, PartialReadScope][] = [];
  for (const [typeId, scope] of scopes) if (scope.kind === 'SOME') partly.push([typeId, scope]);
  return partly;
}

/** The trace at `traceRef` is bound to an item the reader may read, or bound to nothing and created by them. */
function readableOrOwnUnbound(eb: AnyBuilder, reader: TraceReader, scopes: ReadScopes, traceRef: string, alias: string): Expression<SqlBool> {
  const bindings = () => eb.selectFrom(`tracking_trace_items as ${alias}`).select(`${alias}.id`).whereRef(`${alias}.trace_id`, '=', traceRef);
  const ownUnbound = eb
    .selectFrom(`tracking_traces as ${alias}_mine`)
    .select(`${alias}_mine.id`)
    .whereRef(`${alias}_mine.id`, '=', traceRef)
    .where(`${alias}_mine.created_by`, '=', reader.userId)
    .where(`${alias}_mine.bound`, '=', UNBOUND);
  const conditions: Expression<SqlBool>[] = [eb.exists(ownUnbound)];
  const everyItem = typesReadInFull(scopes);
  if (everyItem.length > 0) conditions.push(eb.exists(bindings().where(`${alias}.entity_type_id`, 'in', everyItem)));
  for (const [typeId, scope] of typesReadInPart(scopes)) {
    const owned = scope.itemIds(`${alias}_own`);
    conditions.push(eb.exists(bindings().where(`${alias}.entity_type_id`, '=', typeId).where(`${alias}.entity_id`, 'in', owned)));
  }
  return eb.or(conditions);
}

/**
 * The visibility rule as SQL for the trace at `traceRef`. Previous traces are at most
 * PREVIOUS_MAX_DEPTH levels below their root (the parser refuses deeper TRACEs, and tree rows
 * are written only with a parsed trace), so looking that many parents up reaches every root.
 */
function visible(eb: AnyBuilder, reader: TraceReader, scopes: ReadScopes, traceRef: string, depth = 0): Expression<SqlBool> {
  const own = readableOrOwnUnbound(eb, reader, scopes, traceRef, `visible_item_${depth}`);
  if (depth === PREVIOUS_MAX_DEPTH) return own;
  const edge = `visible_tree_${depth}`;
  const parentVisible = eb.exists(
    eb
      .selectFrom(`tracking_trace_tree as ${edge}`)
      .select(`${edge}.id`)
      .whereRef(`${edge}.child_id`, '=', traceRef)
      .where((inner: AnyBuilder) => visible(inner, reader, scopes, `${edge}.parent_id`, depth + 1)),
  );
  return eb.or([own, parentVisible]);
}

/** The IDs among `ids` the reader may see. */
export async function visibleTraceIds(db: Executor, reader: TraceReader, ids: readonly number[]): Promise<Set<number>> {
  const candidates = [...new Set(ids)].filter(fitsIntegerColumn);
  if (candidates.length === 0) return new Set();
  const scopes = reader.scopes;
  let query = untyped(db).selectFrom('tracking_traces as t').select('t.id').where('t.id', 'in', candidates);
  if (scopes) query = query.where((eb: AnyBuilder) => visible(eb, reader, scopes, 't.id'));
  return new Set((await query.execute()).map((row) => Number(row.id)));
}

/**
 * The traces the reader reads directly: those bound to an item they may READ (an OWN type is
 * read from the caller's own items through the responsible-user index to their bindings) and
 * their own unbound traces (through the partial index of unbound traces, by creator).
 */
function directlyReadableTraces(db: QueryCreator<any>, reader: TraceReader, scopes: ReadScopes) {
  let roots = db.selectFrom('tracking_traces as mine').select('mine.id as id').where('mine.created_by', '=', reader.userId).where('mine.bound', '=', UNBOUND);
  const everyItem = typesReadInFull(scopes);
  if (everyItem.length > 0) {
    roots = roots.union(db.selectFrom('tracking_trace_items as every').select('every.trace_id as id').where('every.entity_type_id', 'in', everyItem));
  }
  for (const [typeId, scope] of typesReadInPart(scopes)) {
    // An IN list rather than a join: the planner then starts from the caller's items, not from
    // every binding of the type, with or without statistics.
    const owned = scope.itemIds('owned');
    roots = roots.union(
      db
        .selectFrom('tracking_trace_items as owned_bound')
        .select('owned_bound.trace_id as id')
        .where('owned_bound.entity_type_id', '=', typeId)
        .where('owned_bound.entity_id', 'in', owned),
    );
  }
  return roots;
}

/**
 * The IDs of every trace the reader may see, as one subquery: the directly readable ones and,
 * walking down the tree rows (parent to child, through their unique key), their previous traces.
 */
function withVisibleTraces(db: Kysely<any>, reader: TraceReader, scopes: ReadScopes) {
  return db.withRecursive('visible_traces(id)', (qb: QueryCreator<any>) =>
    qb
      .selectFrom(directlyReadableTraces(qb, reader, scopes).as('roots'))
      .select('roots.id')
      .union(qb.selectFrom('tracking_trace_tree as walk').innerJoin('visible_traces as above', 'above.id', 'walk.parent_id').select('walk.child_id as id')),
  );
}

function visibleTraceSet(db: Kysely<any>, reader: TraceReader, scopes: ReadScopes) {
  return withVisibleTraces(db, reader, scopes).selectFrom('visible_traces').select('visible_traces.id');
}

const noFilter = (filter: TraceFilter) =>
  filter.item === undefined && filter.sourceId === undefined && filter.createdFrom === undefined && filter.createdTo === undefined;

/**
 * Without a filter, the page and the total come straight from the set, in one statement (every
 * ID in it is an existing trace: bindings and tree rows go with their traces), so no trace row
 * is read; past the last page, the total takes a statement of its own.
 */
async function pageOfVisibleSet(
  db: Executor,
  reader: TraceReader,
  scopes: ReadScopes,
  page: { offset: number; limit: number; countTotal: boolean },
): Promise<{ ids: number[]; total: number | undefined }> {
  let query: any = withVisibleTraces(untyped(db), reader, scopes).selectFrom('visible_traces').select('visible_traces.id');
  if (page.countTotal) query = query.select((eb: AnyBuilder) => eb.selectFrom('visible_traces as counted').select(eb.fn.countAll().as('n')).as('total'));
  const rows: { id: unknown; total?: unknown }[] = await query.orderBy('visible_traces.id').limit(page.limit).offset(page.offset).execute();
  let total: number | undefined;
  if (page.countTotal) {
    total =
      rows.length > 0
        ? Number(rows[0].total)
        : Number((await withVisibleTraces(untyped(db), reader, scopes).selectFrom('visible_traces').select((eb: AnyBuilder) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  }
  return { ids: rows.map((row) => Number(row.id)), total };
}

/** One page of the trace IDs the reader may see, with their total (listTraceIds, narrowed in the same statement). */
export function listVisibleTraceIds(
  db: Executor,
  reader: TraceReader,
  filter: TraceFilter,
  page: { offset: number; limit: number; countTotal: boolean },
): Promise<{ ids: number[]; total: number | undefined }> {
  const scopes = reader.scopes;
  if (!scopes) return listTraceIds(db, filter, page);
  if ([...scopes.values()].every((scope) => scope.kind === 'ALL')) return listAllButHidden(db, reader, scopes, filter, page);
  if (noFilter(filter)) return pageOfVisibleSet(db, reader, scopes, page);
  const narrowing: TraceQueryNarrowing = (query) => query.where('t.id', 'in', visibleTraceSet(untyped(db), reader, scopes));
  return listTraceIds(db, filter, page, narrowing);
}

/**
 * For a reader of every item, what they may not see is the smaller set: other users' unbound
 * traces that no visible trace carries, found through the partial index of unbound traces. The
 * page is the administrator's with those left out, and the total the administrator's less them.
 */
async function listAllButHidden(
  db: Executor,
  reader: TraceReader,
  scopes: ReadScopes,
  filter: TraceFilter,
  page: { offset: number; limit: number; countTotal: boolean },
): Promise<{ ids: number[]; total: number | undefined }> {
  const hidden = () =>
    untyped(db)
      .selectFrom('tracking_traces as hidden')
      .select('hidden.id')
      .where('hidden.bound', '=', UNBOUND)
      .where((eb: AnyBuilder) => eb.not(visible(eb, reader, scopes, 'hidden.id')));
  const shown = await listTraceIds(db, filter, { ...page, countTotal: false }, (query) => query.where('t.id', 'not in', hidden()));
  if (!page.countTotal) return shown;
  const everything = await listTraceIds(db, filter, { offset: 0, limit: 0, countTotal: true });
  const left = await listTraceIds(db, filter, { offset: 0, limit: 0, countTotal: true }, (query) => query.where('t.id', 'in', hidden()));
  return { ids: shown.ids, total: (everything.total ?? 0) - (left.total ?? 0) };
}

const itemKey = (item: ItemRef) => `${item.entityTypeId}:${item.entityId}`;

/** Keys (`type:id`) of the items among `items` the reader may read. */
async function readableItemKeys(db: Executor, reader: TraceReader, items: readonly ItemRef[]): Promise<Set<string>> {
  const scopes = reader.scopes;
  if (!scopes) return new Set(items.map(itemKey));
  const readable = new Set(items.filter((item) => scopes.get(item.entityTypeId)?.kind === 'ALL').map(itemKey));
  for (const [typeId, scope] of typesReadInPart(scopes)) {
    const ids = [...new Set(items.filter((item) => item.entityTypeId === typeId).map((item) => item.entityId))].filter(fitsIntegerColumn);
    if (ids.length === 0) continue;
    // Run on `db`, the caller's connection or transaction, whichever built the scope.
    const { rows } = await db.executeQuery(scope.itemIds('readable').where('readable.id', 'in', ids).compile());
    for (const row of rows) readable.add(itemKey({ entityTypeId: typeId, entityId: Number(row.id) }));
  }
  return readable;
}

/** Traces as the reader may see them: without the items they may not read or the parents they cannot see. */
export async function asSeenBy(db: Executor, reader: TraceReader, traces: readonly TraceRecord[]): Promise<TraceRecord[]> {
  if (!reader.scopes) return [...traces];
  const readable = await readableItemKeys(db, reader, traces.flatMap((trace) => trace.items));
  const parents = await visibleTraceIds(db, reader, traces.flatMap((trace) => trace.parentIds));
  return traces.map((trace) => ({
    ...trace,
    items: trace.items.filter((item) => readable.has(itemKey(item))),
    parentIds: trace.parentIds.filter((id) => parents.has(id)),
  }));
}
