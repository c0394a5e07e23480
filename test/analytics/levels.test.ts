// Ad levels (§4.3): the splitter's rules, the level rows written with every trace save (one call,
// a batch's run, a typed item's TRACE), the link to the imported ad structure, and
// salestrace.report.levels with its figures.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localMidnight } from '../../src/analytics/days.js';
import { splitTraceLevels } from '../../src/analytics/levelSplitter.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';

describe('splitTraceLevels', () => {
  it('follows the reference: campaign digits, the markers, later matches winning, ad sources only', () => {
    expect(splitTraceLevels('google', { UTM_SOURCE: 'google', UTM_CAMPAIGN: 'spring_2026_01' })).toEqual([{ level: 0, code: '202601' }]);
    expect(splitTraceLevels('google', { UTM_CAMPAIGN: 'x12345' })).toEqual([]);
    expect(splitTraceLevels('fb', { UTM_CONTENT: 'gid_7654321', UTM_TERM: 'kwid-111111|cid123456' })).toEqual([
      { level: 0, code: '123456' },
      { level: 1, code: '7654321' },
      { level: 100, code: '111111' },
    ]);
    // cid in a value overrides the campaign from UTM_CAMPAIGN; a later keyword marker wins.
    expect(splitTraceLevels('instagram', { UTM_CAMPAIGN: '999999', UTM_CONTENT: 'campaign_id=1|creative_id555555', UTM_TERM: 'adid888888' })).toEqual([
      { level: 100, code: '888888' },
      { level: 0, code: '999999' },
    ].sort((a, b) => a.level - b.level));
    expect(splitTraceLevels('google', { UTM_TERM: 'campaignid424242' })).toEqual([{ level: 0, code: '424242' }]);
    expect(splitTraceLevels('vk', { UTM_CAMPAIGN: '1234567' })).toEqual([]);
    expect(splitTraceLevels(null, { UTM_CAMPAIGN: '1234567' })).toEqual([]);
  });
});

let server: TestServer;
const WHEN = localMidnight('2026-06-03') + 3600;

async function ok(method: string, params: unknown): Promise<any> {
  const answer = await callJson(server, method, params);
  expect(answer.status, `${method}: ${answer.text}`).toBe(200);
  return answer.body.result;
}

async function levelRows() {
  const rows = await server.services.db.selectFrom('analytics_trace_levels').selectAll().orderBy('trace_id').orderBy('level').execute();
  return rows.map((r) => [Number(r.trace_id), Number(r.source_id), Number(r.level), r.code, Number(r.source_child_id), Number(r.processed)]);
}

const TAGS = { utm_source: 'google', utm_campaign: 'summer_1000001', utm_content: 'gid_2000001', utm_term: 'kwid-3000001' };

beforeAll(async () => {
  server = await startTestServer();
  await ok('salestrace.source.update', { id: 1, fields: { UTM_SOURCE: ['google'] } });
});
afterAll(async () => {
  await server.close();
});

describe('level rows at trace save', () => {
  it('writes them for every save path and links them to the ad structure once it is imported', async () => {
    const lead = await ok('crm.lead.add', { fields: { TITLE: 'L' } });
    const deal = await ok('crm.deal.add', { fields: { TITLE: 'D', OPPORTUNITY: 400, CURRENCY_ID: 'USD', STAGE_ID: 'WON' } });
    const other = await ok('crm.deal.add', { fields: { TITLE: 'D2', OPPORTUNITY: 50, CURRENCY_ID: 'USD' } });
    // One call, with a previous trace that names another keyword of the same ad group.
    const t1 = await ok('crm.tracking.trace.add', {
      TRACE: JSON.stringify({ url: 'https://a.example/', tags: { list: TAGS }, previous: { list: [{ url: 'https://b.example/', tags: { list: { ...TAGS, utm_term: 'kwid-3000002' } } }] } }),
      ENTITIES: [{ TYPE: 'LEAD', ID: lead }],
    });
    // A batch's run of trace.add rows.
    const batch = await ok('batch', {
      halt: 0,
      cmd: {
        a: `crm.tracking.trace.add?${new URLSearchParams({ TRACE: JSON.stringify({ tags: { list: TAGS } }), 'ENTITIES[0][TYPE]': 'DEAL', 'ENTITIES[0][ID]': String(deal) })}`,
        b: `crm.tracking.trace.add?${new URLSearchParams({ TRACE: JSON.stringify({ tags: { list: { utm_source: 'google' } } }), 'ENTITIES[0][TYPE]': 'DEAL', 'ENTITIES[0][ID]': String(other) })}`,
      },
    });
    const [t2, t3] = [batch.result.a, batch.result.b];
    // A typed item's TRACE (organic: no level rows) and a lead with a google TRACE.
    await ok('crm.lead.add', { fields: { TITLE: 'O', TRACE: JSON.stringify({ tags: { list: { utm_campaign: '5555555' } } }) } });
    await ok('crm.lead.add', { fields: { TITLE: 'G', TRACE: JSON.stringify({ tags: { list: { utm_source: 'google', utm_campaign: '1000001' } } }) } });
    const t0 = t1 - 1; // the previous trace is saved first
    const t5 = Number((await server.services.db.selectFrom('tracking_traces').select((eb) => eb.fn.max('id').as('id')).executeTakeFirstOrThrow()).id);
    expect(t3).toBe(t2 + 1);
    expect(await levelRows()).toEqual([
      [t0, 1, 0, '1000001', 0, 0],
      [t0, 1, 1, '2000001', 0, 0],
      [t0, 1, 100, '3000002', 0, 0],
      [t1, 1, 0, '1000001', 0, 0],
      [t1, 1, 1, '2000001', 0, 0],
      [t1, 1, 100, '3000001', 0, 0],
      [t2, 1, 0, '1000001', 0, 0],
      [t2, 1, 1, '2000001', 0, 0],
      [t2, 1, 100, '3000001', 0, 0],
      [t5, 1, 0, '1000001', 0, 0],
    ]);

    // The import creates the structure and links the rows saved before it.
    await ok('salestrace.expense.import', {
      sourceId: 1,
      currency: 'USD',
      rows: [
        { date: '2026-06-02', campaign: '1000001', campaignTitle: 'Summer', adGroup: '2000001', keyword: '3000001', keywordTitle: 'shoes', impressions: 1000, clicks: 40, cost: '80' },
        { date: '2026-06-03', campaign: '1000001', adGroup: '2000001', keyword: '3000002', impressions: 500, clicks: 10, cost: '20' },
        { date: '2026-06-03', campaign: '1000002', adGroup: '2000002', keyword: '3000003', impressions: 0, clicks: 0, cost: '0' },
      ],
    });
    const children = await server.services.db.selectFrom('analytics_source_children').select(['id', 'code']).execute();
    const child = Object.fromEntries(children.map((c) => [c.code, Number(c.id)]));
    expect((await levelRows()).filter((r) => r[0] === t1)).toEqual([
      [t1, 1, 0, '1000001', child['1000001'], 1],
      [t1, 1, 1, '2000001', child['2000001'], 1],
      [t1, 1, 100, '3000001', child['3000001'], 1],
    ]);
    // A trace saved now is linked at once.
    const t6 = await ok('crm.tracking.trace.add', { TRACE: JSON.stringify({ tags: { list: { utm_source: 'google', utm_term: 'kwd3000003' } } }) });
    expect((await levelRows()).filter((r) => r[0] === t6)).toEqual([[t6, 1, 100, '3000003', child['3000003'], 1]]);

    // Items dated into the period.
    for (const table of ['crm_lead', 'crm_deal'] as const) await server.services.db.updateTable(table).set({ date_create: WHEN }).execute();

    const campaigns = await ok('salestrace.report.levels', { sourceId: 1, level: 'campaign', from: '2026-06-01', to: '2026-06-10' });
    expect(campaigns).toEqual({
      sourceId: 1,
      level: 0,
      parentId: null,
      period: { from: '2026-06-01', to: '2026-06-10' },
      currency: 'USD',
      rows: [
        {
          id: child['1000001'], code: '1000001', title: 'Summer', enabled: true, level: 0, nextLevel: 1, prevLevel: null,
          impressions: 1500, actions: 50, outcome: 100, ctr: 3.33, cpc: 2,
          // The lead (t1), the won deal (t2) and the lead with a google TRACE (campaign only).
          leads: 2, deals: 1, successDeals: 1, income: 400, cost: 100, roi: 300, roiScale: 2,
        },
        {
          id: child['1000002'], code: '1000002', title: '', enabled: true, level: 0, nextLevel: 1, prevLevel: null,
          impressions: 0, actions: 0, outcome: 0, ctr: null, cpc: null,
          leads: 0, deals: 0, successDeals: 0, income: 0, cost: null, roi: 0, roiScale: 0,
        },
      ],
    });
    const keywords = await ok('salestrace.report.levels', { sourceId: 1, level: 100, parentId: child['2000001'], from: '2026-06-01', to: '2026-06-10' });
    expect(keywords.rows.map((r: any) => [r.code, r.title, r.impressions, r.actions, r.outcome, r.ctr, r.cpc, r.leads, r.deals, r.successDeals, r.income, r.cost, r.roi, r.roiScale, r.nextLevel, r.prevLevel])).toEqual([
      ['3000001', 'shoes', 1000, 40, 80, 4, 2, 1, 1, 1, 400, 80, 400, 2, null, 1],
      ['3000002', '', 500, 10, 20, 2, 2, 0, 0, 0, 0, null, -100, -1, null, 1],
    ]);
    const groups = await ok('salestrace.report.levels', { sourceId: 1, level: 'adgroup', parentId: child['1000001'], from: '2026-06-03', to: '2026-06-03' });
    expect(groups.rows.map((r: any) => [r.code, r.impressions, r.outcome, r.leads])).toEqual([['2000001', 500, 20, 1]]);

    const bad = await callJson(server, 'salestrace.report.levels', { sourceId: 1, level: 'ad' });
    expect(bad.body).toEqual({ error: 'ERROR_ARGUMENT', error_description: 'Parameter `level` must be one of campaign, adgroup, keyword.', argument: 'level' });
    const missing = await callJson(server, 'salestrace.report.levels', { level: 'campaign' });
    expect(missing.body).toEqual({ error: 'ERROR_ARGUMENT', error_description: 'Parameter `sourceId` is required.', argument: 'sourceId' });
  });
});
