// The attribution report (beyond Bitrix24, whose report credits a deal to one bound trace,
// sales-intelligence.md §4.1): every won deal of a period is credited to the sources of its
// journey under each model of models.ts, side by side, in the account currency.
import type { Clock } from '../../clock.js';
import type { Db } from '../../db/schema.js';
import { CRM_ENTITY_TYPES } from '../../crm/contract.js';
import { loadCurrencySettings, toAccountCurrency, type CurrencySettings } from '../currency.js';
import type { AttributionOptions, AttributionPort, AttributionReport, Journey, SourceCredits } from './contract.js';
import { creditDeal, DEAL_UNITS, inTimeOrder, MODELS, ORGANIC, type AttributionModel, type Credit, type Touch } from './models.js';
import { channelsOf, journeyTouches, loadDeal, sourceNames, tracesOfItems, wonDeals } from './store.js';
import { loadWindowSettings, saveWindowSettings, type WindowSettings } from './windowSettings.js';

/** Other traffic, as the source report names it (§4.1). */
const ORGANIC_NAME = 'Other traffic';

/** A deal's amount in whole cents of the account currency; null without a rate for its currency. */
export function dealCents(opportunity: number, currencyId: string | null, currency: CurrencySettings): number | null {
  const amount = toAccountCurrency(opportunity, currencyId ?? '', currency);
  return amount === null || !Number.isFinite(amount) ? null : Math.round(amount * 100);
}

const asDeals = (units: number) => units / DEAL_UNITS;
const asMoney = (cents: number) => cents / 100;

/** Touches with one entry per trace (a trace bound to the deal and its contact counts once), in time order. */
function distinctTouches(rows: readonly Touch[]): Touch[] {
  const seen = new Set<number>();
  const touches: Touch[] = [];
  for (const row of rows) {
    if (seen.has(row.traceId)) continue;
    seen.add(row.traceId);
    touches.push(row);
  }
  return inTimeOrder(touches);
}

export class AttributionService implements AttributionPort {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  async report(options: AttributionOptions): Promise<AttributionReport> {
    const deals = await wonDeals(this.db, options.period);
    const rows = await journeyTouches(this.db, deals, options.lookbackSeconds);
    const currency = await loadCurrencySettings(this.db);
    const names = await sourceNames(this.db);

    const byDeal = new Map<number, Touch[]>();
    for (const row of rows) {
      let list = byDeal.get(row.dealId);
      if (!list) byDeal.set(row.dealId, (list = []));
      list.push({ traceId: row.traceId, at: row.at, sourceId: row.sourceId ?? ORGANIC });
    }
    const totals = new Map<number, Record<AttributionModel, { units: number; cents: number }>>();
    let cents = 0;
    let unconverted = 0;
    for (const deal of deals) {
      const amount = dealCents(deal.opportunity, deal.currencyId, currency);
      if (amount === null) unconverted++;
      else cents += amount;
      const credits = creditDeal(distinctTouches(byDeal.get(deal.id) ?? []), deal.wonAt, amount, { halfLifeSeconds: options.halfLifeSeconds });
      for (const model of MODELS) {
        for (const [sourceId, credit] of credits[model]) {
          let row = totals.get(sourceId);
          if (!row) totals.set(sourceId, (row = emptyTotals()));
          row[model].units += credit.units;
          row[model].cents += credit.cents;
        }
      }
    }
    const sources = [...totals.keys()].sort((a, b) => a - b);
    const resultRows: SourceCredits[] = sources.map((sourceId) => ({
      sourceId,
      name: sourceId === ORGANIC ? ORGANIC_NAME : (names.get(sourceId) ?? null),
      credits: mapModels((model) => ({ deals: asDeals(totals.get(sourceId)![model].units), sum: asMoney(totals.get(sourceId)![model].cents) })),
    }));
    const total = mapModels((model) => {
      let units = 0;
      let money = 0;
      for (const row of totals.values()) {
        units += row[model].units;
        money += row[model].cents;
      }
      return { deals: asDeals(units), sum: asMoney(money) };
    });
    return { currency: currency.account, deals: deals.length, sum: asMoney(cents), unconverted, rows: resultRows, total };
  }

  async journey(dealId: number, options: Omit<AttributionOptions, 'period'>): Promise<Journey | undefined> {
    const deal = await loadDeal(this.db, dealId);
    if (!deal) return undefined;
    const won = deal.stageSemantic === 'S' && deal.movedTime !== null;
    const end = won ? deal.movedTime! : Math.floor(this.clock.now() / 1000);
    const items: { entityTypeId: number; entityId: number }[] = [{ entityTypeId: CRM_ENTITY_TYPES.DEAL, entityId: deal.id }];
    if (deal.contactId !== null) items.push({ entityTypeId: CRM_ENTITY_TYPES.CONTACT, entityId: deal.contactId });
    if (deal.companyId !== null) items.push({ entityTypeId: CRM_ENTITY_TYPES.COMPANY, entityId: deal.companyId });
    const traces = await tracesOfItems(this.db, items);
    const channels = await channelsOf(this.db, traces.map((trace) => trace.traceId));
    const names = await sourceNames(this.db);
    const currency = await loadCurrencySettings(this.db);
    const touches = traces.map((trace) => {
      const sourceId = trace.sourceId ?? ORGANIC;
      return {
        traceId: trace.traceId,
        at: trace.at,
        sourceId,
        sourceName: sourceId === ORGANIC ? ORGANIC_NAME : (names.get(sourceId) ?? null),
        via: trace.via,
        counted: trace.at <= end && trace.at >= end - options.lookbackSeconds,
        tags: JSON.parse(trace.tagsJson) as Record<string, string>,
        pages: JSON.parse(trace.pagesJson) as unknown[],
        channels: channels.get(trace.traceId) ?? [],
      };
    });
    let credits: Journey['credits'] = null;
    if (won) {
      const counted = touches.filter((touch) => touch.counted).map((touch) => ({ traceId: touch.traceId, at: touch.at, sourceId: touch.sourceId }));
      const amount = dealCents(deal.opportunity, deal.currencyId, currency);
      const byModel = creditDeal(inTimeOrder(counted), end, amount, { halfLifeSeconds: options.halfLifeSeconds });
      credits = mapModels((model) =>
        [...byModel[model]].sort(([a], [b]) => a - b).map(([sourceId, credit]: [number, Credit]) => ({ sourceId, deals: asDeals(credit.units), sum: asMoney(credit.cents) })),
      );
    }
    return {
      deal: { id: deal.id, won, wonAt: won ? end : null, opportunity: deal.opportunity, currencyId: deal.currencyId, contactId: deal.contactId, companyId: deal.companyId },
      touches,
      credits,
      currency: currency.account,
    };
  }

  windowSettings(): Promise<WindowSettings> {
    return loadWindowSettings(this.db);
  }

  saveWindowSettings(changes: Partial<WindowSettings>): Promise<WindowSettings> {
    return this.db.transaction().execute((trx) => saveWindowSettings(trx, changes));
  }
}

function emptyTotals(): Record<AttributionModel, { units: number; cents: number }> {
  return mapModels(() => ({ units: 0, cents: 0 }));
}

function mapModels<T>(make: (model: AttributionModel) => T): Record<AttributionModel, T> {
  return Object.fromEntries(MODELS.map((model) => [model, make(model)])) as Record<AttributionModel, T>;
}
