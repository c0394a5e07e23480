// salestrace.report.attribution and salestrace.report.journey: won deals credited to the
// sources of their journeys under six models, and one deal's journey. Both read every deal and
// every trace whatever the caller's CRM permissions, so they are for administrators, as Sales
// Intelligence reports are configured by them (COMPATIBILITY.md).
import type { Caller } from '../../../auth/caller.js';
import { argumentError, restError } from '../../../rest/errors.js';
import { defineMethod } from '../../../rest/method.js';
import { formatDateC } from '../../../rest/time.js';
import { paramCaseInsensitive } from '../../../php/values.js';
import type { AttributionPorts, CreditTotal } from '../contract.js';
import { MODELS, type AttributionModel } from '../models.js';
import type { ClockPorts } from './ports.js';
import { DAY, lookbackAndHalfLife, periodParam } from './params.js';

export function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw restError('ACCESS_DENIED');
}

const ENTITY_NAMES: Record<number, string> = { 2: 'DEAL', 3: 'CONTACT', 4: 'COMPANY' };

function byModel<T>(make: (model: AttributionModel) => T): Record<AttributionModel, T> {
  return Object.fromEntries(MODELS.map((model) => [model, make(model)])) as Record<AttributionModel, T>;
}

export const attributionReportMethod = defineMethod<AttributionPorts & ClockPorts>({
  name: 'salestrace.report.attribution',
  scope: 'crm',
  async handler({ params, caller, ports: { attribution, clock } }) {
    requireAdmin(caller);
    const period = periodParam(params, clock.now() / 1000);
    const { lookbackDays, halfLifeDays } = lookbackAndHalfLife(params);
    const report = await attribution.report({ period, lookbackSeconds: lookbackDays * DAY, halfLifeSeconds: halfLifeDays * DAY });
    return {
      from: formatDateC(period.from),
      to: formatDateC(period.to),
      currency: report.currency,
      lookbackDays,
      halfLifeDays,
      models: [...MODELS],
      deals: report.deals,
      sum: report.sum,
      unconverted: report.unconverted,
      rows: report.rows.map((row) => ({
        sourceId: row.sourceId,
        name: row.name,
        ...byModel((model): CreditTotal => row.credits[model]),
      })),
      total: report.total,
    };
  },
});

function dealId(value: unknown): number {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
  if (!/^\d+$/.test(text) || Number(text) <= 0 || !Number.isSafeInteger(Number(text))) throw argumentError('ATTRIBUTION_DEAL_ID_INVALID', 'id');
  return Number(text);
}

export const journeyMethod = defineMethod<AttributionPorts>({
  name: 'salestrace.report.journey',
  scope: 'crm',
  async handler({ params, caller, ports: { attribution } }) {
    requireAdmin(caller);
    const id = dealId(paramCaseInsensitive(params, 'id'));
    const { lookbackDays, halfLifeDays } = lookbackAndHalfLife(params);
    const journey = await attribution.journey(id, { lookbackSeconds: lookbackDays * DAY, halfLifeSeconds: halfLifeDays * DAY });
    if (journey === undefined) throw restError('ATTRIBUTION_DEAL_NOT_FOUND', { id });
    return {
      deal: { ...journey.deal, wonAt: journey.deal.wonAt === null ? null : formatDateC(journey.deal.wonAt) },
      currency: journey.currency,
      lookbackDays,
      halfLifeDays,
      touches: journey.touches.map((touch) => ({
        traceId: touch.traceId,
        date: formatDateC(touch.at),
        sourceId: touch.sourceId,
        sourceName: touch.sourceName,
        via: touch.via.map((type) => ENTITY_NAMES[type] ?? String(type)),
        counted: touch.counted,
        tags: touch.tags,
        pages: touch.pages,
        channels: touch.channels,
      })),
      credits: journey.credits,
    };
  },
});
