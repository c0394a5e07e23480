// salestrace.report.daily against a plain recount: random leads and deals written straight into
// the tables, in a zone with daylight saving (Europe/Berlin) and periods across both of its
// changes, items placed on and around local midnights. The expected series are counted here
// item by item with the JavaScript calendar (localDay), independently of the SQL bucketing; each
// series also sums to the source report's figure for the same row and period.
process.env.TZ = 'Europe/Berlin';

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCurrencyRate } from '../../src/analytics/currency.js';
import { addDays, dayCount, dayStretches, localDay, localMidnight } from '../../src/analytics/days.js';
import { userWithGrants } from '../crm/helpers.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { bindShuffled, generator, insertRandomItem, type RandomItem } from './randomItems.js';

let server: TestServer;
let customId = 0;
const traceSources = new Map<number, number | null>();
const items: RandomItem[] = [];


async function report(method: string, params: unknown): Promise<any> {
  const answer = await callJson(server, method, params);
  expect(answer.status, answer.text).toBe(200);
  return answer.body.result;
}

beforeAll(async () => {
  server = await startTestServer();
  const db = server.services.db;
  const random = generator(20261207);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  await writeCurrencyRate(db, 'EUR', 1.25);
  customId = await report('salestrace.source.add', { fields: { NAME: 'Custom' } });
  await report('salestrace.source.update', { id: 3, fields: { ACTIVE: 'N' } });
  const sourceChoices = [1, 2, 3, customId, 99, null];
  for (let i = 0; i < 120; i++) {
    const row = await db.insertInto('tracking_traces').values({ created_at: localMidnight('2026-03-01'), source_id: pick(sourceChoices), created_by: 1 }).returning(['id', 'source_id']).executeTakeFirstOrThrow();
    traceSources.set(Number(row.id), row.source_id === null ? null : Number(row.source_id));
  }
  const traceIds = [...traceSources.keys()];
  // Moments: random ones in March–April and October–November, and each local midnight of the
  // changes' weeks, a second before it and the hours the clocks skip or repeat.
  const moments: number[] = [];
  for (const [first, last] of [['2026-03-15', '2026-04-10'], ['2026-10-15', '2026-11-05']]) {
    const start = localMidnight(first);
    const span = localMidnight(last) - start;
    for (let i = 0; i < 160; i++) moments.push(start + Math.floor(random() * span));
  }
  for (const day of ['2026-03-28', '2026-03-29', '2026-03-30', '2026-10-24', '2026-10-25', '2026-10-26']) {
    const midnight = localMidnight(day);
    moments.push(midnight, midnight - 1, midnight + 1, midnight + 2 * 3600, midnight + 3 * 3600 - 1, midnight + 23 * 3600 + 30 * 60, midnight + 24 * 3600 + 30 * 60);
  }
  for (const created of moments) items.push(await insertRandomItem(db, random, () => created, 0.5));
  await bindShuffled(db, random, items, traceIds, 2);
}, 120_000);
afterAll(async () => {
  await server?.close();
});

/** The series recounted item by item: day by the JavaScript calendar, source by the newest binding. */
function recount(from: string, to: string, shown: readonly number[]) {
  const days = dayCount(from, to);
  const zeros = () => new Array<number>(days).fill(0);
  const rows = new Map(shown.map((id) => [id, { LEADS: zeros(), DEALS: zeros(), DEALS_SUCCESS: zeros(), cents: zeros() }]));
  for (const item of items) {
    const day = localDay(item.created);
    if (day < from || day > to) continue;
    const index = dayCount(from, day) - 1;
    const row = rows.get(item.newest === undefined ? 0 : (traceSources.get(item.newest) ?? 0));
    if (!row) continue;
    if (item.type === 1) row.LEADS[index]++;
    else {
      row.DEALS[index]++;
      if (item.won) {
        row.DEALS_SUCCESS[index]++;
        row.cents[index] += item.currency === 'EUR' ? Math.round(item.cents * 1.25) : item.cents;
      }
    }
  }
  return [...rows].map(([ID, { cents, ...series }]) => ({ ID, ...series, REVENUE: cents.map((c) => c / 100) }));
}

describe('salestrace.report.daily', () => {
  it('the zone really changes its clocks in these periods', () => {
    expect(localMidnight('2026-03-30') - localMidnight('2026-03-29')).toBe(23 * 3600);
    expect(localMidnight('2026-10-26') - localMidnight('2026-10-25')).toBe(25 * 3600);
    expect(dayStretches('2026-03-27', '2026-04-01').map((s) => [s.index, s.uniform])).toEqual([[0, true], [2, false], [3, true]]);
  });

  for (const [from, to] of [['2026-03-20', '2026-04-05'], ['2026-10-20', '2026-11-02'], ['2026-03-29', '2026-03-29']]) {
    it(`counts each day of ${from} … ${to} as a plain recount does, and sums to the source report`, async () => {
      const daily = await report('salestrace.report.daily', { from, to });
      expect(daily.period).toEqual({ from, to });
      expect(daily.currency).toBe('USD');
      expect(daily.unconvertedCurrencies).toEqual([]);
      expect(daily.DAYS).toEqual(Array.from({ length: dayCount(from, to) }, (_, i) => addDays(from, i)));
      const shown = [1, 2, customId, 0];
      expect(daily.rows.map((row: any) => ({ ID: row.ID, LEADS: row.LEADS, DEALS: row.DEALS, DEALS_SUCCESS: row.DEALS_SUCCESS, REVENUE: row.REVENUE }))).toEqual(recount(from, to, shown));
      expect(daily.rows.map((row: any) => [row.ID, row.CODE])).toEqual([[1, 'google'], [2, 'fb'], [customId, null], [0, 'organic']]);
      // Something happened in the period, or the comparison proves little.
      expect(daily.rows.reduce((n: number, row: any) => n + row.LEADS.reduce((a: number, b: number) => a + b, 0) + row.DEALS.reduce((a: number, b: number) => a + b, 0), 0)).toBeGreaterThan(0);

      const sources = await report('salestrace.report.sources', { from, to });
      const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
      for (const row of sources.rows) {
        const series = daily.rows.find((r: any) => r.ID === row.ID);
        expect([sum(series.LEADS), sum(series.DEALS), sum(series.DEALS_SUCCESS), Math.round(sum(series.REVENUE.map((v: number) => Math.round(v * 100))))], `source ${row.ID}`).toEqual([
          row.STAGES.leads.quantity,
          row.STAGES.deals.quantity,
          row.STAGES['deals-success'].quantity,
          Math.round(row.STAGES['deals-success'].sum * 100),
        ]);
      }
    });
  }

  it('keeps only the asked sources, organic included', async () => {
    const daily = await report('salestrace.report.daily', { from: '2026-03-20', to: '2026-04-05', sourceId: [customId, 'organic'] });
    expect(daily.rows.map((row: any) => row.ID)).toEqual([customId, 0]);
    expect(daily.rows.map((row: any) => row.LEADS)).toEqual(recount('2026-03-20', '2026-04-05', [customId, 0]).map((row) => row.LEADS));
  });

  it('defaults to the last 30 days, and is for administrators only', async () => {
    const daily = await report('salestrace.report.daily', {});
    expect(daily.DAYS).toHaveLength(30);
    expect(daily.DAYS[29]).toBe(localDay(Math.floor(server.clock.now() / 1000)));
    const user = await userWithGrants(server, { DEAL: { READ: 'ALL' }, LEAD: { READ: 'ALL' } });
    const refused = await callJson(server, 'salestrace.report.daily', {}, user.base);
    expect([refused.status, refused.body.error]).toEqual([403, 'ACCESS_DENIED']);
    const tooLong = await callJson(server, 'salestrace.report.daily', { from: '2025-01-01', to: '2026-03-01' });
    expect([tooLong.status, tooLong.body.error]).toEqual([400, 'ERROR_ARGUMENT']);
  });
});
