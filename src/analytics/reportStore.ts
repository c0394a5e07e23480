// The source report's aggregate SQL (sales-intelligence.md §4.1). One statement reads the leads
// and deals created in a period, each with the source of its newest binding (the card's source,
// §7 question 2), grouped by source or responsible and currency; one reads the expenses of the
// period; one counts the traces of the sources whose clicks are counted as traces.
import { sql } from 'kysely';
import type { Executor } from '../db/schema.js';
import type { CurrencySettings } from './currency.js';
import type { DayStretch } from './days.js';

export interface ItemAggregate {
  readonly key: number;
  readonly currency: string;
  readonly leads: number;
  readonly leadCents: number;
  readonly deals: number;
  readonly dealCents: number;
  readonly won: number;
  readonly wonCents: number;
  /** Items whose currency has no rate: their amounts are not in the sums. */
  readonly unconverted: boolean;
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
  // The newest binding first, from the item index alone, then its one trace.
  return sql`coalesce((select t.source_id from tracking_trace_items b join tracking_traces t on t.id = b.trace_id
      where b.id = (select max(ti.id) from tracking_trace_items ti where ti.entity_type_id = ${entityTypeId} and ti.entity_id = ${sql.ref(itemColumn)})), 0)`;
}

/**
 * One item's OPPORTUNITY in cents of the account currency, converted item by item as Bitrix
 * keeps OPPORTUNITY_ACCOUNT per item; NULL for a currency without a rate.
 */
export function accountCents(alias: string, settings: CurrencySettings) {
  const cents = sql`round(coalesce(${sql.ref(`${alias}.opportunity`)}, 0) * 100)`;
  const currency = sql`upper(coalesce(${sql.ref(`${alias}.currency_id`)}, ''))`;
  const rated = Object.entries(settings.rates).filter(([code]) => code !== settings.account);
  const branches = rated.map(([code, rate]) => sql`when ${currency} = ${code} then round(${cents} * ${sql.lit(rate)})`);
  return sql`case when ${currency} in ('', ${settings.account}) then ${cents} ${sql.join(branches, sql` `)} else null end`;
}

/**
 * Leads and deals created in [start, end) (unix seconds), grouped by the newest binding's source
 * (or the responsible user) and currency. Amounts are summed in whole cents per row, so the sums are exact.
 */
export async function itemAggregates(
  db: Executor,
  start: number,
  end: number,
  groupBy: 'source' | 'responsible',
  settings: CurrencySettings,
): Promise<ItemAggregate[]> {
  const leadKey = groupBy === 'source' ? newestSource(LEAD, 'l.id') : sql`coalesce(l.assigned_by_id, 0)`;
  const dealKey = groupBy === 'source' ? newestSource(DEAL, 'd.id') : sql`coalesce(d.assigned_by_id, 0)`;
  const leadCents = accountCents('l', settings);
  const dealCents = accountCents('d', settings);
  const result = await sql<{ k: number; cur: string | null; kind: string; n: number; cents: number | null; won: number; won_cents: number | null }>`
    select k, cur, kind, count(*) as n, sum(cents) as cents,
           coalesce(sum(won), 0) as won, sum(won * cents) as won_cents
    from (
      select ${leadKey} as k, l.currency_id as cur, 'L' as kind, ${leadCents} as cents, 0 as won
      from crm_lead l where l.date_create >= ${start} and l.date_create < ${end}
      union all
      select ${dealKey} as k, d.currency_id as cur, 'D' as kind, ${dealCents} as cents,
             case when d.stage_semantic_id = 'S' then 1 else 0 end as won
      from crm_deal d where d.date_create >= ${start} and d.date_create < ${end}
    ) items
    group by k, cur, kind`.execute(db);
  const byKey = new Map<string, { -readonly [K in keyof ItemAggregate]: ItemAggregate[K] }>();
  for (const row of result.rows) {
    const currency = row.cur ?? '';
    const id = `${row.k}\u0000${currency}`;
    let entry = byKey.get(id);
    if (!entry) {
      entry = { key: Number(row.k), currency, leads: 0, leadCents: 0, deals: 0, dealCents: 0, won: 0, wonCents: 0, unconverted: false };
      byKey.set(id, entry);
    }
    if (row.cents === null) entry.unconverted = true;
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

export interface DailyItemAggregate {
  /** The day's index in the period (0 for `from`). */
  readonly day: number;
  readonly key: number;
  readonly leads: number;
  readonly deals: number;
  readonly won: number;
  readonly wonCents: number;
  /** Some won deal's currency has no rate: its amount is not in wonCents. */
  readonly unconverted: boolean;
  readonly currencies: readonly string[];
}

/** The local day index of a unix-time column, by the period's stretches (days.ts). */
function dayIndex(column: string, stretches: readonly DayStretch[]) {
  const t = sql.ref(column);
  const branches = stretches.map((s) =>
    s.uniform
      ? sql`when ${t} < ${sql.lit(s.end)} then ${sql.lit(s.index)} + (${t} - ${sql.lit(s.start)}) / 86400`
      : sql`when ${t} < ${sql.lit(s.end)} then ${sql.lit(s.index)}`,
  );
  return sql`case ${sql.join(branches, sql` `)} end`;
}

/**
 * Leads, deals, won deals and won amounts (account currency, cents) created in the period
 * `stretches` cover, per local day and newest binding's source: the per-day split of
 * itemAggregates' figures, with the same source and the same conversion.
 */
export async function dailyItemAggregates(db: Executor, stretches: readonly DayStretch[], settings: CurrencySettings): Promise<DailyItemAggregate[]> {
  const start = stretches[0].start;
  const end = stretches[stretches.length - 1].end;
  const result = await sql<{ day: number; k: number; cur: string | null; leads: number; deals: number; won: number; won_cents: number | null; won_unrated: number }>`
    select day, k, cur, sum(lead) as leads, sum(1 - lead) as deals, sum(won) as won,
           sum(won * cents) as won_cents, sum(case when won = 1 and cents is null then 1 else 0 end) as won_unrated
    from (
      select ${dayIndex('l.date_create', stretches)} as day, ${newestSource(LEAD, 'l.id')} as k, l.currency_id as cur,
             1 as lead, 0 as won, 0 as cents
      from crm_lead l where l.date_create >= ${start} and l.date_create < ${end}
      union all
      select ${dayIndex('d.date_create', stretches)} as day, ${newestSource(DEAL, 'd.id')} as k, d.currency_id as cur,
             0 as lead, case when d.stage_semantic_id = 'S' then 1 else 0 end as won, ${accountCents('d', settings)} as cents
      from crm_deal d where d.date_create >= ${start} and d.date_create < ${end}
    ) items
    group by day, k, cur`.execute(db);
  const byKey = new Map<string, { day: number; key: number; leads: number; deals: number; won: number; wonCents: number; unconverted: boolean; currencies: string[] }>();
  for (const row of result.rows) {
    const id = `${row.day}\u0000${row.k}`;
    let entry = byKey.get(id);
    if (!entry) {
      entry = { day: Number(row.day), key: Number(row.k), leads: 0, deals: 0, won: 0, wonCents: 0, unconverted: false, currencies: [] };
      byKey.set(id, entry);
    }
    entry.leads += Number(row.leads);
    entry.deals += Number(row.deals);
    entry.won += Number(row.won);
    entry.wonCents += Number(row.won_cents ?? 0);
    if (Number(row.won_unrated) > 0) {
      entry.unconverted = true;
      entry.currencies.push(row.cur ?? '');
    }
  }
  return [...byKey.values()];
}
