// Trace rows in the database: saving a parsed trace with its previous visits, tree rows and
// channels (sales-intelligence.md §2.5), reading traces back, and removing one trace's rows.
import { withRowLock, type RowLock } from '../db/dialects/rowLocks.js';
import { HotStatement } from '../db/hotStatement.js';
import { boundForBigintColumn, fitsIntegerColumn } from '../db/integers.js';
import type { Executor } from '../db/schema.js';
import type { TraceChannel } from './channels.js';
import { isChannelCode } from './channels.js';
import { traceSourceId, type ParsedTrace, type TracePage } from './parseTrace.js';
import type { SourceMatcher } from './sourceMatcher.js';
import type { SavedTraceInfo } from './savedTraces.js';

export interface ItemRef {
  readonly entityTypeId: number;
  readonly entityId: number;
}

export interface TraceRecord {
  readonly id: number;
  readonly createdAt: number;
  /** Null is organic traffic. */
  readonly sourceId: number | null;
  readonly isMobile: boolean;
  readonly tags: Record<string, string>;
  readonly pages: TracePage[];
  readonly channels: TraceChannel[];
  /** Bound CRM items in binding order. */
  readonly items: ItemRef[];
  /** Previous visits this trace carries. */
  readonly childIds: number[];
  /** Traces that carry this one as a previous visit. */
  readonly parentIds: number[];
}

/**
 * The tracking_traces row of one parsed trace (without its previous traces); `salestrace seed`
 * writes the same. `createdBy` is the user whose call writes it: while the trace is bound to no
 * item, only they and administrators may read it (traceVisibility.ts) or delete it.
 */
export function traceRow(trace: ParsedTrace, matcher: SourceMatcher, nowSeconds: number, createdBy: number) {
  return {
    created_at: trace.createdAt ?? Math.floor(nowSeconds),
    source_id: traceSourceId(trace, matcher),
    is_mobile: trace.isMobile ? 1 : 0,
    tags_json: JSON.stringify(trace.tags),
    pages_json: JSON.stringify(trace.pages),
    created_by: createdBy,
  };
}

/** A trace just written by saveTraceTree, with the previous traces written with it. */
export interface SavedTrace {
  readonly id: number;
  readonly previous: readonly SavedTrace[];
}

/** The columns of a trace row, in the order insertTraceRows binds them. */
const TRACE_COLUMNS = ['created_at', 'source_id', 'is_mobile', 'tags_json', 'pages_json', 'created_by', 'bound'] as const;

/** `rows` traces in one insert (a tree, or a batch's run: traceRun.ts); their IDs come back in row order once sorted. */
export const insertTraceRows = new HotStatement<{ id: number }>((db, $, rows) =>
  db
    .insertInto('tracking_traces')
    .values(Array.from({ length: rows }, (_, row) => Object.fromEntries(TRACE_COLUMNS.map((column, i) => [column, $(row * TRACE_COLUMNS.length + i)]))))
    .returning('id'),
);

/** A trace row's values in the order insertTraceRows binds them. */
export function traceValues(trace: ParsedTrace, matcher: SourceMatcher, nowSeconds: number, createdBy: number, bound: boolean): unknown[] {
  const row = { ...traceRow(trace, matcher, nowSeconds, createdBy), bound: bound ? 1 : 0 };
  return TRACE_COLUMNS.map((column) => row[column]);
}

export const insertTreeRows = new HotStatement((db, $, rows) =>
  db.insertInto('tracking_trace_tree').values(Array.from({ length: rows }, (_, row) => ({ parent_id: $(2 * row), child_id: $(2 * row + 1) }))),
);

/** One channel per code and trace: an existing code keeps its first value (§1.3); so does a repeat among the rows. */
export const insertChannelRows = new HotStatement((db, $, rows) =>
  db
    .insertInto('tracking_trace_channels')
    .values(Array.from({ length: rows }, (_, row) => ({ trace_id: $(3 * row), code: $(3 * row + 1), value: $(3 * row + 2) })))
    .onConflict((conflict) => conflict.columns(['trace_id', 'code']).doNothing()),
);

/** What the save hooks get of one written trace. */
export function savedInfo(id: number, trace: ParsedTrace, matcher: SourceMatcher, values: readonly unknown[]): SavedTraceInfo {
  const sourceId = values[TRACE_COLUMNS.indexOf('source_id')] as number | null;
  return { id, sourceId, sourceCode: sourceId === null ? null : matcher.codeOf(sourceId), tags: trace.tags as Record<string, string> };
}

/** One trace of a tree in saveTraceTree's order (previous traces first, depth first). */
export interface PlannedTrace {
  readonly trace: ParsedTrace;
  readonly matcher: SourceMatcher;
  readonly createdBy: number;
  /** bindItems marks the trace bound when one of its row's items exists. */
  readonly bound: boolean;
  /** Positions in the plan of this trace's direct previous traces. */
  readonly children: number[];
}

/** Appends a trace's tree to `plan` in insert order; the trace's own position. */
export function planTree(plan: PlannedTrace[], trace: ParsedTrace, matcher: SourceMatcher, createdBy: number, bound: boolean): number {
  const children = trace.previous.map((earlier) => planTree(plan, earlier, matcher, createdBy, bound));
  plan.push({ trace, matcher, createdBy, bound, children });
  return plan.length - 1;
}

/**
 * Inserts the planned traces in plan order, ROWS_PER_INSERT a statement, and returns their IDs
 * in that order: one insert numbers its rows in the order given, whatever order RETURNING uses.
 */
export async function insertPlannedTraces(db: Executor, plan: readonly PlannedTrace[], nowSeconds: number, saved?: SavedTraceInfo[]): Promise<number[]> {
  const ids: number[] = [];
  for (const [at, count] of insertRuns(plan.length)) {
    const rowValues = plan.slice(at, at + count).map((planned) => traceValues(planned.trace, planned.matcher, nowSeconds, planned.createdBy, planned.bound));
    const written = (await insertTraceRows.rows(db, rowValues.flat(), count)).map((row) => row.id).sort((a, b) => a - b);
    if (saved) written.forEach((id, i) => saved.push(savedInfo(id, plan[at + i].trace, plan[at + i].matcher, rowValues[i])));
    ids.push(...written);
  }
  return ids;
}

/** The tree rows (parent, previous trace) and the channels of planned traces given their IDs, in plan order. */
export async function insertTreeEdgesAndChannels(db: Executor, plan: readonly PlannedTrace[], ids: readonly number[]): Promise<void> {
  const edges = plan.flatMap((planned, at) => planned.children.flatMap((child) => [ids[at], ids[child]]));
  await insertFlatRows(db, insertTreeRows, edges, 2);
  const channels = plan.flatMap((planned, at) => planned.trace.channels.flatMap((channel) => [ids[at], channel.code, channel.value]));
  await insertFlatRows(db, insertChannelRows, channels, 3);
}

/**
 * Inserts a trace, its previous traces first (so they get the lower IDs, as in Bitrix), all in
 * one statement, then the tree rows and the channels, each table's rows in one insert and in the
 * order a row at a time would give them. `bound` says that items will be bound to every trace of
 * the tree in this transaction (tracking_traces.bound written with the row instead of updated
 * after). Call inside a transaction.
 */
export async function saveTraceTree(
  db: Executor,
  trace: ParsedTrace,
  matcher: SourceMatcher,
  nowSeconds: number,
  createdBy: number,
  bound = false,
  saved?: SavedTraceInfo[],
): Promise<SavedTrace> {
  const plan: PlannedTrace[] = [];
  const root = planTree(plan, trace, matcher, createdBy, bound);
  const ids = await insertPlannedTraces(db, plan, nowSeconds, saved);
  await insertTreeEdgesAndChannels(db, plan, ids);
  const tree = (at: number): SavedTrace => ({ id: ids[at], previous: plan[at].children.map(tree) });
  return tree(root);
}

/** Rows a multi-row insert takes at most: three parameters a row, well inside both databases' limits. */
export const ROWS_PER_INSERT = 500;

/** [first row, row count] of each insert that writes `total` rows. */
export function insertRuns(total: number): [number, number][] {
  const runs: [number, number][] = [];
  for (let at = 0; at < total; at += ROWS_PER_INSERT) runs.push([at, Math.min(ROWS_PER_INSERT, total - at)]);
  return runs;
}

/** Inserts `rows` (each `width` values, flat) with `statement`, at most ROWS_PER_INSERT rows a statement. */
export async function insertFlatRows(db: Executor, statement: typeof insertTreeRows, values: readonly unknown[], width: number): Promise<void> {
  for (const [at, count] of insertRuns(values.length / width)) await statement.execute(db, values.slice(width * at, width * (at + count)), count);
}

/**
 * The previous traces of a trace just saved, in the order descendantIds (bindings.ts) reads them
 * back from the tree rows: level by level, and within a level by tree row, i.e. parent by parent
 * in the order they were saved. Saves reading them back.
 */
export function previousIdsOf(saved: SavedTrace): number[] {
  const found: number[] = [];
  let level = saved.previous;
  while (level.length > 0) {
    found.push(...level.map((trace) => trace.id));
    level = level.flatMap((trace) => trace.previous);
  }
  return found;
}

/** One channel per code and trace: an existing code keeps its first value (§1.3). */
export async function appendChannel(db: Executor, traceId: number, channel: TraceChannel): Promise<void> {
  await insertChannelRows.execute(db, [traceId, channel.code, channel.value]);
}

export async function traceExists(db: Executor, id: number): Promise<boolean> {
  if (!fitsIntegerColumn(id)) return false;
  return (await db.selectFrom('tracking_traces').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/** Records that items are bound to these traces (tracking_traces.bound); after writing bindings. */
export async function markBound(db: Executor, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.updateTable('tracking_traces').set({ bound: 1 }).where('id', 'in', [...new Set(ids)]).where('bound', '=', 0).execute();
}

/** Clears tracking_traces.bound for the traces among `ids` left without any binding; after deleting bindings. */
export async function markUnboundIfEmpty(db: Executor, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  const unique = [...new Set(ids)];
  await markUnbound.execute(db, unique, unique.length);
}

const markUnbound = new HotStatement((db, $, count) =>
  db
    .updateTable('tracking_traces')
    .set({ bound: 0 })
    .where('id', 'in', Array.from({ length: count }, (_, at) => $(at)))
    .where('bound', '=', 1)
    .where(({ exists, not, selectFrom }) => not(exists(selectFrom('tracking_trace_items').select('id').whereRef('tracking_trace_items.trace_id', '=', 'tracking_traces.id')))),
);

const lockedTrace = new HotStatement<{ id: number; created_by: number | null }>((db, $) =>
  withRowLock(db, db.selectFrom('tracking_traces').select(['id', 'created_by']).where('id', '=', $(0)), 'update'),
);

/**
 * Locks a trace before deciding to delete it (as lockTrace with `update`) and says who created
 * it: a user ID, null when nobody is recorded, undefined when there is no such trace.
 */
export async function lockTraceForDelete(db: Executor, id: number): Promise<{ createdBy: number | null } | undefined> {
  if (!fitsIntegerColumn(id)) return undefined;
  const [row] = await lockedTrace.rows(db, [id]);
  return row ? { createdBy: row.created_by } : undefined;
}

/**
 * Whether the trace exists, locked as `lock` says (rowLocks.ts): `update` before deciding to
 * delete it, `keyShare` before binding to it, so that a delete and a binding to one trace run
 * one after the other.
 */
export async function lockTrace(db: Executor, id: number, lock: RowLock): Promise<boolean> {
  if (!fitsIntegerColumn(id)) return false;
  return (await lockedTraceId.rows(db, [id], lock)).length > 0;
}

const lockedTraceId = new HotStatement<{ id: number }, RowLock>((db, $, lock) =>
  withRowLock(db, db.selectFrom('tracking_traces').select('id').where('id', '=', $(0)), lock),
);

/**
 * Deletes one trace row with its bindings, channels and tree rows (both directions). `unbound`:
 * the caller has just removed every binding of the trace, locked, so there are none to delete.
 */
export async function deleteTraceRows(db: Executor, id: number, options: { unbound?: boolean } = {}): Promise<void> {
  if (!options.unbound) await deleteBindingsOf.execute(db, [id]);
  await deleteChannelsOf.execute(db, [id]);
  await deleteTreeRowsOf.execute(db, [id]);
  await deleteTrace.execute(db, [id]);
}

const deleteBindingsOf = new HotStatement((db, $) => db.deleteFrom('tracking_trace_items').where('trace_id', '=', $(0)));
const deleteChannelsOf = new HotStatement((db, $) => db.deleteFrom('tracking_trace_channels').where('trace_id', '=', $(0)));
const deleteTreeRowsOf = new HotStatement((db, $) => db.deleteFrom('tracking_trace_tree').where((eb) => eb.or([eb('parent_id', '=', $(0)), eb('child_id', '=', $(0))])));
const deleteTrace = new HotStatement((db, $) => db.deleteFrom('tracking_traces').where('id', '=', $(0)));

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

/** Traces by ID with everything attached, in the order of `ids`; unknown IDs are left out. */
export async function readTraces(db: Executor, ids: readonly number[]): Promise<TraceRecord[]> {
  if (ids.length === 0) return [];
  const unique = [...new Set(ids)].filter(fitsIntegerColumn);
  if (unique.length === 0) return [];
  const rows = await db.selectFrom('tracking_traces').selectAll().where('id', 'in', unique).execute();
  const channels = await db.selectFrom('tracking_trace_channels').selectAll().where('trace_id', 'in', unique).orderBy('id').execute();
  const items = await db.selectFrom('tracking_trace_items').selectAll().where('trace_id', 'in', unique).orderBy('id').execute();
  const tree = await db
    .selectFrom('tracking_trace_tree')
    .selectAll()
    .where((eb) => eb.or([eb('parent_id', 'in', unique), eb('child_id', 'in', unique)]))
    .orderBy('id')
    .execute();
  const byId = new Map(
    rows.map((row): [number, TraceRecord] => [
      row.id,
      {
        id: row.id,
        createdAt: row.created_at,
        sourceId: row.source_id,
        isMobile: row.is_mobile === 1,
        tags: parseJson(row.tags_json, {}),
        pages: parseJson(row.pages_json, []),
        channels: channels
          .filter((channel) => channel.trace_id === row.id && isChannelCode(channel.code))
          .map((channel) => ({ code: channel.code as TraceChannel['code'], value: channel.value })),
        items: items.filter((item) => item.trace_id === row.id).map((item) => ({ entityTypeId: item.entity_type_id, entityId: item.entity_id })),
        childIds: tree.filter((edge) => edge.parent_id === row.id).map((edge) => edge.child_id),
        parentIds: tree.filter((edge) => edge.child_id === row.id).map((edge) => edge.parent_id),
      },
    ]),
  );
  return ids.flatMap((id) => {
    const record = byId.get(id);
    return record ? [record] : [];
  });
}

export interface TraceFilter {
  /** The item's traces, newest first. */
  readonly item?: ItemRef;
  /** 0 is organic traffic. */
  readonly sourceId?: number;
  readonly createdFrom?: number;
  readonly createdTo?: number;
}

const selectTraces = (db: Executor) => db.selectFrom('tracking_traces as t');

/** Extra conditions on the `tracking_traces as t` query (who may see what, traceVisibility.ts). */
export type TraceQueryNarrowing = (query: ReturnType<typeof selectTraces>) => ReturnType<typeof selectTraces>;

/**
 * One page of trace IDs and, unless told not to, the total count: an item's traces newest
 * first, otherwise by ID. `narrow` adds conditions to the same statement.
 */
export async function listTraceIds(
  db: Executor,
  filter: TraceFilter,
  page: { offset: number; limit: number; countTotal: boolean },
  narrow: TraceQueryNarrowing = (query) => query,
): Promise<{ ids: number[]; total: number | undefined }> {
  let query = narrow(selectTraces(db));
  if (filter.item) {
    const item = filter.item;
    query = query.where((eb) =>
      eb.exists(
        eb
          .selectFrom('tracking_trace_items as i')
          .select('i.id')
          .whereRef('i.trace_id', '=', 't.id')
          .where('i.entity_type_id', '=', item.entityTypeId)
          .where('i.entity_id', '=', item.entityId),
      ),
    );
  }
  if (filter.sourceId !== undefined) {
    query = filter.sourceId === 0 ? query.where((eb) => eb.or([eb('t.source_id', 'is', null), eb('t.source_id', '=', 0)])) : query.where('t.source_id', '=', filter.sourceId);
  }
  if (filter.createdFrom !== undefined) query = query.where('t.created_at', '>=', boundForBigintColumn(filter.createdFrom));
  if (filter.createdTo !== undefined) query = query.where('t.created_at', '<=', boundForBigintColumn(filter.createdTo));

  const ordered = filter.item ? query.orderBy('t.created_at', 'desc').orderBy('t.id', 'desc') : query.orderBy('t.id', 'asc');
  const rows = await ordered.select('t.id').limit(page.limit).offset(page.offset).execute();
  let total: number | undefined;
  if (page.countTotal) {
    const counted = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    total = Number(counted.n);
  }
  return { ids: rows.map((row) => Number(row.id)), total };
}
