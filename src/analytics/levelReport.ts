// The ad level report (sales-intelligence.md §4.3, Ad\ReportBuilder::getRows): one row per
// campaign, ad group or keyword of a source, with spend from the keyword-level expense rows and
// results through the traces' level rows.
import { phpRound } from './rounding.js';
import { LEVEL_ORDER, type Level } from './levelSplitter.js';

export interface LevelReportRequest {
  readonly sourceId: number;
  readonly level: Level;
  /** Only the children of this row (a campaign's ad groups, an ad group's keywords). */
  readonly parentId?: number;
  readonly from: string;
  readonly to: string;
}

export interface LevelRow {
  readonly id: number;
  readonly code: string;
  readonly title: string;
  readonly enabled: boolean;
  readonly level: number;
  readonly nextLevel: number | null;
  readonly prevLevel: number | null;
  readonly impressions: number;
  readonly actions: number;
  readonly outcome: number;
  readonly ctr: number | null;
  readonly cpc: number | null;
  readonly leads: number;
  readonly deals: number;
  readonly successDeals: number;
  readonly income: number;
  readonly cost: number | null;
  readonly roi: number;
  readonly roiScale: -1 | 0 | 1 | 2;
}

export interface LevelReport {
  readonly sourceId: number;
  readonly level: number;
  readonly parentId: number | null;
  readonly period: { readonly from: string; readonly to: string };
  readonly currency: string;
  readonly rows: readonly LevelRow[];
}

export function roiScale(roi: number): -1 | 0 | 1 | 2 {
  if (roi >= 100) return 2;
  if (roi > 0) return 1;
  if (roi < 0) return -1;
  return 0;
}

export interface LevelTotals {
  impressions: number;
  actions: number;
  outcomeCents: number;
  leads: number;
  deals: number;
  won: number;
  incomeCents: number;
}

export function levelRow(child: { id: number; code: string; title: string; enabled: boolean; level: number }, t: LevelTotals): LevelRow {
  const at = LEVEL_ORDER.indexOf(child.level as Level);
  const outcome = t.outcomeCents / 100;
  const income = t.incomeCents / 100;
  const roi = outcome === 0 ? 0 : phpRound(((income - outcome) * 100) / outcome);
  return {
    id: child.id,
    code: child.code,
    title: child.title,
    enabled: child.enabled,
    level: child.level,
    nextLevel: LEVEL_ORDER[at + 1] ?? null,
    prevLevel: at > 0 ? LEVEL_ORDER[at - 1] : null,
    impressions: t.impressions,
    actions: t.actions,
    outcome,
    ctr: t.impressions === 0 ? null : phpRound((t.actions * 100) / t.impressions, 2),
    cpc: t.actions === 0 ? null : phpRound(outcome / t.actions, 2),
    leads: t.leads,
    deals: t.deals,
    successDeals: t.won,
    income,
    cost: t.won === 0 ? null : phpRound(outcome / t.won, 2),
    roi,
    roiScale: roiScale(roi),
  };
}
