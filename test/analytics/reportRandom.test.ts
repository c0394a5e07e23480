// salestrace.report.sources against an independent calculation on random data: items, traces and
// bindings written straight into the tables, the expected figures computed here plainly from the
// same rows (newest binding's source, archived sources dropped, amounts in cents).
import { afterAll, beforeAll, expect, it } from 'vitest';
import { writeCurrencyRate } from '../../src/analytics/currency.js';
import { localMidnight } from '../../src/analytics/days.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { bindShuffled, generator, insertRandomItem, type RandomItem } from './randomItems.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

/** A small seeded generator, so a failure can be replayed. */

it('matches a plain recount of random items, bindings and expenses', async () => {
  const db = server.services.db;
  const random = generator(20261206);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)];
  await writeCurrencyRate(db, 'EUR', 1.25);
  const custom = await callJson(server, 'salestrace.source.add', { fields: { NAME: 'Custom' } });
  const customId = custom.body.result as number;
  await callJson(server, 'salestrace.source.update', { id: 3, fields: { ACTIVE: 'N' } });
  // google, fb, archived instagram, custom, a deleted source (99), none.
  const sourceChoices = [1, 2, 3, customId, 99, null];
  const shown = new Set([1, 2, customId]);

  const start = localMidnight('2026-06-01');
  const span = localMidnight('2026-07-01') - start;
  const traceSources = new Map<number, number | null>();
  for (let i = 0; i < 300; i++) {
    const source = pick(sourceChoices);
    const row = await db.insertInto('tracking_traces').values({ created_at: start, source_id: source, created_by: 1 }).returning('id').executeTakeFirstOrThrow();
    traceSources.set(Number(row.id), source);
  }
  const traceIds = [...traceSources.keys()];

  const items: RandomItem[] = [];
  for (let i = 0; i < 400; i++) items.push(await insertRandomItem(db, random, () => start + Math.floor(random() * span), 0.4));
  await bindShuffled(db, random, items, traceIds, 3);
  const spend = new Map<number, number>();
  for (const source of [1, 2]) {
    const cents = Math.floor(random() * 50_000) + 100;
    await callJson(server, 'salestrace.expense.add', { sourceId: source, from: '2026-06-05', to: '2026-06-14', sum: (cents / 100).toFixed(2), currency: 'USD', actions: 7 });
    spend.set(source, cents);
  }

  // The period 2026-06-10 .. 2026-06-24 recounted by hand.
  const from = localMidnight('2026-06-10');
  const to = localMidnight('2026-06-25');
  const expected = new Map<number, { leads: [number, number]; deals: [number, number]; won: [number, number] }>();
  for (const item of items) {
    if (item.created < from || item.created >= to) continue;
    const source = item.newest === undefined ? 0 : (traceSources.get(item.newest) ?? 0);
    if (source !== 0 && !shown.has(source)) continue;
    const entry = expected.get(source) ?? { leads: [0, 0], deals: [0, 0], won: [0, 0] };
    const cents = item.currency === 'EUR' ? Math.round(item.cents * 1.25) : item.cents;
    const add = (pair: [number, number]) => {
      pair[0] += 1;
      pair[1] += cents;
    };
    if (item.type === 1) add(entry.leads);
    else {
      add(entry.deals);
      if (item.won) add(entry.won);
    }
    expected.set(source, entry);
  }

  const answer = await callJson(server, 'salestrace.report.sources', { from: '2026-06-10', to: '2026-06-24' });
  expect(answer.status, answer.text).toBe(200);
  const report = answer.body.result;
  expect(report.rows.map((r: any) => r.ID)).toEqual([1, 2, customId, 0]);
  for (const row of report.rows) {
    const e = expected.get(row.ID) ?? { leads: [0, 0], deals: [0, 0], won: [0, 0] };
    const got = (stage: string) => [row.STAGES[stage].quantity, Math.round(row.STAGES[stage].sum * 100)];
    expect([got('leads'), got('deals'), got('deals-success')], `source ${row.ID}`).toEqual([e.leads, e.deals, e.won]);
    // Days 10..14 of a 10-day pack: half the sum, the cent remainder sitting on day 1 (outside).
    const spent = row.ID === 1 || row.ID === 2 ? Math.round(spend.get(row.ID)! / 10) * 5 : 0;
    expect(Math.round(row.COSTS * 100), `spend ${row.ID}`).toBe(spent);
    const income = e.won[1] / 100;
    const roi = row.ID === 0 ? null : spent === 0 ? 0 : Math.round(((income - spent / 100) / (spent / 100)) * 100 * 100) / 100;
    expect(row.ROI, `roi ${row.ID}`).toBeCloseTo(roi as number, 2);
  }
  const sum = (stage: 'leads' | 'deals' | 'won') => [...expected.values()].reduce((t, e) => t + e[stage][0], 0);
  expect([report.total.STAGES.leads.quantity, report.total.STAGES.deals.quantity, report.total.STAGES['deals-success'].quantity]).toEqual([sum('leads'), sum('deals'), sum('won')]);
});
