// What the analytics module offers the REST methods and the CLI: expenses in, reports out
// (sales-intelligence.md §4). Implemented by AnalyticsService (service.ts).
import type { CurrencySettings } from './currency.js';
import type { DailyReport, DailyReportRequest } from './dailyReport.js';
import type { LevelReport, LevelReportRequest } from './levelReport.js';
import type { SourcesReport, SourcesReportRequest } from './sourceReport.js';

export interface ExpenseInput {
  readonly sourceId: number;
  /** YYYY-MM-DD, server zone. */
  readonly from: string;
  readonly to: string;
  readonly cents: number;
  readonly currency: string;
  readonly actions: number;
  readonly comment: string;
}

/** One keyword-level row of an advertising export (TYPE_ID 1). */
export interface ExpenseImportRow {
  readonly day: string;
  readonly campaign: string;
  readonly campaignTitle: string;
  readonly adGroup: string;
  readonly adGroupTitle: string;
  readonly keyword: string;
  readonly keywordTitle: string;
  readonly impressions: number;
  readonly clicks: number;
  readonly cents: number;
}

export interface ExpenseImport {
  readonly sourceId: number;
  readonly currency: string;
  readonly comment: string;
  readonly rows: readonly ExpenseImportRow[];
}

export interface ExpensePack {
  readonly id: number;
  readonly sourceId: number;
  readonly typeId: number;
  readonly from: string;
  readonly to: string;
  readonly actions: number;
  readonly impressions: number;
  readonly cents: number;
  readonly currency: string;
  readonly comment: string;
  readonly createdAt: number;
}

export interface ExpenseFilter {
  readonly sourceId?: number;
  /** Packs whose days reach into [from, to]. */
  readonly from?: string;
  readonly to?: string;
}

export interface AnalyticsPort {
  currency(): Promise<CurrencySettings>;
  /** The pack's ID, or null for the reference's no-op cases (a zero sum, `from` after `to`, over 365 days). */
  addExpenses(input: ExpenseInput): Promise<number | null>;
  importExpenses(input: ExpenseImport): Promise<number>;
  listExpenses(filter: ExpenseFilter, offset: number, limit: number, countTotal: boolean): Promise<{ packs: ExpensePack[]; total: number | undefined }>;
  deleteExpensePack(id: number): Promise<void>;
  sourcesReport(request: SourcesReportRequest): Promise<SourcesReport>;
  levelsReport(request: LevelReportRequest): Promise<LevelReport>;
  /** The source report's leads, deals, won deals and revenue per day and source row. */
  dailyReport(request: DailyReportRequest): Promise<DailyReport>;
}
