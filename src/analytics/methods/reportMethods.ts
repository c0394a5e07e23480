// salestrace.report.sources: the Sales Intelligence source report (sales-intelligence.md §4.1),
// by source or, for the "traffic" variant, by responsible user. Administrators only.
import { argumentError } from '../../rest/errors.js';
import { defineMethod } from '../../rest/method.js';
import type { Clock } from '../../clock.js';
import { addDays, dayCount, localDay } from '../days.js';
import type { ReportGrouping } from '../sourceReport.js';
import type { AnalyticsPorts } from './ports.js';
import { listParam, optionalDay, param, requireAdmin, requiredSourceId, sourceIdParam } from './params.js';
import { LEVEL, type Level } from '../levelSplitter.js';

/** The longest period one report reads: the previous period doubles it. */
export const MAX_REPORT_DAYS = 366;
/** The default period: the last 30 days, today included (§4.1). */
export const DEFAULT_REPORT_DAYS = 30;

const GROUPINGS: Record<string, ReportGrouping> = { source: 'source', responsible: 'responsible', traffic: 'responsible' };

/** `from` and `to` of a report: the last 30 days by default, at most MAX_REPORT_DAYS. */
function reportPeriod(params: Record<string, unknown>, clock: Clock): { from: string; to: string } {
  const today = localDay(Math.floor(clock.now() / 1000));
  let to = optionalDay(param(params, 'to'), 'to');
  let from = optionalDay(param(params, 'from'), 'from');
  if (to === undefined) to = from !== undefined && from > today ? from : today;
  if (from === undefined) from = addDays(to, -(DEFAULT_REPORT_DAYS - 1));
  if (from > to) throw argumentError('ANALYTICS_PERIOD_ORDER', 'from');
  if (dayCount(from, to) > MAX_REPORT_DAYS) throw argumentError('ANALYTICS_PERIOD_TOO_LONG', 'to', { from, to, limit: MAX_REPORT_DAYS });
  return { from, to };
}

export const reportSourcesMethod = defineMethod<AnalyticsPorts & { readonly clock: Clock }>({
  name: 'salestrace.report.sources',
  scope: 'crm',
  async handler({ params, caller, ports: { analytics, clock } }) {
    requireAdmin(caller);
    const { from, to } = reportPeriod(params, clock);
    const sources = listParam(param(params, 'sourceId')).map((value) => sourceIdParam(value, 'sourceId', true));
    const grouping = param(params, 'groupBy');
    const groupBy = grouping === undefined || grouping === '' ? 'source' : typeof grouping === 'string' ? GROUPINGS[grouping.toLowerCase()] : undefined;
    if (groupBy === undefined) throw argumentError('ANALYTICS_PARAMETER_CHOICE', 'groupBy', { field: 'groupBy', allowed: 'source, responsible' });
    return analytics.sourcesReport({ from, to, sourceIds: sources.length === 0 ? undefined : sources, groupBy });
  },
});

const LEVEL_NAMES: Record<string, Level> = { campaign: LEVEL.campaign, '0': LEVEL.campaign, adgroup: LEVEL.adgroup, '1': LEVEL.adgroup, keyword: LEVEL.keyword, '100': LEVEL.keyword };

/** salestrace.report.levels: one source's campaigns, ad groups or keywords (§4.3), or the children of one row. */
export const reportLevelsMethod = defineMethod<AnalyticsPorts & { readonly clock: Clock }>({
  name: 'salestrace.report.levels',
  scope: 'crm',
  async handler({ params, caller, ports: { analytics, clock } }) {
    requireAdmin(caller);
    const sourceId = requiredSourceId(param(params, 'sourceId'), 'sourceId');
    const levelParam = param(params, 'level');
    const levelText = levelParam === undefined || levelParam === '' ? 'campaign' : typeof levelParam === 'string' || typeof levelParam === 'number' ? String(levelParam).toLowerCase() : '';
    const level = Object.hasOwn(LEVEL_NAMES, levelText) ? LEVEL_NAMES[levelText] : undefined;
    if (level === undefined) throw argumentError('ANALYTICS_PARAMETER_CHOICE', 'level', { field: 'level', allowed: 'campaign, adgroup, keyword' });
    const parent = param(params, 'parentId');
    const parentId = parent === undefined || parent === '' ? undefined : sourceIdParam(parent, 'parentId', false);
    const { from, to } = reportPeriod(params, clock);
    return analytics.levelsReport({ sourceId, level, parentId, from, to });
  },
});

/** salestrace.report.daily: the source report's leads, deals, won deals and revenue per day, per source row. */
export const reportDailyMethod = defineMethod<AnalyticsPorts & { readonly clock: Clock }>({
  name: 'salestrace.report.daily',
  scope: 'crm',
  async handler({ params, caller, ports: { analytics, clock } }) {
    requireAdmin(caller);
    const { from, to } = reportPeriod(params, clock);
    const sources = listParam(param(params, 'sourceId')).map((value) => sourceIdParam(value, 'sourceId', true));
    return analytics.dailyReport({ from, to, sourceIds: sources.length === 0 ? undefined : sources });
  },
});
