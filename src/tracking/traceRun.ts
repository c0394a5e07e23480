// Several checked trace.add rows of one `batch` written together (issue 17): the same rows, in
// the same order, with the same IDs as TrackingService.create writing them one after the other
// (saveTraceTree, then bindItems), but a few multi-row statements for the whole run instead of
// about ten statements per trace. Every table's IDs follow the order of its own inserts only, so
// writing each table's rows for all traces in one statement keeps every ID.
import type { CrmItemAccess, ItemUtmCopier } from '../crm/contract.js';
import type { Executor } from '../db/schema.js';
import { inLockOrder, insertBindingRows, itemKey } from './bindings.js';
import type { ParsedTrace } from './parseTrace.js';
import type { SourceMatcher } from './sourceMatcher.js';
import type { SavedTraceInfo } from './savedTraces.js';
import { insertFlatRows, insertPlannedTraces, insertTreeEdgesAndChannels, planTree, type ItemRef, type PlannedTrace } from './traceStore.js';

/** A trace.add row whose checks passed: what create() would write for it. */
export interface CheckedTrace {
  /** service.ts's PreparedTrace. */
  readonly prepared: { readonly trace: ParsedTrace; readonly matcher: SourceMatcher };
  /** The ENTITIES as checked, in the order sent (repeats included). */
  readonly items: readonly ItemRef[];
  readonly createdBy: number;
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
  saved?: SavedTraceInfo[],
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
  const ids = await insertPlannedTraces(db, plan, nowSeconds, saved);

  await insertTreeEdgesAndChannels(db, plan, ids);

  const bindings: number[] = [];
  traces.forEach((_, at) => {
    // Previous traces first and the trace itself last, as bindItems writes them.
    const treeIds = [...previousIds(plan, ids, roots[at])].reverse().concat(ids[roots[at]]);
    for (const item of existing[at]) {
      for (const id of treeIds) bindings.push(id, item.entityTypeId, item.entityId);
    }
  });
  await insertFlatRows(db, insertBindingRows, bindings, 3);

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
