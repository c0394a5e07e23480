// Trace ↔ CRM item bindings (sales-intelligence.md §1.2) and the clean-up that keeps traces
// from outliving every reason to exist. A binding reaches the trace's previous visits too, so
// the item's Sales Intelligence field shows the whole path; unbinding undoes exactly that.
import type { CrmItemAccess, ItemUtmCopier } from '../crm/contract.js';
import { hasRowLocks, lockRows } from '../db/dialects/rowLocks.js';
import type { Executor } from '../db/schema.js';
import { HotStatement } from '../db/hotStatement.js';
import { deleteTraceRows, insertRuns, lockTrace, markBound, markUnboundIfEmpty, type ItemRef } from './traceStore.js';

const childrenOfTraces = new HotStatement<{ child_id: number }>((db, $, count) =>
  db
    .selectFrom('tracking_trace_tree')
    .select('child_id')
    .where('parent_id', 'in', Array.from({ length: count }, (_, at) => $(at)))
    .orderBy('id'),
);

async function childrenOf(db: Executor, ids: readonly number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await childrenOfTraces.rows(db, ids, ids.length);
  return rows.map((row) => row.child_id);
}

/** The previous traces of a trace at every depth, breadth first, each once. */
export async function descendantIds(db: Executor, traceId: number): Promise<number[]> {
  const seen = new Set<number>([traceId]);
  const found: number[] = [];
  let level = [traceId];
  while (level.length > 0) {
    const next = (await childrenOf(db, level)).filter((id) => !seen.has(id));
    for (const id of next) seen.add(id);
    found.push(...next);
    level = next;
  }
  return found;
}

export const insertBindingRows = new HotStatement((db, $, count) =>
  db
    .insertInto('tracking_trace_items')
    .values(Array.from({ length: count }, (_, row) => ({ trace_id: $(3 * row), entity_type_id: $(3 * row + 1), entity_id: $(3 * row + 2) })))
    .onConflict((conflict) => conflict.columns(['trace_id', 'entity_type_id', 'entity_id']).doNothing()),
);

/** A binding of the trace and a tree row carrying it as a previous visit, null where there is none; read after the trace is locked. */
const stillNeeded = new HotStatement<{ bound: number | null; parent: number | null }>((db, $) =>
  db.selectNoFrom((eb) => [
    eb.selectFrom('tracking_trace_items').select('id').where('trace_id', '=', $(0)).limit(1).as('bound'),
    eb.selectFrom('tracking_trace_tree').select('id').where('child_id', '=', $(0)).limit(1).as('parent'),
  ]),
);

const traceIdsOf = (rows: readonly number[]) => rows.filter((_, at) => at % 3 === 0);

export const itemKey = (item: ItemRef) => `${item.entityTypeId}:${item.entityId}`;

/** One fixed order for taking items, so two writers never wait for each other in a circle. */
export function inLockOrder(items: readonly ItemRef[]): ItemRef[] {
  const unique = new Map(items.map((item) => [itemKey(item), item]));
  return [...unique.values()].sort((a, b) => a.entityTypeId - b.entityTypeId || a.entityId - b.entityId);
}

/**
 * What the caller knows of a trace it saved in this same transaction, so that binding it need not
 * read back what was just written: its tags, its previous traces (previousIdsOf) and that nothing
 * is bound to it yet.
 */
export interface FreshTrace {
  readonly tags: Record<string, string>;
  readonly previousIds: readonly number[];
  /**
   * The items given are those holdExistingItems found, held before the trace was saved with
   * `bound` set when there are any (saveTraceTree): nothing to look up or mark again.
   */
  readonly itemsHeld?: boolean;
}

/**
 * The items among `items` that exist, in the order given, each held against deletion (in lock
 * order): a concurrent delete of an item waits for this transaction, so it cannot miss a
 * binding written in it.
 */
export async function holdExistingItems(db: Executor, items: readonly ItemRef[], crm: CrmItemAccess): Promise<ItemRef[]> {
  // One statement for all of them (issue 16: one round trip per statement on PostgreSQL).
  const existing = await crm.holdItems(inLockOrder(items), db);
  return items.filter((item) => existing.has(itemKey(item)));
}

/**
 * Binds items to a trace and its previous traces (Bitrix's addEntity), in the order given. An
 * item already bound to the trace is left as it is. Items that do not exist are skipped; this is
 * checked for every type, QUOTE included (Bitrix binds a missing quote: COMPATIBILITY.md).
 * An item without UTM values gets the trace's own tags; Bitrix's recursion would give it those
 * of the oldest previous visit that has any (COMPATIBILITY.md).
 */
export async function bindItems(
  db: Executor,
  traceId: number,
  items: readonly ItemRef[],
  crm: CrmItemAccess,
  utm: ItemUtmCopier | undefined,
  fresh?: FreshTrace,
): Promise<void> {
  // No items: nothing to bind and no item to copy tags to (a trace.add without ENTITIES).
  if (items.length === 0) return;
  let tags: Record<string, string>;
  if (fresh) {
    tags = fresh.tags;
  } else {
    const trace = await db.selectFrom('tracking_traces').select('tags_json').where('id', '=', traceId).executeTakeFirst();
    if (!trace) return;
    tags = JSON.parse(trace.tags_json) as Record<string, string>;
  }
  const existing = new Set((fresh?.itemsHeld ? items : await holdExistingItems(db, items, crm)).map(itemKey));
  const previous = fresh ? [...fresh.previousIds].reverse() : (await heldDescendantIds(db, traceId)).reverse();
  // Items bound by this call (a fresh trace has no others).
  const boundHere = new Set<string>();
  const bound: ItemRef[] = [];
  // trace_id, entity_type_id, entity_id of each binding row, one row after another.
  const rows: number[] = [];
  for (const item of items) {
    const key = itemKey(item);
    if (!existing.has(key)) continue;
    // Whether one item is bound does not depend on another's rows, so all rows can be written at the end.
    if (boundHere.has(key) || (!fresh && (await isBound(db, traceId, item)))) continue;
    // Previous traces first and the trace itself last, as Bitrix's recursion does: the newest
    // binding row of an item is then the trace it was bound to, not one of its previous visits.
    for (const id of [...previous, traceId]) rows.push(id, item.entityTypeId, item.entityId);
    boundHere.add(key);
    bound.push(item);
  }
  // Rows get their IDs in this order, as one insert after another would give them.
  for (const [at, count] of insertRuns(rows.length / 3)) await insertBindingRows.execute(db, rows.slice(3 * at, 3 * (at + count)), count);
  if (!fresh?.itemsHeld) await markBound(db, traceIdsOf(rows));
  if (!utm || Object.keys(tags).length === 0) return;
  const ordered = inLockOrder(bound);
  await utm.copyTagsToItemsWithoutAny(db, ordered, tags);
}

/**
 * descendantIds of a trace that already existed (its caller holds it), each previous trace held
 * against deletion like the trace. A tree only loses rows, so reading it again once they are
 * held drops the ones a concurrent delete took away, and what is left is held.
 */
async function heldDescendantIds(db: Executor, traceId: number): Promise<number[]> {
  const ids = await descendantIds(db, traceId);
  if (ids.length === 0 || !hasRowLocks(db)) return ids;
  await lockRows(db, 'tracking_traces', ids, 'keyShare');
  return descendantIds(db, traceId);
}

async function isBound(db: Executor, traceId: number, item: ItemRef): Promise<boolean> {
  const row = await db
    .selectFrom('tracking_trace_items')
    .select('id')
    .where('trace_id', '=', traceId)
    .where('entity_type_id', '=', item.entityTypeId)
    .where('entity_id', '=', item.entityId)
    .executeTakeFirst();
  return row !== undefined;
}

/**
 * Removes these items' bindings from the traces `ids` (a trace and its previous traces: the
 * mirror of bindItems), then clears `bound` on those left without any.
 */
export async function unbindItems(db: Executor, ids: readonly number[], items: readonly ItemRef[]): Promise<void> {
  if (items.length === 0) return;
  const values = [...ids, ...items.flatMap((item) => [item.entityTypeId, item.entityId])];
  await deleteBindings.execute(db, values, `${ids.length}:${items.length}`);
  await markUnboundIfEmpty(db, ids);
}

/** Bindings of these items (the shape's second count) to these traces (its first). */
const deleteBindings = new HotStatement<unknown, string>((db, $, shape) => {
  const [traces, items] = shape.split(':').map(Number);
  return db
    .deleteFrom('tracking_trace_items')
    .where('trace_id', 'in', Array.from({ length: traces }, (_, at) => $(at)))
    .where((eb) =>
      eb.or(Array.from({ length: items }, (_, at) => eb.and([eb('entity_type_id', '=', $(traces + 2 * at)), eb('entity_id', '=', $(traces + 2 * at + 1))]))),
    );
});

/** The newest trace bound to an item (Bitrix's getRowByEntity: the latest binding row). */
export async function latestTraceOfItem(db: Executor, item: ItemRef): Promise<number | undefined> {
  const row = await db
    .selectFrom('tracking_trace_items')
    .select('trace_id')
    .where('entity_type_id', '=', item.entityTypeId)
    .where('entity_id', '=', item.entityId)
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.trace_id;
}

// The attribution window's read on every lead and deal added with a client (§4.4): compiled once.
const latestBoundTrace = new HotStatement<{ trace_id: number; found: number | null; source_id: number | null; created_at: number | string | null }>((db, $) =>
  db
    .selectFrom('tracking_trace_items as i')
    .leftJoin('tracking_traces as t', 't.id', 'i.trace_id')
    .select(['i.trace_id', 't.id as found', 't.source_id', 't.created_at'])
    .where('i.entity_type_id', '=', $(0))
    .where('i.entity_id', '=', $(1))
    .orderBy('i.id', 'desc')
    .limit(1),
);

/** The item's newest binding's trace with its source and time, in one statement; undefined when it has none. */
export async function latestBoundTraceOfItem(db: Executor, item: ItemRef): Promise<{ id: number; sourceId: number | null; createdAt: number } | undefined> {
  const [row] = await latestBoundTrace.rows(db, [item.entityTypeId, item.entityId]);
  if (row === undefined || row.found === null) return undefined;
  return { id: row.trace_id, sourceId: row.source_id, createdAt: Number(row.created_at) };
}

/**
 * Deletes the candidate traces that nothing needs any more: no bound item and no parent trace
 * carrying them. A deleted trace's previous traces become candidates in turn, so a whole
 * abandoned tree goes, while a previous trace still bound elsewhere stays as a trace of its own.
 */
export async function removeUnusedTraces(db: Executor, candidates: readonly number[]): Promise<number[]> {
  const removed: number[] = [];
  const queue = [...new Set(candidates)];
  while (queue.length > 0) {
    const id = queue.shift() as number;
    if (removed.includes(id)) continue;
    // Locked before it is found unused: a binding to it being written commits first and is seen.
    if (!(await lockTrace(db, id, 'update'))) continue;
    const [needed] = await stillNeeded.rows(db, [id]);
    if (needed.bound !== null || needed.parent !== null) continue;
    const children = await childrenOf(db, [id]);
    await deleteTraceRows(db, id, { unbound: true });
    removed.push(id);
    queue.push(...children);
  }
  return removed;
}

/** The bound items of one trace, in binding order. */
const boundItems = new HotStatement<{ entity_type_id: number; entity_id: number }>((db, $) =>
  db.selectFrom('tracking_trace_items').select(['entity_type_id', 'entity_id']).where('trace_id', '=', $(0)).orderBy('id'),
);

export async function itemsOfTrace(db: Executor, traceId: number): Promise<ItemRef[]> {
  const rows = await boundItems.rows(db, [traceId]);
  return rows.map((row) => ({ entityTypeId: row.entity_type_id, entityId: row.entity_id }));
}

/** Every trace an item is bound to. */
export async function tracesOfItem(db: Executor, item: ItemRef): Promise<number[]> {
  const rows = await db
    .selectFrom('tracking_trace_items')
    .select('trace_id')
    .where('entity_type_id', '=', item.entityTypeId)
    .where('entity_id', '=', item.entityId)
    .orderBy('id')
    .execute();
  return rows.map((row) => row.trace_id);
}
