// salestrace.report.sources on hand-made data: every figure of the reference's formulas (§4.1)
// pinned, with zero spend, no leads, an archived and a deleted source, organic traffic, an item
// bound to two traces (its newest binding counts), another currency and the previous period.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCurrencyRate } from '../../src/analytics/currency.js';
import { localDay, localMidnight } from '../../src/analytics/days.js';
import { userWithGrants, type TestUser } from '../crm/helpers.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let other: TestUser;
const NOON_CURRENT = localMidnight('2026-06-03') + 12 * 3600;
const NOON_PREVIOUS = localMidnight('2026-05-25') + 12 * 3600;
const ids = { partner: 0, gone: 0 };

async function ok(method: string, params: unknown): Promise<any> {
  const answer = await callJson(server, method, params);
  expect(answer.status, `${method}: ${answer.text}`).toBe(200);
  return answer.body.result;
}

async function item(type: 'lead' | 'deal', fields: Record<string, unknown>, when = NOON_CURRENT): Promise<number> {
  const id = await ok(`crm.${type}.add`, { fields: { TITLE: 'x', CURRENCY_ID: 'USD', ...fields } });
  await server.services.db.updateTable(type === 'lead' ? 'crm_lead' : 'crm_deal').set({ date_create: when }).where('id', '=', id).execute();
  return id;
}

async function bind(utmSource: string, type: 'LEAD' | 'DEAL', id: number, when = NOON_CURRENT): Promise<void> {
  const trace = await ok('crm.tracking.trace.add', { TRACE: JSON.stringify({ url: 'https://shop.example/', tags: { list: { utm_source: utmSource } } }), ENTITIES: [{ TYPE: type, ID: id }] });
  await server.services.db.updateTable('tracking_traces').set({ created_at: when }).where('id', '=', trace).execute();
}

beforeAll(async () => {
  server = await startTestServer();
  other = await userWithGrants(server, null);
  await writeCurrencyRate(server.services.db, 'EUR', 1.1);
  await ok('salestrace.source.update', { id: 1, fields: { UTM_SOURCE: ['google'] } });
  await ok('salestrace.source.update', { id: 2, fields: { UTM_SOURCE: ['fb'] } });
  await ok('salestrace.source.update', { id: 3, fields: { UTM_SOURCE: ['instagram'] } });
  ids.partner = await ok('salestrace.source.add', { fields: { NAME: 'Partner', UTM_SOURCE: ['partner'] } });
  ids.gone = await ok('salestrace.source.add', { fields: { NAME: 'Gone', UTM_SOURCE: ['gone'] } });

  // Google: three leads (one first bound to Partner, then to Google), a won deal and one in EUR.
  await bind('google', 'LEAD', await item('lead', { OPPORTUNITY: 100 }));
  await bind('google', 'LEAD', await item('lead', { OPPORTUNITY: 0 }));
  const l4 = await item('lead', { OPPORTUNITY: 40 });
  await bind('partner', 'LEAD', l4);
  await bind('google', 'LEAD', l4);
  await bind('google', 'DEAL', await item('deal', { OPPORTUNITY: 500, STAGE_ID: 'WON' }));
  await bind('google', 'DEAL', await item('deal', { OPPORTUNITY: 200, CURRENCY_ID: 'EUR' }));
  // Google in the previous period.
  await bind('google', 'LEAD', await item('lead', { OPPORTUNITY: 10 }, NOON_PREVIOUS), NOON_PREVIOUS);
  await bind('google', 'DEAL', await item('deal', { OPPORTUNITY: 300, STAGE_ID: 'WON' }, NOON_PREVIOUS), NOON_PREVIOUS);
  // Partner: a lead first bound to Google, then to Partner, and a won deal.
  const l5 = await item('lead', {});
  await bind('google', 'LEAD', l5);
  await bind('partner', 'LEAD', l5);
  await bind('partner', 'DEAL', await item('deal', { OPPORTUNITY: 60, STAGE_ID: 'WON' }));
  // Organic: nothing bound.
  await item('lead', {});
  await item('deal', { OPPORTUNITY: 1000, STAGE_ID: 'WON', ASSIGNED_BY_ID: other.id });
  // An archived and a deleted source: their rows are dropped.
  await bind('fb', 'LEAD', await item('lead', { OPPORTUNITY: 7 }));
  await bind('gone', 'LEAD', await item('lead', { OPPORTUNITY: 9 }));
  await ok('salestrace.source.update', { id: 2, fields: { ACTIVE: 'N' } });
  await ok('salestrace.source.delete', { id: ids.gone });
  // Instagram: a lead and no spend.
  await bind('instagram', 'LEAD', await item('lead', {}));
  // Outside both periods.
  await bind('google', 'LEAD', await item('lead', { OPPORTUNITY: 99 }, localMidnight('2026-06-11') + 60));

  await ok('salestrace.expense.add', { sourceId: 1, from: '2026-06-01', to: '2026-06-10', sum: 200, currency: 'USD', actions: 40 });
  await ok('salestrace.expense.import', { sourceId: 1, currency: 'USD', rows: [{ date: '2026-06-02', campaign: '100001', adGroup: '200001', keyword: '300001', impressions: 1000, clicks: 10, cost: 50 }] });
  await ok('salestrace.expense.add', { sourceId: 1, from: '2026-05-22', to: '2026-05-31', sum: 100, currency: 'USD', actions: 20 });
  await ok('salestrace.expense.add', { sourceId: ids.partner, from: '2026-06-05', to: '2026-06-05', sum: 30, currency: 'USD' });
  // Archived sources' expenses are dropped with their rows.
  await ok('salestrace.expense.add', { sourceId: 2, from: '2026-06-05', to: '2026-06-05', sum: 1000, currency: 'USD' });
});
afterAll(async () => {
  await server.close();
});

const stage = (quantity: number, sum: number, cost: number | null, price: number | null, quantityChanging: number | null, costChanging: number | null) => ({
  quantity,
  sum,
  cost,
  price,
  quantityChanging,
  costChanging,
});
const GOOD = { ROI_GRADE: 'good', ROI_COLOR: '#6F9300' };

describe('salestrace.report.sources', () => {
  it('answers every figure of every row, the summary and the total', async () => {
    const report = await ok('salestrace.report.sources', { from: '2026-06-01', to: '2026-06-10' });
    expect(report.period).toEqual({ from: '2026-06-01', to: '2026-06-10' });
    expect(report.previousPeriod).toEqual({ from: '2026-05-22', to: '2026-05-31' });
    expect(report.currency).toBe('USD');
    expect(report.stages).toEqual(['actions', 'leads', 'deals', 'deals-success']);
    expect(report.unconvertedCurrencies).toEqual([]);
    expect(report.rows.map((r: any) => r.ID)).toEqual([1, 3, ids.partner, 0]);
    const [google, instagram, partner, organic] = report.rows;
    expect(google).toEqual({
      ID: 1,
      NAME: 'Google Ads',
      CODE: 'google',
      STAGES: {
        actions: stage(50, 250, 5, 5, 150, 0),
        leads: stage(3, 140, 83, 46.67, 200, -16.67),
        deals: stage(2, 720, 125, 360, 100, 25),
        'deals-success': stage(1, 500, 250, 500, 0, 150),
      },
      COSTS: 250,
      VIEWS: 1000,
      CONVERSION: 2,
      ROI: 100,
      ...GOOD,
    });
    expect(instagram).toEqual({
      ID: 3,
      NAME: 'Instagram',
      CODE: 'instagram',
      STAGES: {
        actions: stage(0, 0, null, null, null, null),
        leads: stage(1, 0, 0, 0, null, null),
        deals: stage(0, 0, null, null, null, null),
        'deals-success': stage(0, 0, null, null, null, null),
      },
      COSTS: 0,
      VIEWS: 0,
      CONVERSION: null,
      ROI: 0,
      ROI_GRADE: 'none',
      ROI_COLOR: '#A8ADB4',
    });
    // A custom source with hand-entered expenses counts its traces of the period as actions.
    expect(partner).toEqual({
      ID: ids.partner,
      NAME: 'Partner',
      CODE: null,
      STAGES: {
        actions: stage(3, 30, 10, 10, null, null),
        leads: stage(1, 0, 30, 0, null, null),
        deals: stage(1, 60, 30, 60, null, null),
        'deals-success': stage(1, 60, 30, 60, null, null),
      },
      COSTS: 30,
      VIEWS: 0,
      CONVERSION: 33.33,
      ROI: 100,
      ...GOOD,
    });
    expect(organic).toEqual({
      ID: 0,
      NAME: 'Other traffic',
      CODE: 'organic',
      STAGES: {
        actions: stage(0, 0, null, null, null, null),
        leads: stage(1, 0, 0, 0, null, null),
        deals: stage(1, 1000, 0, 1000, null, null),
        'deals-success': stage(1, 1000, 0, 1000, null, null),
      },
      COSTS: 0,
      VIEWS: 0,
      CONVERSION: null,
      ROI: null,
      ROI_GRADE: null,
      ROI_COLOR: null,
    });
    expect(report.advertising).toEqual({
      ID: -1,
      NAME: 'Advertising sources',
      CODE: null,
      STAGES: {
        actions: stage(53, 280, 5.3, 5.28, 165, 5.66),
        leads: stage(5, 140, 56, 28, 400, -44),
        deals: stage(3, 780, 93, 260, 200, -6.67),
        'deals-success': stage(2, 560, 140, 280, 100, 40),
      },
      COSTS: 280,
      VIEWS: 1000,
      CONVERSION: 3.77,
      ROI: 100,
      ...GOOD,
    });
    expect(report.total).toEqual({
      ID: -2,
      NAME: 'Total',
      CODE: null,
      STAGES: {
        actions: stage(53, 280, 5.3, 5.28, 165, 5.66),
        leads: stage(6, 140, 47, 23.33, 500, -53.33),
        deals: stage(4, 1780, 70, 445, 300, -30),
        'deals-success': stage(3, 1560, 93, 520, 200, -6.67),
      },
      COSTS: 280,
      VIEWS: 1000,
      CONVERSION: 5.66,
      ROI: 457.14,
      ...GOOD,
    });
  });

  it('keeps only the sources asked for, organic by 0 or by name', async () => {
    const report = await ok('salestrace.report.sources', { from: '2026-06-01', to: '2026-06-10', sourceId: [ids.partner, 'organic'] });
    expect(report.rows.map((r: any) => r.ID)).toEqual([ids.partner, 0]);
    expect(report.total.STAGES.leads).toEqual(stage(2, 0, 15, 0, null, null));
    expect(report.advertising.STAGES['deals-success']).toEqual(stage(1, 60, 30, 60, null, null));
  });

  it('grades a loss as bad and leaves out amounts whose currency has no rate', async () => {
    await writeCurrencyRate(server.services.db, 'EUR', null);
    const report = await ok('salestrace.report.sources', { from: '2026-06-01', to: '2026-06-10', sourceId: 1 });
    expect(report.unconvertedCurrencies).toEqual(['EUR']);
    expect(report.rows[0].STAGES.deals).toEqual(stage(2, 500, 125, 250, 100, 25));
    await writeCurrencyRate(server.services.db, 'EUR', 1.1);
    // The previous period alone: spend 100, income 300.
    const previous = await ok('salestrace.report.sources', { from: '2026-05-22', to: '2026-05-31', sourceId: 1 });
    expect([previous.rows[0].ROI, previous.rows[0].ROI_GRADE]).toEqual([200, 'good']);
    const loss = await ok('salestrace.report.sources', { from: '2026-06-04', to: '2026-06-10', sourceId: 1 });
    // 7 days of 20/day = 140 spent, nothing won in them.
    expect([loss.rows[0].COSTS, loss.rows[0].ROI, loss.rows[0].ROI_GRADE, loss.rows[0].ROI_COLOR]).toEqual([140, -100, 'bad', '#E22E29']);
    // Partner's traces count as actions only in a period that holds its hand-entered expenses.
    const withSpend = await ok('salestrace.report.sources', { from: '2026-06-03', to: '2026-06-05', sourceId: ids.partner });
    expect(withSpend.rows[0].STAGES.actions).toEqual(stage(3, 30, 10, 10, null, null));
    const withoutSpend = await ok('salestrace.report.sources', { from: '2026-06-03', to: '2026-06-03', sourceId: ids.partner });
    expect(withoutSpend.rows[0].STAGES.actions).toEqual(stage(0, 0, null, null, null, null));
  });

  it('groups by responsible in the traffic variant, without the actions stage', async () => {
    const report = await ok('salestrace.report.sources', { from: '2026-06-01', to: '2026-06-10', groupBy: 'responsible' });
    expect(report.stages).toEqual(['leads', 'deals', 'deals-success']);
    expect(report.advertising).toBeNull();
    expect(report.rows.map((r: any) => [r.ID, r.STAGES.leads.quantity, r.STAGES.leads.sum, r.STAGES.deals.quantity, r.STAGES.deals.sum, r.STAGES['deals-success'].quantity, r.STAGES['deals-success'].sum, r.CONVERSION])).toEqual([
      [1, 8, 156, 3, 780, 2, 560, 25],
      [other.id, 0, 0, 1, 1000, 1, 1000, null],
    ]);
    // Without spend the first stage is leads: each cost divides the leads' sum (156 now, 10 before).
    expect(report.total.STAGES['deals-success']).toEqual(stage(3, 1560, 52, 520, 200, 420));
  });

  it('defaults to the last 30 days in the server zone and refuses bad periods', async () => {
    const today = localDay(Math.floor(server.clock.now() / 1000));
    const report = await ok('salestrace.report.sources', {});
    expect(report.period.to).toBe(today);
    const days = (Date.parse(report.period.to) - Date.parse(report.period.from)) / 86_400_000 + 1;
    expect(days).toBe(30);
    const arg = (description: string, argument: string) => ({ error: 'ERROR_ARGUMENT', error_description: description, argument });
    const cases: [unknown, unknown][] = [
      [{ from: '2026-06-10', to: '2026-06-01' }, arg('Parameter `from` must not be after `to`.', 'from')],
      [{ from: '2025-01-01', to: '2026-06-01' }, arg('The period from 2025-01-01 to 2026-06-01 is longer than 366 days.', 'to')],
      [{ from: '1.6.2026' }, arg('Parameter `from` must be a date (YYYY-MM-DD).', 'from')],
      [{ sourceId: 'x' }, arg('Parameter `sourceId` must be a source ID.', 'sourceId')],
      [{ groupBy: 'month' }, arg('Parameter `groupBy` must be one of source, responsible.', 'groupBy')],
    ];
    for (const [params, body] of cases) {
      const answer = await callJson(server, 'salestrace.report.sources', params);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual(body);
    }
  });
});
