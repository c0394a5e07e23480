// Several checked trace.add rows of one `batch` written together (issue 17): the same rows, in
// the same order, with the same IDs as TrackingService.create writing them one after the other
// (saveTraceTree, then bindItems), but a few multi-row statements for the whole run instead of
// about ten statements per trace. Every table's IDs follow the order of its own inserts only, so
// writing each table's rows for all traces in one statement keeps every ID.
import { CompiledQuery } from 'kysely';
import type { CrmItemAccess, ItemUtmCopier } from '../crm/contract.js';
import { dialectOf } from '../db/dialects/dialectOf.js';
import { withStorableParameters } from '../db/dialects/storableText.js';
import type { DialectHelpers } from '../db/dialects/types.js';
import type { Executor } from '../db/schema.js';
import { traceRow, type ItemRef } from './traceStore.js';
import type { ParsedTrace } from './parseTrace.js';
import type { SourceMatcher } from './sourceMatcher.js';

/** A trace.add row whose checks passed: what create() would write for it. */
export interface CheckedTrace {
  /** service.ts's PreparedTrace. */
  readonly prepared: { readonly trace: ParsedTrace; readonly matcher: SourceMatcher };
  /** The ENTITIES as checked, in the order sent (repeats included). */
  readonly items: readonly ItemRef[];
  readonly createdBy: number;
}

/** Rows per insert: at most 7 parameters a row, well inside both databases' limits. */
const ROWS_PER_INSERT = 500;

const itemKey = (item: ItemRef) => `${item.entityTypeId}:${item.entityId}`;

/** bindings.ts's lock order: by type, then ID, each item once. */
function inLockOrder(items: readonly ItemRef[]): ItemRef[] {
  const unique = new Map(items.map((item) => [itemKey(item), item]));
  return [...unique.values()].sort((a, b) => a.entityTypeId - b.entityTypeId || a.entityId - b.entityId);
}

/** One trace of a tree in saveTraceTree's order (previous traces first, depth first). */
interface PlannedTrace {
  readonly trace: ParsedTrace;
  readonly matcher: SourceMatcher;
  readonly createdBy: number;
  /** bindItems marks the trace bound when one of its row's items exists. */
  readonly bound: boolean;
  /** Positions in the plan of this trace's direct previous traces. */
  readonly children: number[];
}

function planTree(plan: PlannedTrace[], trace: ParsedTrace, matcher: SourceMatcher, createdBy: number, bound: boolean): number {
  const children = trace.previous.map((earlier) => planTree(plan, earlier, matcher, createdBy, bound));
  plan.push({ trace, matcher, createdBy, bound, children });
  return plan.length - 1;
}

/** previousIdsOf (traceStore.ts) on the plan: level by level, parent by parent. */
function previousIds(plan: readonly PlannedTrace[], ids: readonly number[], position: number): number[] {
  const found: number[] = [];
  let level = plan[position].children;
  while (level.length > 0) {
    found.push(...level.map((at) => ids[at]));
    level = level.flatMap((at) => plan[at].children);
  }
  return found;
}

async function insertInChunks<Row>(rows: readonly Row[], insert: (chunk: Row[]) => Promise<unknown>): Promise<void> {
  for (let at = 0; at < rows.length; at += ROWS_PER_INSERT) await insert(rows.slice(at, at + ROWS_PER_INSERT));
}

/**
 * Kysely builds a 100-row insert in about the time SQLite takes to run it, so each insert is
 * compiled once per dialect, statement and row count, and its SQL bound to each run's values.
 */
const compiledInserts = new Map<DialectHelpers, Map<string, string>>();

async function insertCompiledOnce<Result>(
  db: Executor,
  statement: string,
  rows: readonly Record<string, unknown>[],
  build: (rows: readonly Record<string, unknown>[]) => { compile(): CompiledQuery },
): Promise<Result[]> {
  const dialect = dialectOf(db);
  const texts = compiledInserts.get(dialect) ?? new Map<string, string>();
  compiledInserts.set(dialect, texts);
  const key = `${statement}:${rows.length}`;
  // Every row has the same columns in the same order, so the values bind row after row.
  const parameters = rows.flatMap((row) => Object.values(row));
  let text = texts.get(key);
  if (text === undefined) {
    const compiled = build(rows).compile();
    const bound = withStorableParameters(CompiledQuery.raw('', parameters)).parameters;
    const sameOrder = compiled.parameters.length === bound.length && compiled.parameters.every((value, at) => value === bound[at]);
    if (!sameOrder) return (await db.executeQuery<Result>(compiled)).rows;
    text = compiled.sql;
    texts.set(key, text);
  }
  return (await db.executeQuery<Result>(withStorableParameters(CompiledQuery.raw(text, parameters)))).rows;
}

/**
 * Writes checked traces as create() would one by one, inside the caller's transaction, and
 * returns their IDs in order. Item existence and the UTM copy are asked as bindItems asks them;
 * nothing a trace write does changes whether an item exists or may be edited, so checking all
 * rows before writing any judges each on the state it would have seen.
 */
export async function saveTraceRun(
  db: Executor,
  traces: readonly CheckedTrace[],
  crm: CrmItemAccess,
  utm: ItemUtmCopier | undefined,
  nowSeconds: number,
): Promise<number[]> {
  // Which items exist, held as bindItems holds them (each item once per run: a hold lasts
  // until the transaction ends).
  const exists = new Map<string, boolean>();
  const existing: ItemRef[][] = [];
  for (const { items } of traces) {
    for (const item of inLockOrder(items)) {
      const key = itemKey(item);
      if (!exists.has(key)) exists.set(key, await crm.holdItem(item.entityTypeId, item.entityId, db));
    }
    const seen = new Set<string>();
    existing.push(items.filter((item) => exists.get(itemKey(item)) && !seen.has(itemKey(item)) && seen.add(itemKey(item))));
  }

  const plan: PlannedTrace[] = [];
  const roots = traces.map(({ prepared, createdBy }, at) => planTree(plan, prepared.trace, prepared.matcher, createdBy, existing[at].length > 0));
  // The traces are already marked bound as markBound would mark them after binding.
  const ids: number[] = [];
  await insertInChunks(plan, async (chunk) => {
    const rows = chunk.map((planned) => ({ ...traceRow(planned.trace, planned.matcher, nowSeconds, planned.createdBy), bound: planned.bound ? 1 : 0 }));
    const inserted = await insertCompiledOnce<{ id: number }>(db, 'traces', rows, (values) =>
      db.insertInto('tracking_traces').values(values as typeof rows).returning('id'),
    );
    // One insert numbers its rows in the order given.
    ids.push(...inserted.map((row) => row.id).sort((a, b) => a - b));
  });

  const treeRows = plan.flatMap((planned, at) => planned.children.map((child) => ({ parent_id: ids[at], child_id: ids[child] })));
  await insertInChunks(treeRows, (chunk) => insertCompiledOnce(db, 'tree', chunk, (values) => db.insertInto('tracking_trace_tree').values(values as typeof chunk)));

  const channelRows = plan.flatMap((planned, at) => planned.trace.channels.map((channel) => ({ trace_id: ids[at], code: channel.code, value: channel.value })));
  await insertInChunks(channelRows, (chunk) =>
    insertCompiledOnce(db, 'channels', chunk, (values) =>
      db
        .insertInto('tracking_trace_channels')
        .values(values as typeof chunk)
        .onConflict((conflict) => conflict.columns(['trace_id', 'code']).doNothing()),
    ),
  );

  const bindingRows: { trace_id: number; entity_type_id: number; entity_id: number }[] = [];
  traces.forEach((_, at) => {
    // Previous traces first and the trace itself last, as bindItems writes them.
    const treeIds = [...previousIds(plan, ids, roots[at])].reverse().concat(ids[roots[at]]);
    for (const item of existing[at]) {
      for (const id of treeIds) bindingRows.push({ trace_id: id, entity_type_id: item.entityTypeId, entity_id: item.entityId });
    }
  });
  await insertInChunks(bindingRows, (chunk) =>
    insertCompiledOnce(db, 'bindings', chunk, (values) =>
      db
        .insertInto('tracking_trace_items')
        .values(values as typeof chunk)
        .onConflict((conflict) => conflict.columns(['trace_id', 'entity_type_id', 'entity_id']).doNothing()),
    ),
  );

  if (utm) await copyTags(db, utm, traces, existing);
  return roots.map((at) => ids[at]);
}

/**
 * The UTM copy of each trace in turn, as bindItems makes it. An item that has been given
 * non-empty tags has UTM values from then on, so later traces of the run skip it.
 */
async function copyTags(db: Executor, utm: ItemUtmCopier, traces: readonly CheckedTrace[], existing: readonly ItemRef[][]): Promise<void> {
  const withUtm = new Set<string>();
  for (const [at, { prepared }] of traces.entries()) {
    const tags = prepared.trace.tags as Record<string, string>;
    if (Object.keys(tags).length === 0) continue;
    const unknown = inLockOrder(existing[at]).filter((item) => !withUtm.has(itemKey(item)));
    if (unknown.length === 0) continue;
    await utm.copyTagsToItemsWithoutAny(db, unknown, tags);
    if (Object.values(tags).some((value) => value !== '')) for (const item of unknown) withUtm.add(itemKey(item));
  }
}
