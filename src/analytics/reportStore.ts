// The source report's aggregate SQL (sales-intelligence.md §4.1). One statement reads the leads
// and deals created in a period, each with the source of its newest binding (the card's source,
// §7 question 2), grouped by source or responsible and currency; one reads the expenses of the
// period; one counts the traces of the sources whose clicks are counted as traces.
import { sql } from 'kysely';
import type { Executor } from '../db/schema.js';

export interface ItemAggregate {
  readonly key: number;
  readonly currency: string;
  readonly leads: number;
  readonly leadCents: number;
  readonly deals: number;
  readonly dealCents: number;
  readonly won: number;
  readonly wonCents: number;
}

export interface ExpenseAggregate {
  readonly sourceId: number;
  readonly currency: string;
  readonly cents: number;
  readonly actions: number;
  readonly impressions: number;
  /** Cents of hand-entered packs (TYPE_ID 0): they decide whether traces count as actions. */
  readonly manualCents: number;
}

const LEAD = 1;
const DEAL = 2;

/** The source of the item's newest binding, 0 for none or a trace without a source. */
function newestSource(entityTypeId: number, itemColumn: string) {
  return sql`coalesce((select t.source_id from tracking_trace_items ti join tracking_traces t on t.id = ti.trace_id
      where ti.entity_type_id = ${entityTypeId} and ti.entity_id = ${sql.ref(itemColumn)} order by ti.id desc limit 1), 0)`;
}

/**
 * Leads and deals created in [start, end) (unix seconds), grouped by the newest binding's source
 * (or the responsible user) and currency. Amounts are summed in whole cents per row, so the sums are exact.
 */
export async function itemAggregates(db: Executor, start: number, end: number, groupBy: 'source' | 'responsible'): Promise<ItemAggregate[]> {
  const leadKey = groupBy === 'source' ? newestSource(LEAD, 'l.id') : sql`coalesce(l.assigned_by_id, 0)`;
  const dealKey = groupBy === 'source' ? newestSource(DEAL, 'd.id') : sql`coalesce(d.assigned_by_id, 0)`;
  const result = await sql<{ k: number; cur: string | null; kind: string; n: number; cents: number; won: number; won_cents: number }>`
    select k, cur, kind, count(*) as n, coalesce(sum(cents), 0) as cents,
           coalesce(sum(won), 0) as won, coalesce(sum(won * cents), 0) as won_cents
    from (
      select ${leadKey} as k, l.currency_id as cur, 'L' as kind, round(coalesce(l.opportunity, 0) * 100) as cents, 0 as won
      from crm_lead l where l.date_create >= ${start} and l.date_create < ${end}
      union all
      select ${dealKey} as k, d.currency_id as cur, 'D' as kind, round(coalesce(d.opportunity, 0) * 100) as cents,
             case when d.stage_semantic_id = 'S' then 1 else 0 end as won
      from crm_deal d where d.date_create >= ${start} and d.date_create < ${end}
    ) items
    group by k, cur, kind`.execute(db);
  const byKey = new Map<string, { key: number; currency: string; leads: number; leadCents: number; deals: number; dealCents: number; won: number; wonCents: number }>();
  for (const row of result.rows) {
    const currency = row.cur ?? '';
    const id = `${row.k}\u0000${currency}`;
    let entry = byKey.get(id);
    if (!entry) {
      entry = { key: Number(row.k), currency, leads: 0, leadCents: 0, deals: 0, dealCents: 0, won: 0, wonCents: 0 };
      byKey.set(id, entry);
    }
    if (row.kind === 'L') {
      entry.leads += Number(row.n);
      entry.leadCents += Number(row.cents);
    } else {
      entry.deals += Number(row.n);
      entry.dealCents += Number(row.cents);
      entry.won += Number(row.won);
      entry.wonCents += Number(row.won_cents);
    }
  }
  return [...byKey.values()];
}

/** Expense rows of the days [from, to], by source and currency. */
export async function expenseAggregates(db: Executor, from: string, to: string): Promise<ExpenseAggregate[]> {
  const rows = await db
    .selectFrom('analytics_expenses')
    .select((eb) => [
      'source_id',
      'currency_id',
      eb.fn.sum<number>('expenses_cents').as('cents'),
      eb.fn.sum<number>('actions').as('actions'),
      eb.fn.sum<number>('impressions').as('impressions'),
      eb.fn.sum<number>(eb.case().when('type_id', '=', 0).then(eb.ref('expenses_cents')).else(0).end()).as('manual'),
    ])
    .where('date_stat', '>=', from)
    .where('date_stat', '<=', to)
    .groupBy(['source_id', 'currency_id'])
    .execute();
  return rows.map((r) => ({
    sourceId: Number(r.source_id),
    currency: r.currency_id,
    cents: Number(r.cents),
    actions: Number(r.actions),
    impressions: Number(r.impressions),
    manualCents: Number(r.manual),
  }));
}

/** Traces created in [start, end) per source, for the given sources only. */
export async function traceCounts(db: Executor, sourceIds: readonly number[], start: number, end: number): Promise<Map<number, number>> {
  const counts = new Map<number, number>();
  if (sourceIds.length === 0) return counts;
  const rows = await db
    .selectFrom('tracking_traces')
    .select((eb) => ['source_id', eb.fn.countAll<number>().as('n')])
    .where('source_id', 'in', [...sourceIds])
    .where('created_at', '>=', start)
    .where('created_at', '<', end)
    .groupBy('source_id')
    .execute();
  for (const row of rows) counts.set(Number(row.source_id), Number(row.n));
  return counts;
}
