// Who may read a trace back through salestrace.trace.get / .list. Bitrix24 has no such methods,
// so the rule is Salestrace's own, built on the CRM permission model (COMPATIBILITY.md,
// "Salestrace's own methods"): a trace is visible to an administrator; to anyone when it is
// bound to no item (anyone with the crm scope may create one); when the caller may READ at least
// one item it is bound to; and when it is a previous trace of a visible trace. Items the caller
// may not read are left out of the answer, as are the IDs of traces they cannot see.
import type { Expression, ExpressionBuilder, Kysely, SqlBool } from 'kysely';
import type { CrmService } from '../crm/service.js';
import type { PermissionLevel } from '../crm/permissions.js';
import { CRM_TYPES, crmTypeById } from '../crm/types.js';
import { boundForBigintColumn, fitsIntegerColumn } from '../db/integers.js';
import type { Executor } from '../db/schema.js';
import type { Caller } from '../rest/method.js';
import { PREVIOUS_MAX_DEPTH } from './parseTrace.js';
import { listTraceIds, type ItemRef, type TraceFilter, type TraceQueryNarrowing, type TraceRecord } from './traceStore.js';

/** What one caller may read. */
export interface TraceReader {
  readonly userId: number;
  /** READ level per CRM entity type ID; null when the caller reads every item (administrators, ALL everywhere). */
  readonly levels: ReadonlyMap<number, PermissionLevel> | null;
}

export async function traceReader(crm: Pick<CrmService, 'permission'>, caller: Caller): Promise<TraceReader> {
  if (caller.isAdmin) return { userId: caller.userId, levels: null };
  const levels = new Map<number, PermissionLevel>();
  for (const type of CRM_TYPES) levels.set(type.id, await crm.permission(caller, type, 'READ'));
  const readsEverything = [...levels.values()].every((level) => level === 'ALL');
  return { userId: caller.userId, levels: readsEverything ? null : levels };
}

// The queries below name tables by alias at several nesting depths, which Kysely's types cannot follow.
type AnyBuilder = ExpressionBuilder<any, any>;

function untyped(db: Executor): Kysely<any> {
  return db as unknown as Kysely<any>;
}

function typesAt(levels: ReadonlyMap<number, PermissionLevel>, wanted: PermissionLevel): number[] {
  return [...levels].filter(([, level]) => level === wanted).map(([typeId]) => typeId);
}

/** The trace at `traceRef` is bound to nothing, or to an item the reader may read. */
function readableOrUnbound(eb: AnyBuilder, reader: TraceReader, levels: ReadonlyMap<number, PermissionLevel>, traceRef: string, alias: string): Expression<SqlBool> {
  const bindings = () => eb.selectFrom(`tracking_trace_items as ${alias}`).select(`${alias}.id`).whereRef(`${alias}.trace_id`, '=', traceRef);
  const conditions: Expression<SqlBool>[] = [eb.not(eb.exists(bindings()))];
  const everyItem = typesAt(levels, 'ALL');
  if (everyItem.length > 0) conditions.push(eb.exists(bindings().where(`${alias}.entity_type_id`, 'in', everyItem)));
  for (const typeId of typesAt(levels, 'OWN')) {
    const type = crmTypeById(typeId)!;
    const owned = eb.selectFrom(`${type.table} as ${alias}_own`).select(`${alias}_own.id`).where(`${alias}_own.assigned_by_id`, '=', reader.userId);
    conditions.push(eb.exists(bindings().where(`${alias}.entity_type_id`, '=', typeId).where(`${alias}.entity_id`, 'in', owned)));
  }
  return eb.or(conditions);
}

/**
 * The visibility rule as SQL for the trace at `traceRef`. Previous traces are at most
 * PREVIOUS_MAX_DEPTH levels below their root (the parser refuses deeper TRACEs, and tree rows
 * are written only with a parsed trace), so looking that many parents up reaches every root.
 */
function visible(eb: AnyBuilder, reader: TraceReader, levels: ReadonlyMap<number, PermissionLevel>, traceRef: string, depth = 0): Expression<SqlBool> {
  const own = readableOrUnbound(eb, reader, levels, traceRef, `visible_item_${depth}`);
  if (depth === PREVIOUS_MAX_DEPTH) return own;
  const edge = `visible_tree_${depth}`;
  const parentVisible = eb.exists(
    eb
      .selectFrom(`tracking_trace_tree as ${edge}`)
      .select(`${edge}.id`)
      .whereRef(`${edge}.child_id`, '=', traceRef)
      .where((inner: AnyBuilder) => visible(inner, reader, levels, `${edge}.parent_id`, depth + 1)),
  );
  return eb.or([own, parentVisible]);
}

/** The IDs among `ids` the reader may see. */
export async function visibleTraceIds(db: Executor, reader: TraceReader, ids: readonly number[]): Promise<Set<number>> {
  const candidates = [...new Set(ids)].filter(fitsIntegerColumn);
  if (candidates.length === 0) return new Set();
  const levels = reader.levels;
  let query = untyped(db).selectFrom('tracking_traces as t').select('t.id').where('t.id', 'in', candidates);
  if (levels) query = query.where((eb: AnyBuilder) => visible(eb, reader, levels, 't.id'));
  return new Set((await query.execute()).map((row) => Number(row.id)));
}

/** One page of the trace IDs the reader may see, with their total (listTraceIds, narrowed in the same statement). */
export function listVisibleTraceIds(
  db: Executor,
  reader: TraceReader,
  filter: TraceFilter,
  page: { offset: number; limit: number; countTotal: boolean },
): Promise<{ ids: number[]; total: number | undefined }> {
  const levels = reader.levels;
  if (!levels) return listTraceIds(db, filter, page);
  const narrowing: TraceQueryNarrowing = (query) => query.where((eb) => visible(eb, reader, levels, 't.id'));
  return listTraceIds(db, filter, page, narrowing);
}

const itemKey = (item: ItemRef) => `${item.entityTypeId}:${item.entityId}`;

/** Keys (`type:id`) of the items among `items` the reader may read. */
async function readableItemKeys(db: Executor, reader: TraceReader, items: readonly ItemRef[]): Promise<Set<string>> {
  const levels = reader.levels;
  if (!levels) return new Set(items.map(itemKey));
  const readable = new Set(items.filter((item) => levels.get(item.entityTypeId) === 'ALL').map(itemKey));
  for (const typeId of typesAt(levels, 'OWN')) {
    const ids = [...new Set(items.filter((item) => item.entityTypeId === typeId).map((item) => item.entityId))].filter(fitsIntegerColumn);
    if (ids.length === 0) continue;
    const rows = await untyped(db)
      .selectFrom(crmTypeById(typeId)!.table)
      .select('id')
      .where('id', 'in', ids)
      .where('assigned_by_id', '=', reader.userId)
      .execute();
    for (const row of rows) readable.add(itemKey({ entityTypeId: typeId, entityId: Number(row.id) }));
  }
  return readable;
}

/** Traces as the reader may see them: without the items they may not read or the parents they cannot see. */
export async function asSeenBy(db: Executor, reader: TraceReader, traces: readonly TraceRecord[]): Promise<TraceRecord[]> {
  if (!reader.levels) return [...traces];
  const readable = await readableItemKeys(db, reader, traces.flatMap((trace) => trace.items));
  const parents = await visibleTraceIds(db, reader, traces.flatMap((trace) => trace.parentIds));
  return traces.map((trace) => ({
    ...trace,
    items: trace.items.filter((item) => readable.has(itemKey(item))),
    parentIds: trace.parentIds.filter((id) => parents.has(id)),
  }));
}
