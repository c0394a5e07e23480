// The source report's figures (sales-intelligence.md §4.1): the stages actions, leads, deals and
// deals-success per row with quantity, sum, cost and price; COSTS, VIEWS, CONVERSION and ROI with
// the reference's rounding, grading and null cases; the changes against the previous period.
// Pure arithmetic on the aggregates reportStore.ts reads.
import { phpRound } from './rounding.js';

export const STAGES = ['actions', 'leads', 'deals', 'deals-success'] as const;
export type StageCode = (typeof STAGES)[number];

export type ReportGrouping = 'source' | 'responsible';

export interface SourcesReportRequest {
  /** YYYY-MM-DD, both days counted; the previous period is as long and ends the day before `from`. */
  readonly from: string;
  readonly to: string;
  /** Source IDs to keep (0 for organic); undefined for all. */
  readonly sourceIds?: readonly number[];
  readonly groupBy: ReportGrouping;
}

/** What one row counted in one period, amounts already in the account currency (cents). */
export interface StageTotals {
  quantity: number;
  cents: number;
}

export interface RowTotals {
  readonly actions: StageTotals;
  readonly leads: StageTotals;
  readonly deals: StageTotals;
  readonly 'deals-success': StageTotals;
  impressions: number;
}

export function emptyTotals(): RowTotals {
  return { actions: { quantity: 0, cents: 0 }, leads: { quantity: 0, cents: 0 }, deals: { quantity: 0, cents: 0 }, 'deals-success': { quantity: 0, cents: 0 }, impressions: 0 };
}

export function addTotals(into: RowTotals, other: RowTotals): void {
  for (const stage of STAGES) {
    into[stage].quantity += other[stage].quantity;
    into[stage].cents += other[stage].cents;
  }
  into.impressions += other.impressions;
}

export interface StageFigures {
  readonly quantity: number;
  readonly sum: number;
  /** Cost per unit of the stage: the first stage's sum over this quantity (1 decimal, whole from 10). */
  readonly cost: number | null;
  /** This stage's sum over its quantity (2 decimals). */
  readonly price: number | null;
  /** Per cent against the previous period (2 decimals); null when the previous figure is 0. */
  readonly quantityChanging: number | null;
  readonly costChanging: number | null;
}

export type RoiGrade = 'bad' | 'none' | 'normal' | 'good';

export const ROI_COLORS: Record<RoiGrade, string> = { bad: '#E22E29', none: '#A8ADB4', normal: '#1DB0DE', good: '#6F9300' };

export interface ReportRow {
  readonly ID: number;
  readonly NAME: string;
  readonly CODE: string | null;
  readonly STAGES: Record<string, StageFigures>;
  readonly COSTS: number;
  readonly VIEWS: number;
  readonly CONVERSION: number | null;
  readonly ROI: number | null;
  readonly ROI_GRADE: RoiGrade | null;
  readonly ROI_COLOR: string | null;
}

export interface SourcesReport {
  readonly period: { readonly from: string; readonly to: string };
  readonly previousPeriod: { readonly from: string; readonly to: string };
  readonly currency: string;
  readonly groupBy: ReportGrouping;
  readonly stages: readonly StageCode[];
  readonly rows: readonly ReportRow[];
  /** The advertising sources' summary (every row but organic); absent in the responsible variant. */
  readonly advertising: ReportRow | null;
  readonly total: ReportRow;
  /** Currencies met without a rate: their amounts are left out of the sums. */
  readonly unconvertedCurrencies: readonly string[];
}

/** Cost per unit: one decimal, whole numbers from 10 up (§4.1). */
export function costRounding(value: number): number {
  return value >= 10 ? phpRound(value) : phpRound(value, 1);
}

function change(current: number | null, previous: number | null): number | null {
  if (current === null || previous === null || previous === 0) return null;
  return phpRound(((current - previous) / previous) * 100, 2);
}

export function roiGrade(roi: number): RoiGrade {
  if (roi >= 100) return 'good';
  if (roi > 0) return 'normal';
  if (roi < 0) return 'bad';
  return 'none';
}

/**
 * The figures of one row: `stages` is the list shown (actions only when expenses exist), the
 * first of them gives the sum every stage's cost divides. `withRoi` false for organic traffic.
 */
export function rowFigures(
  identity: { ID: number; NAME: string; CODE: string | null },
  current: RowTotals,
  previous: RowTotals,
  stages: readonly StageCode[],
  withRoi: boolean,
): ReportRow {
  const first = stages[0];
  const last = stages[stages.length - 1];
  const rawCost = (totals: RowTotals, stage: StageCode) => (totals[stage].quantity === 0 ? null : totals[first].cents / 100 / totals[stage].quantity);
  const figures: Record<string, StageFigures> = {};
  for (const stage of stages) {
    const { quantity, cents } = current[stage];
    const cost = rawCost(current, stage);
    figures[stage] = {
      quantity,
      sum: cents / 100,
      cost: cost === null ? null : costRounding(cost),
      price: quantity === 0 ? null : phpRound(cents / 100 / quantity, 2),
      quantityChanging: change(quantity, previous[stage].quantity),
      costChanging: change(cost, rawCost(previous, stage)),
    };
  }
  const spend = current.actions.cents / 100;
  const income = current['deals-success'].cents / 100;
  const firstQuantity = current[first].quantity;
  const roi = !withRoi ? null : spend === 0 ? 0 : phpRound(((income - spend) / spend) * 100, 2);
  const grade = roi === null ? null : roiGrade(roi);
  return {
    ...identity,
    STAGES: figures,
    COSTS: spend,
    VIEWS: current.impressions,
    CONVERSION: firstQuantity === 0 ? null : phpRound((current[last].quantity / firstQuantity) * 100, 2),
    ROI: roi,
    ROI_GRADE: grade,
    ROI_COLOR: grade === null ? null : ROI_COLORS[grade],
  };
}
