// Leads created by calls count in the source report (issue 14, item 5) under the source the call
// was attributed to: the web visit's when the call reused it, the pool's when there was none,
// and "Other traffic" for a number in no pool.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addTrace } from '../tracking/helpers.js';
import { ok, tracesOf, webVisit } from './helpers.js';

// Local noon, so the whole test stays inside one day of the server's zone.
const DAY = '2026-03-02';
const START = new Date(2026, 2, 2, 9, 0, 0).getTime();
const POOLED = '+1 415 555 0101';
let server: TestServer;
let clock: ManualClock;
let adsSource: number;

beforeAll(async () => {
  clock = new ManualClock(START);
  server = await startTestServer({ manualClock: clock });
  adsSource = await ok(server, 'salestrace.source.add', { fields: { NAME: 'Ads', UTM_SOURCE: ['ads'], PHONE: ['4155550101'] } });
});
afterAll(async () => {
  await server.close();
});

const register = (phone: string, line: string) =>
  ok(server, 'telephony.externalCall.register', { USER_ID: 1, TYPE: 2, CRM_CREATE: 1, PHONE_NUMBER: phone, LINE_NUMBER: line });

describe('salestrace.report.sources with call leads', () => {
  it('counts each call lead under the source its call was attributed to', async () => {
    // A visit that showed the pooled number, and the call 3 minutes later: the visit's source.
    const visit = await addTrace(server, webVisit(POOLED, 'ads', 'https://shop.example/?utm_source=ads', Math.floor(clock.now() / 1000)));
    clock.advance(3 * 60_000);
    const fromVisit = (await register('+1 202 555 0111', POOLED)).CRM_CREATED_LEAD;
    expect((await tracesOf(server, 'LEAD', fromVisit)).map((trace) => [trace.ID, trace.SOURCE_ID])).toEqual([[visit, adsSource]]);
    // Later, a call to the same number with no visit before it: the pool's source.
    clock.advance(60 * 60_000);
    const fromPool = (await register('+1 202 555 0112', POOLED)).CRM_CREATED_LEAD;
    expect((await tracesOf(server, 'LEAD', fromPool)).map((trace) => trace.SOURCE_ID)).toEqual([adsSource]);
    // A call to a line in no pool: organic.
    clock.advance(60 * 60_000);
    const organic = (await register('+1 202 555 0113', '+1 415 555 0199')).CRM_CREATED_LEAD;
    expect((await tracesOf(server, 'LEAD', organic)).map((trace) => trace.SOURCE_ID)).toEqual([0]);

    const report = await ok(server, 'salestrace.report.sources', { from: DAY, to: DAY });
    const leads = Object.fromEntries(report.rows.map((row: any) => [row.ID, row.STAGES.leads.quantity]));
    expect(leads).toEqual({ 1: 0, 2: 0, 3: 0, [adsSource]: 2, 0: 1 });
    expect(report.total.STAGES.leads.quantity).toBe(3);
  });
});
