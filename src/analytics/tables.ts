// Row types of the analytics tables (migration 0400), shaped after Bitrix's
// b_crm_tracking_expenses_pack, b_crm_tracking_source_expenses, b_crm_tracking_source_child and
// b_crm_tracking_trace_source (sales-intelligence.md §1.5, §1.8, §1.9).
import type { Generated } from 'kysely';

/** One entered or imported batch of expenses. */
export interface AnalyticsExpensePacksTable {
  id: Generated<number>;
  source_id: number;
  /** 0 entered by hand, 1 an ad import with keyword rows. */
  type_id: number;
  /** YYYY-MM-DD, server zone. */
  date_from: string;
  date_to: string;
  actions: Generated<number>;
  impressions: Generated<number>;
  /** The pack's sum in cents of its currency. */
  expenses_cents: number;
  currency_id: string;
  comment: Generated<string>;
  /** Unix seconds. */
  created_at: number;
}

/** One day of a pack (and, for imports, of one keyword). */
export interface AnalyticsExpensesTable {
  id: Generated<number>;
  pack_id: number;
  source_id: number;
  type_id: number;
  date_stat: string;
  actions: Generated<number>;
  impressions: Generated<number>;
  expenses_cents: number;
  currency_id: string;
  /** The keyword-level child of an ad import, else 0. */
  source_child_id: Generated<number>;
}

/** The ad structure of a source: campaign (level 0) → ad group (1) → keyword/ad (100). */
export interface AnalyticsSourceChildrenTable {
  id: Generated<number>;
  source_id: number;
  parent_id: Generated<number>;
  level: number;
  code: string;
  title: Generated<string>;
  is_enabled: Generated<number>;
}

/** One ad level of one trace of a google, fb or instagram source. */
export interface AnalyticsTraceLevelsTable {
  id: Generated<number>;
  trace_id: number;
  source_id: number;
  level: number;
  code: string;
  source_child_id: Generated<number>;
  processed: Generated<number>;
}

export interface AnalyticsTables {
  analytics_expense_packs: AnalyticsExpensePacksTable;
  analytics_expenses: AnalyticsExpensesTable;
  analytics_source_children: AnalyticsSourceChildrenTable;
  analytics_trace_levels: AnalyticsTraceLevelsTable;
}
