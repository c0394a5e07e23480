// Known analytics data for the dashboard's Attribution, Ad levels and Expenses pages, written
// through REST only: sources with UTM values, three won deals with visits bound to them or their
// contact (Google Ads keyword tags, a Facebook visit, an organic one) at different ages, an ad
// export for Google Ads and a manual expense pack. Every date is relative to now, so the pages'
// default periods (the last 30 days) hold all of it.
import { expect } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { callJson, type TestServer } from '../helpers/server.js';

/** The real clock, shifted by a chosen offset: traces can be written days ago while time runs on. */
export class ShiftedClock extends ManualClock {
  private offset = 0;
  override now(): number {
    return Date.now() + this.offset;
  }
  daysAgo(days: number): void {
    this.offset = -days * DAY * 1000;
  }
}

const DAY = 86_400;

export interface AnalyticsSeed {
  /** The three won deals, oldest win first, and one deal in progress. */
  readonly wonDeals: number[];
  readonly openDeal: number;
  /** The visits of the first won deal, oldest first. */
  readonly firstDealTraces: number[];
  readonly facebookId: number;
  readonly manualPack: number;
  readonly importPack: number;
}

async function ok(server: TestServer, method: string, params: unknown): Promise<any> {
  const answer = await callJson(server, method, params);
  expect(answer.status, `${method}: ${answer.text}`).toBe(200);
  return answer.body.result;
}

/** A `YYYY-MM-DD` day `offset` days from today, in the server's zone (the tests run it in UTC). */
export function dayFromToday(offset: number): string {
  const date = new Date(Date.now() + offset * DAY * 1000);
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}

export const GOOGLE_TAGS = { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'summer_1000001', utm_content: 'gid_2000001', utm_term: 'kwid-3000001' };

export async function seedAnalytics(server: TestServer, clock: ShiftedClock): Promise<AnalyticsSeed> {
  await ok(server, 'salestrace.source.update', { id: 1, fields: { UTM_SOURCE: ['google'] } });
  const facebookId = 2;
  await ok(server, 'salestrace.source.update', { id: facebookId, fields: { UTM_SOURCE: ['facebook'] } });
  // Only the traces written here: no attribution-window copies.
  await ok(server, 'salestrace.attribution.window.set', { offline: 'N' });

  const trace = async (tags: Record<string, string> | null, entity: [string, number], page: string, channels?: unknown) => {
    const now = Math.floor(clock.now() / 1000);
    const body = {
      url: `https://shop.example/${page}`,
      ...(tags ? { tags: { list: tags } } : {}),
      pages: { list: [[`https://shop.example/${page}`, now - 600, `Page ${page}`], ['https://shop.example/cart', now - 540, 'Cart']] },
      ...(channels ? { channels } : {}),
    };
    return ok(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify(body), ENTITIES: [{ TYPE: entity[0], ID: entity[1] }] }) as Promise<number>;
  };
  const item = async (entityTypeId: number, fields: Record<string, unknown>) => (await ok(server, 'crm.item.add', { entityTypeId, fields })).item.id as number;

  clock.daysAgo(21);
  const client = await item(3, { name: 'Ada Client' });
  const deals = [
    await item(2, { title: 'Shoes order', contactId: client, opportunity: 1200, currencyId: 'USD' }),
    await item(2, { title: 'Boots order', opportunity: 300, currencyId: 'USD' }),
    await item(2, { title: 'Socks order', opportunity: 45.5, currencyId: 'USD' }),
  ];
  const openDeal = await item(2, { title: 'Hats (in progress)', opportunity: 80, currencyId: 'USD' });
  // The first deal: Google Ads 20 days before the win, Facebook 5 days, organic on the day.
  clock.daysAgo(20);
  const firstDealTraces = [await trace(GOOGLE_TAGS, ['CONTACT', client], 'shoes')];
  clock.daysAgo(5);
  firstDealTraces.push(await trace({ utm_source: 'facebook', utm_medium: 'social' }, ['DEAL', deals[0]], 'sale', [{ code: 'call', value: '+15550100' }]));
  await trace(GOOGLE_TAGS, ['DEAL', openDeal], 'hats');
  clock.daysAgo(2);
  await trace(GOOGLE_TAGS, ['DEAL', deals[1]], 'boots');
  clock.daysAgo(1);
  await trace({ utm_source: 'facebook' }, ['DEAL', deals[2]], 'socks');
  clock.daysAgo(0.05);
  firstDealTraces.push(await trace(null, ['DEAL', deals[0]], 'checkout'));
  clock.daysAgo(0);
  for (const deal of deals) await ok(server, 'crm.item.update', { entityTypeId: 2, id: deal, fields: { stageId: 'WON' } });

  const importPack = await ok(server, 'salestrace.expense.import', {
    sourceId: 1,
    currency: 'USD',
    comment: 'Google Ads export',
    rows: [
      { date: dayFromToday(-3), campaign: '1000001', campaignTitle: 'Summer', adGroup: '2000001', adGroupTitle: 'Shoes', keyword: '3000001', keywordTitle: 'red shoes', impressions: 1000, clicks: 40, cost: '80' },
      { date: dayFromToday(-2), campaign: '1000001', adGroup: '2000001', keyword: '3000002', keywordTitle: 'blue shoes', impressions: 500, clicks: 10, cost: '20' },
      { date: dayFromToday(-2), campaign: '1000002', campaignTitle: 'Winter', adGroup: '2000002', keyword: '3000003', impressions: 300, clicks: 3, cost: '9.99' },
    ],
  });
  const manualPack = await ok(server, 'salestrace.expense.add', { sourceId: 1, from: dayFromToday(-10), to: dayFromToday(-1), sum: '250', currency: 'USD', actions: 120, comment: 'Search ads, manual' });
  return { wonDeals: deals, openDeal, firstDealTraces, facebookId, manualPack, importPack };
}
