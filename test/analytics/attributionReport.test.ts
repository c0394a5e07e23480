// salestrace.report.attribution and salestrace.report.journey over real sockets, on hand-made
// deals whose every number is pinned (computed separately by hand), plus the parameter checks
// and the permission. Traces are written at chosen moments by moving the manual clock; the
// attribution window is off so the only traces are the ones written here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { formatDateC } from '../../src/rest/time.js';
import { writeSetting } from '../../src/system/settings.js';
import { journeyTouches, wonDeals } from '../../src/analytics/attribution/store.js';
import { planOf, StatementRecorder } from '../helpers/queryPlans.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { ok, userWithGrants } from '../crm/helpers.js';
import { addTrace } from '../tracking/helpers.js';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 1, 12, 0, 0);
const t0 = T0 / 1000;
const d = 86_400;

let server: TestServer;
let clock: ManualClock;
const ids: Record<string, number> = {};
const traces: Record<string, number> = {};

async function item(entityTypeId: number, fields: Record<string, unknown>): Promise<number> {
  return (await ok(server, 'crm.item.add', { entityTypeId, fields })).item.id as number;
}

async function trace(name: string, utmSource: string | null, type: string, id: number): Promise<void> {
  traces[name] = await addTrace(server, utmSource === null ? {} : { tags: { list: { utm_source: utmSource } } }, [{ TYPE: type, ID: id }]);
}

async function win(deal: number): Promise<void> {
  await ok(server, 'crm.item.update', { entityTypeId: 2, id: deal, fields: { stageId: 'WON' } });
}

beforeAll(async () => {
  clock = new ManualClock(T0 - 100 * DAY);
  server = await startTestServer({ manualClock: clock });
  await ok(server, 'salestrace.source.update', { id: 1, fields: { UTM_SOURCE: ['google'] } });
  await ok(server, 'salestrace.source.update', { id: 2, fields: { UTM_SOURCE: ['facebook'] } });
  await ok(server, 'salestrace.source.update', { id: 3, fields: { UTM_SOURCE: ['insta'] } });
  await ok(server, 'salestrace.attribution.window.set', { offline: 'N' });
  await writeSetting(server.services.db, 'analytics.currency_rates', '{"EUR":1.1}');

  ids.c2 = await item(3, { name: 'Old client' });
  await trace('old', 'google', 'CONTACT', ids.c2);

  clock.set(T0);
  ids.c1 = await item(3, { name: 'Client one' });
  ids.k1 = await item(4, { title: 'Company one' });
  ids.k3 = await item(4, { title: 'Company three' });
  ids.c4 = await item(3, { name: 'Client four' });
  ids.a = await item(2, { title: 'A', contactId: ids.c1, companyId: ids.k1, opportunity: 1000, currencyId: 'USD' });
  ids.b = await item(2, { title: 'B', contactId: ids.c2, opportunity: 500, currencyId: 'EUR' });
  ids.c = await item(2, { title: 'C', companyId: ids.k3, opportunity: 7000, currencyId: 'JPY' });
  ids.f = await item(2, { title: 'F', contactId: ids.c4, opportunity: 100.01, currencyId: 'USD' });
  ids.d = await item(2, { title: 'D (won later)', contactId: ids.c1, opportunity: 10, currencyId: 'USD' });
  ids.e = await item(2, { title: 'E (in progress)', contactId: ids.c1, opportunity: 20, currencyId: 'USD' });
  await trace('aGoogle', 'google', 'CONTACT', ids.c1);
  clock.set(T0 + DAY);
  await trace('aOrganic', null, 'COMPANY', ids.k1);
  await trace('cInsta', 'insta', 'COMPANY', ids.k3);
  await trace('fGoogle', 'google', 'DEAL', ids.f);
  clock.set(T0 + 2 * DAY);
  await trace('aFb', 'facebook', 'DEAL', ids.a);
  await trace('fOrganic', null, 'CONTACT', ids.c4);
  clock.set(T0 + 3 * DAY);
  for (const deal of [ids.a, ids.b, ids.c, ids.f]) await win(deal);
  clock.set(T0 + 4 * DAY);
  await trace('aLate', 'insta', 'CONTACT', ids.c1);
  clock.set(T0 + 20 * DAY);
  await win(ids.d);
  clock.set(T0 + 30 * DAY);
});
afterAll(async () => {
  await server.close();
});

const credit = (deals: number, sum: number) => ({ deals, sum });

describe('salestrace.report.attribution', () => {
  it('credits the period\'s won deals to their journeys\' sources under all six models', async () => {
    const result = await ok(server, 'salestrace.report.attribution', { from: t0, to: t0 + 10 * d });
    expect(result).toEqual({
      from: formatDateC(t0),
      to: formatDateC(t0 + 10 * d),
      currency: 'USD',
      lookbackDays: 90,
      halfLifeDays: 7,
      models: ['firstTouch', 'lastTouch', 'lastNonDirect', 'linear', 'positionBased', 'timeDecay'],
      // A, B, C and F; D was won after the period and E is not won.
      deals: 4,
      // 1000 + 500 EUR × 1.1 + 100.01; C's yen have no rate.
      sum: 1650.01,
      unconverted: 1,
      rows: [
        {
          sourceId: 0,
          name: 'Other traffic',
          firstTouch: credit(1, 550),
          lastTouch: credit(2, 650.01),
          lastNonDirect: credit(1, 550),
          linear: credit(1.8333, 933.33),
          positionBased: credit(1.7, 800),
          timeDecay: credit(1.857, 934.73),
        },
        {
          sourceId: 1,
          name: 'Google Ads',
          firstTouch: credit(2, 1100.01),
          lastTouch: credit(0, 0),
          lastNonDirect: credit(1, 100.01),
          linear: credit(0.8334, 383.35),
          positionBased: credit(0.9, 450.01),
          timeDecay: credit(0.7762, 348.45),
        },
        {
          sourceId: 2,
          name: 'Facebook',
          firstTouch: credit(0, 0),
          lastTouch: credit(1, 1000),
          lastNonDirect: credit(1, 1000),
          linear: credit(0.3333, 333.33),
          positionBased: credit(0.4, 400),
          timeDecay: credit(0.3668, 366.83),
        },
        {
          sourceId: 3,
          name: 'Instagram',
          firstTouch: credit(1, 0),
          lastTouch: credit(1, 0),
          lastNonDirect: credit(1, 0),
          linear: credit(1, 0),
          positionBased: credit(1, 0),
          timeDecay: credit(1, 0),
        },
      ],
      total: Object.fromEntries(
        ['firstTouch', 'lastTouch', 'lastNonDirect', 'linear', 'positionBased', 'timeDecay'].map((model) => [model, credit(4, 1650.01)]),
      ),
    });
  });

  it('a longer lookback reaches B\'s old google visit; a shorter half-life shifts time decay', async () => {
    const long = await ok(server, 'salestrace.report.attribution', { from: t0, to: t0 + 10 * d, lookbackDays: 200 });
    const google = long.rows.find((row: any) => row.sourceId === 1);
    expect(google.firstTouch).toEqual(credit(3, 1650.01));
    expect(long.rows.find((row: any) => row.sourceId === 0).firstTouch).toEqual(credit(0, 0));
    const fast = await ok(server, 'salestrace.report.attribution', { from: t0, to: t0 + 10 * d, halfLifeDays: 1 });
    // Deal A alone at 1 : 2 : 4 gives fb 571.43; fb has no other deal.
    expect(fast.rows.find((row: any) => row.sourceId === 2).timeDecay).toEqual(credit(0.5714, 571.43));
  });

  it('the period: dates in the server zone include the whole `to` day; the default is the last 30 days', async () => {
    // D was won at T0 + 20 days, the only win in this period.
    const only = await ok(server, 'salestrace.report.attribution', { from: formatDateC(t0 + 19 * d), to: t0 + 21 * d });
    expect([only.deals, only.sum]).toEqual([1, 10]);
    // Now is T0 + 30 days: every win of this test is inside the last 30 days, and none is later.
    const recent = await ok(server, 'salestrace.report.attribution');
    expect([recent.deals, recent.sum, recent.to]).toEqual([5, 1660.01, formatDateC(t0 + 30 * d + 1)]);
    const empty = await ok(server, 'salestrace.report.attribution', { from: '2020-01-01', to: '2020-01-31' });
    expect([empty.deals, empty.sum, empty.rows, empty.total.linear]).toEqual([0, 0, [], credit(0, 0)]);
  });

  it('refuses bad parameters and non-administrators', async () => {
    const argument = (name: string, description: string) => ({ error: 'ERROR_ARGUMENT', error_description: description, argument: name });
    const cases: [unknown, unknown][] = [
      [{ from: 'yesterday' }, argument('from', 'Parameter `from` must be a date (YYYY-MM-DD), an ISO 8601 date-time or unix seconds.')],
      [{ to: '2026-02-30' }, argument('to', 'Parameter `to` must be a date (YYYY-MM-DD), an ISO 8601 date-time or unix seconds.')],
      [{ from: t0, to: t0 }, argument('to', 'Parameter `to` must be later than `from`.')],
      [{ lookbackDays: 0 }, argument('lookbackDays', 'Parameter `lookbackDays` must be a number of days from 1 to 3650.')],
      [{ halfLifeDays: 'x' }, argument('halfLifeDays', 'Parameter `halfLifeDays` must be a number of days from 0.01 to 365.')],
    ];
    for (const [params, body] of cases) {
      const answer = await callJson(server, 'salestrace.report.attribution', params);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual(body);
    }
    const user = await userWithGrants(server, { DEAL: { READ: 'ALL' } });
    for (const method of ['salestrace.report.attribution', 'salestrace.report.journey']) {
      const denied = await callJson(server, method, { id: ids.a }, user.base);
      expect(denied.status).toBe(403);
      expect(denied.body).toEqual({ error: 'ACCESS_DENIED', error_description: 'Access denied!' });
    }
  });
});

describe('salestrace.report.journey', () => {
  const visit = (name: string, at: number, sourceId: number, sourceName: string, via: string[], counted: boolean, utm: string | null) => ({
    traceId: traces[name],
    date: formatDateC(at),
    sourceId,
    sourceName,
    via,
    counted,
    tags: utm === null ? [] : { UTM_SOURCE: utm },
    pages: [],
    channels: [],
  });

  it('gives a won deal\'s visits in time order, which of them count, and its credits', async () => {
    const journey = await ok(server, 'salestrace.report.journey', { id: ids.a });
    expect(journey).toEqual({
      deal: { id: ids.a, won: true, wonAt: formatDateC(t0 + 3 * d), opportunity: 1000, currencyId: 'USD', contactId: ids.c1, companyId: ids.k1 },
      currency: 'USD',
      lookbackDays: 90,
      halfLifeDays: 7,
      touches: [
        visit('aGoogle', t0, 1, 'Google Ads', ['CONTACT'], true, 'google'),
        visit('aOrganic', t0 + d, 0, 'Other traffic', ['COMPANY'], true, null),
        visit('aFb', t0 + 2 * d, 2, 'Facebook', ['DEAL'], true, 'facebook'),
        // After the win: shown, not counted.
        visit('aLate', t0 + 4 * d, 3, 'Instagram', ['CONTACT'], false, 'insta'),
      ],
      credits: {
        firstTouch: [{ sourceId: 1, deals: 1, sum: 1000 }],
        lastTouch: [{ sourceId: 2, deals: 1, sum: 1000 }],
        lastNonDirect: [{ sourceId: 2, deals: 1, sum: 1000 }],
        linear: [
          { sourceId: 0, deals: 0.3333, sum: 333.33 },
          { sourceId: 1, deals: 0.3334, sum: 333.34 },
          { sourceId: 2, deals: 0.3333, sum: 333.33 },
        ],
        positionBased: [
          { sourceId: 0, deals: 0.2, sum: 200 },
          { sourceId: 1, deals: 0.4, sum: 400 },
          { sourceId: 2, deals: 0.4, sum: 400 },
        ],
        timeDecay: [
          { sourceId: 0, deals: 0.3323, sum: 332.25 },
          { sourceId: 1, deals: 0.3009, sum: 300.92 },
          { sourceId: 2, deals: 0.3668, sum: 366.83 },
        ],
      },
    });
  });

  it('a deal not won has its visits and no credits; an unknown deal and a bad ID are refused', async () => {
    const open = await ok(server, 'salestrace.report.journey', { id: ids.e });
    expect([open.deal.won, open.deal.wonAt, open.credits]).toEqual([false, null, null]);
    expect(open.touches.map((touch: any) => touch.traceId)).toEqual([traces.aGoogle, traces.aLate]);
    const missing = await callJson(server, 'salestrace.report.journey', { id: 999999 });
    expect(missing.status).toBe(400);
    expect(missing.body).toEqual({ error: 'NOT_FOUND', error_description: 'Deal with ID `999999` not found.' });
    for (const id of ['abc', 0, -1, '']) {
      const bad = await callJson(server, 'salestrace.report.journey', { id });
      expect(bad.status).toBe(400);
      expect(bad.body).toEqual({ error: 'ERROR_ARGUMENT', error_description: 'Parameter `id` must be a positive integer.', argument: 'id' });
    }
  });
});

describe.runIf(process.env.TEST_DB !== 'postgres')('the journey read on SQLite', () => {
  it('starts from the deals’ items, and finds each bound trace’s time and source in the (id, created_at, source_id) index, never in the wide trace rows', async () => {
    const db = server.services.db;
    const deals = await wonDeals(db, { from: t0 - 400 * d, to: t0 + 400 * d });
    expect(deals.length).toBeGreaterThanOrEqual(3);
    const recorder = new StatementRecorder();
    const touches = await journeyTouches(db.withPlugin(recorder), deals, 90 * d);
    expect(touches.length).toBeGreaterThan(0);
    // One statement per item type that has items: deals, contacts, companies.
    expect(recorder.nodes).toHaveLength(3);
    for (const node of recorder.nodes) {
      const { sql, details } = await planOf(db, node);
      expect(details, sql).toEqual([
        'CO-ROUTINE w',
        expect.stringMatching(/^SCAN \d+ CONSTANT ROWS$/),
        'SCAN w',
        'SEARCH b USING COVERING INDEX tracking_trace_items_item_trace (entity_type_id=? AND entity_id=?)',
        'SEARCH t USING COVERING INDEX tracking_traces_id_time_source (id=? AND created_at>? AND created_at<?)',
      ]);
    }
  });
});
