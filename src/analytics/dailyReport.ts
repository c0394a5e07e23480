// The source report's figures per day (salestrace.report.daily): for each source row of the
// source report, its leads, deals, won deals and won amount (the deals-success sum, in the
// account currency) on each day of the period, for the dashboard's chart. Summed over the days,
// each series equals the source report's figure for the same row and period.
import type { DailyItemAggregate } from './reportStore.js';

export interface DailyReportRequest {
  /** YYYY-MM-DD, both days counted. */
  readonly from: string;
  readonly to: string;
  /** Source IDs to keep (0 for organic); undefined for all. */
  readonly sourceIds?: readonly number[];
}

export interface DailyRow {
  readonly ID: number;
  readonly NAME: string;
  readonly CODE: string | null;
  /** One number per day of `DAYS`. */
  readonly LEADS: number[];
  readonly DEALS: number[];
  readonly DEALS_SUCCESS: number[];
  /** The won deals' amounts, in the account currency. */
  readonly REVENUE: number[];
}

export interface DailyReport {
  readonly period: { readonly from: string; readonly to: string };
  readonly currency: string;
  readonly DAYS: readonly string[];
  readonly rows: readonly DailyRow[];
  /** Currencies of won deals without a rate: their amounts are left out of REVENUE. */
  readonly unconvertedCurrencies: readonly string[];
}

/** Lays the aggregates out as one series per row; keys without a row (archived sources) are dropped. */
export function dailyRows(identities: readonly { ID: number; NAME: string; CODE: string | null }[], days: number, aggregates: readonly DailyItemAggregate[]): DailyRow[] {
  const zeros = () => new Array<number>(days).fill(0);
  const rows = identities.map((identity) => ({ ...identity, LEADS: zeros(), DEALS: zeros(), DEALS_SUCCESS: zeros(), REVENUE: zeros() }));
  const wonCents = new Map(rows.map((row) => [row.ID, zeros()]));
  const byId = new Map(rows.map((row) => [row.ID, row]));
  for (const aggregate of aggregates) {
    const row = byId.get(aggregate.key);
    if (!row) continue;
    row.LEADS[aggregate.day] += aggregate.leads;
    row.DEALS[aggregate.day] += aggregate.deals;
    row.DEALS_SUCCESS[aggregate.day] += aggregate.won;
    wonCents.get(row.ID)![aggregate.day] += aggregate.wonCents;
  }
  // Whole cents are summed, then turned into the currency's units once, as the source report does.
  for (const row of rows) wonCents.get(row.ID)!.forEach((cents, day) => (row.REVENUE[day] = cents / 100));
  return rows;
}
