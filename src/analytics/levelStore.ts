// The SQL of the traces' ad levels (analytics_trace_levels) and the level report's aggregates.
import { sql } from 'kysely';
import type { Executor } from '../db/schema.js';
import type { CurrencySettings } from './currency.js';
import type { TraceLevel } from './levelSplitter.js';
import { accountCents } from './reportStore.js';

/** One trace's level rows, each linked to its source child when one with the code exists (PROCESSED 1). */
export async function insertTraceLevels(db: Executor, traceId: number, sourceId: number, levels: readonly TraceLevel[]): Promise<void> {
  for (const { level, code } of levels) {
    const child = await db
      .selectFrom('analytics_source_children')
      .select('id')
      .where('source_id', '=', sourceId)
      .where('level', '=', level)
      .where('code', '=', code)
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    await db
      .insertInto('analytics_trace_levels')
      .values({ trace_id: traceId, source_id: sourceId, level, code, source_child_id: child ? Number(child.id) : 0, processed: child ? 1 : 0 })
      .onConflict((conflict) => conflict.columns(['trace_id', 'level']).doNothing())
      .execute();
  }
}

export interface ChildRecord {
  readonly id: number;
  readonly parentId: number;
  readonly level: number;
  readonly code: string;
  readonly title: string;
  readonly enabled: boolean;
}

export async function sourceChildren(db: Executor, sourceId: number): Promise<ChildRecord[]> {
  const rows = await db.selectFrom('analytics_source_children').selectAll().where('source_id', '=', sourceId).orderBy('id').execute();
  return rows.map((r) => ({ id: Number(r.id), parentId: Number(r.parent_id), level: Number(r.level), code: r.code, title: r.title, enabled: Number(r.is_enabled) === 1 }));
}

/** Keyword-level expense rows of a source in the days [from, to], by child. */
export async function childExpenses(db: Executor, sourceId: number, from: string, to: string): Promise<{ childId: number; currency: string; cents: number; clicks: number; impressions: number }[]> {
  const rows = await db
    .selectFrom('analytics_expenses')
    .select((eb) => ['source_child_id', 'currency_id', eb.fn.sum<number>('expenses_cents').as('cents'), eb.fn.sum<number>('actions').as('clicks'), eb.fn.sum<number>('impressions').as('impressions')])
    .where('source_id', '=', sourceId)
    .where('source_child_id', '>', 0)
    .where('date_stat', '>=', from)
    .where('date_stat', '<=', to)
    .groupBy(['source_child_id', 'currency_id'])
    .execute();
  return rows.map((r) => ({ childId: Number(r.source_child_id), currency: r.currency_id, cents: Number(r.cents), clicks: Number(r.clicks), impressions: Number(r.impressions) }));
}

/**
 * Leads and deals created in [start, end) whose newest binding's trace names a child of
 * `level`, by that child: counts, won deals and their income in account-currency cents.
 */
export async function childResults(
  db: Executor,
  sourceId: number,
  level: number,
  start: number,
  end: number,
  settings: CurrencySettings,
): Promise<{ childId: number; leads: number; deals: number; won: number; wonCents: number }[]> {
  const newestTrace = (entityTypeId: number, column: string) =>
    sql`(select b.trace_id from tracking_trace_items b where b.id = (select max(ti.id) from tracking_trace_items ti where ti.entity_type_id = ${entityTypeId} and ti.entity_id = ${sql.ref(column)}))`;
  const result = await sql<{ child: number; kind: string; n: number; won: number; won_cents: number | null }>`
    select tl.source_child_id as child, items.kind as kind, count(*) as n, coalesce(sum(items.won), 0) as won, sum(items.won * items.cents) as won_cents
    from (
      select ${newestTrace(1, 'l.id')} as trace_id, 'L' as kind, 0 as won, 0 as cents
      from crm_lead l where l.date_create >= ${start} and l.date_create < ${end}
      union all
      select ${newestTrace(2, 'd.id')} as trace_id, 'D' as kind, case when d.stage_semantic_id = 'S' then 1 else 0 end as won, ${accountCents('d', settings)} as cents
      from crm_deal d where d.date_create >= ${start} and d.date_create < ${end}
    ) items
    join analytics_trace_levels tl on tl.trace_id = items.trace_id
    where tl.source_id = ${sourceId} and tl.level = ${level} and tl.source_child_id > 0
    group by tl.source_child_id, items.kind`.execute(db);
  const byChild = new Map<number, { childId: number; leads: number; deals: number; won: number; wonCents: number }>();
  for (const row of result.rows) {
    const childId = Number(row.child);
    const entry = byChild.get(childId) ?? { childId, leads: 0, deals: 0, won: 0, wonCents: 0 };
    if (row.kind === 'L') entry.leads += Number(row.n);
    else {
      entry.deals += Number(row.n);
      entry.won += Number(row.won);
      entry.wonCents += Number(row.won_cents);
    }
    byChild.set(childId, entry);
  }
  return [...byChild.values()];
}
