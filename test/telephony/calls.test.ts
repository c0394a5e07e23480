// A PBX integration reporting calls (tracker-and-calls.md §4): telephony.externalCall.register
// and .finish over real sockets, with the leads they create attributed to the web visits that
// showed the pooled number (§4.3) or to the pool's source (§4.4).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addUser } from '../../src/auth/users.js';
import { addTrace } from '../tracking/helpers.js';
import { count, fails, ok, okForm, tracesOf, webVisit } from './helpers.js';

const START = Date.UTC(2026, 2, 2, 9, 0, 0);
const POOLED = '+1 (415) 555-0101';
let server: TestServer;
let clock: ManualClock;
let adsSource: number;
let caller = 100;
/** A caller number no test has used yet (an earlier caller would be found in CRM). */
const nextCaller = () => `+1 202 555 0${++caller}`;
const now = () => Math.floor(clock.now() / 1000);

beforeAll(async () => {
  clock = new ManualClock(START);
  server = await startTestServer({ manualClock: clock });
  adsSource = await ok(server, 'salestrace.source.add', { fields: { NAME: 'Ads', UTM_SOURCE: ['ads'], PHONE: ['4155550101'] } });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  // Each test starts outside the previous one's ten-minute and thirty-minute windows.
  clock.advance(3600_000);
});

function register(params: Record<string, unknown>) {
  return ok(server, 'telephony.externalCall.register', { USER_ID: 1, TYPE: 2, CRM_CREATE: 1, LINE_NUMBER: POOLED, ...params });
}

describe('an incoming call to a pooled number', () => {
  it('binds the web visit of 3 minutes before to the new lead, which inherits its source, pages and tags', async () => {
    const ts = now();
    const visit = await addTrace(server, webVisit(POOLED, 'ads', 'https://shop.example/spring?utm_source=ads', ts));
    clock.advance(3 * 60_000);
    const phone = nextCaller();
    const tracesBefore = await count(server, 'tracking_traces');
    const result = await register({ PHONE_NUMBER: phone, EXTERNAL_CALL_ID: 'asterisk-1.1' });
    expect(result).toEqual({
      CALL_ID: expect.stringMatching(new RegExp(`^externalCall\\.[0-9a-f]{32}\\.${now()}$`)),
      CRM_CREATED_LEAD: expect.any(Number),
      CRM_CREATED_ENTITIES: [{ ENTITY_TYPE: 'LEAD', ENTITY_ID: result.CRM_CREATED_LEAD }],
      CRM_ENTITY_TYPE: 'LEAD',
      CRM_ENTITY_ID: result.CRM_CREATED_LEAD,
    });
    // No trace was written: the visit's was bound.
    expect(await count(server, 'tracking_traces')).toBe(tracesBefore);
    const traces = await tracesOf(server, 'LEAD', result.CRM_CREATED_LEAD);
    expect(traces).toHaveLength(1);
    expect(traces[0]).toMatchObject({
      ID: visit,
      SOURCE_ID: adsSource,
      TAGS: { UTM_SOURCE: 'ads', UTM_CAMPAIGN: 'ads-campaign' },
      PAGES: [{ URL: 'https://shop.example/spring?utm_source=ads', DATE_INSERT: ts, TITLE: 'Page ads', IS_REF: 'N' }],
      CHANNELS: [
        { CODE: 'site-domain', VALUE: 'shop.example' },
        { CODE: 'call', VALUE: '14155550101' },
      ],
      ENTITIES: [{ TYPE: 'LEAD', ENTITY_TYPE_ID: 1, ID: result.CRM_CREATED_LEAD }],
    });
    const lead = await ok(server, 'crm.lead.get', { id: result.CRM_CREATED_LEAD });
    expect(lead).toMatchObject({
      TITLE: '+1 202 555 0' + caller + ' - Incoming call',
      SOURCE_ID: 'CALL',
      SOURCE_DESCRIPTION: 'Call to +1 415 555 0101',
      ASSIGNED_BY_ID: '1',
      PHONE: [{ ID: expect.any(String), VALUE_TYPE: 'WORK', VALUE: phone, TYPE_ID: 'PHONE' }],
      UTM_SOURCE: 'ads',
      UTM_CAMPAIGN: 'ads-campaign',
    });
  });

  it('gives two visitors of one number to the next two calls, oldest first', async () => {
    const first = await addTrace(server, webVisit('4155550101', 'first', 'https://shop.example/one', now()));
    clock.advance(60_000);
    const second = await addTrace(server, webVisit('+14155550101', 'second', 'https://shop.example/two', now()));
    clock.advance(60_000);
    const a = await register({ PHONE_NUMBER: nextCaller() });
    const b = await register({ PHONE_NUMBER: nextCaller() });
    const c = await register({ PHONE_NUMBER: nextCaller() });
    expect((await tracesOf(server, 'LEAD', a.CRM_CREATED_LEAD)).map((trace) => trace.ID)).toEqual([first]);
    expect((await tracesOf(server, 'LEAD', b.CRM_CREATED_LEAD)).map((trace) => trace.ID)).toEqual([second]);
    // A third call finds no visit left: a new trace with only the call channel, attributed by the pool.
    const third = await tracesOf(server, 'LEAD', c.CRM_CREATED_LEAD);
    expect(third).toHaveLength(1);
    expect(third[0]).toMatchObject({ SOURCE_ID: adsSource, TAGS: {}, PAGES: [], CHANNELS: [{ CODE: 'call', VALUE: '14155550101' }] });
    expect([first, second]).not.toContain(third[0].ID);
  });

  it('does not reuse a visit stored 11 minutes before: the lead gets a trace of its own from the pool', async () => {
    const visit = await addTrace(server, webVisit(POOLED, 'late', 'https://shop.example/late', now()));
    clock.advance(11 * 60_000);
    const result = await register({ PHONE_NUMBER: nextCaller() });
    const traces = await tracesOf(server, 'LEAD', result.CRM_CREATED_LEAD);
    expect(traces).toHaveLength(1);
    expect(traces[0].ID).not.toBe(visit);
    expect(traces[0]).toMatchObject({ SOURCE_ID: adsSource, CHANNELS: [{ CODE: 'call', VALUE: '14155550101' }] });
    const lead = await ok(server, 'crm.lead.get', { id: result.CRM_CREATED_LEAD });
    expect(lead.UTM_SOURCE).toBeNull();
  });

  it('at exactly 10 minutes the visit is too old (the window is strict)', async () => {
    const visit = await addTrace(server, webVisit(POOLED, 'edge', 'https://shop.example/edge', now()));
    clock.advance(10 * 60_000);
    const result = await register({ PHONE_NUMBER: nextCaller() });
    expect((await tracesOf(server, 'LEAD', result.CRM_CREATED_LEAD))[0].ID).not.toBe(visit);
    clock.advance(-9 * 60_000);
  });
});

describe('calls that reuse no visit', () => {
  it('a number in no pool: a new trace with the call channel, organic, and the visit for another number stays unbound', async () => {
    const visit = await addTrace(server, webVisit(POOLED, 'ads', 'https://shop.example/x', now()));
    clock.advance(60_000);
    const result = await register({ PHONE_NUMBER: nextCaller(), LINE_NUMBER: '+1 415 555 0199' });
    const traces = await tracesOf(server, 'LEAD', result.CRM_CREATED_LEAD);
    expect(traces).toHaveLength(1);
    expect(traces[0]).toMatchObject({ SOURCE_ID: 0, SOURCE: { ID: 0, CODE: 'organic' }, CHANNELS: [{ CODE: 'call', VALUE: '14155550199' }] });
    const visitTrace = await ok(server, 'salestrace.trace.get', { id: visit });
    expect(visitTrace).toMatchObject({ ID: visit, ENTITIES: [] });
  });

  it('a visit for an unpooled number is not reused even within ten minutes (§4.3: detection only for pooled numbers)', async () => {
    const visit = await addTrace(server, webVisit('+1 415 555 0177', 'np', 'https://shop.example/np', now()));
    clock.advance(60_000);
    const result = await register({ PHONE_NUMBER: nextCaller(), LINE_NUMBER: '+1 415 555 0177' });
    expect((await tracesOf(server, 'LEAD', result.CRM_CREATED_LEAD))[0].ID).not.toBe(visit);
  });

  it('an existing contact calling: no lead, the contact is the call entity, and no trace is written', async () => {
    const phone = nextCaller();
    const contact = await ok(server, 'crm.contact.add', { fields: { NAME: 'Ann', PHONE: [{ VALUE: phone.replace(/ /g, '-'), VALUE_TYPE: 'MOBILE' }] } });
    await addTrace(server, webVisit(POOLED, 'ads', 'https://shop.example/c', now()));
    const traces = await count(server, 'tracking_traces');
    const leads = await count(server, 'crm_lead');
    const result = await register({ PHONE_NUMBER: phone });
    expect(result).toEqual({ CALL_ID: expect.any(String), CRM_CREATED_LEAD: null, CRM_CREATED_ENTITIES: [], CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: contact });
    expect(await count(server, 'crm_lead')).toBe(leads);
    expect(await count(server, 'tracking_traces')).toBe(traces);
  });

  it('CRM_ENTITY_TYPE and CRM_ENTITY_ID name the call entity', async () => {
    const company = await ok(server, 'crm.company.add', { fields: { TITLE: 'Daisy LLC' } });
    const result = await register({ PHONE_NUMBER: nextCaller(), CRM_ENTITY_TYPE: 'COMPANY', CRM_ENTITY_ID: company });
    expect(result).toMatchObject({ CRM_CREATED_LEAD: null, CRM_ENTITY_TYPE: 'COMPANY', CRM_ENTITY_ID: company });
  });

  it('without CRM_CREATE nothing is created', async () => {
    const leads = await count(server, 'crm_lead');
    const result = await register({ PHONE_NUMBER: nextCaller(), CRM_CREATE: 0 });
    expect(result).toMatchObject({ CRM_CREATED_LEAD: null, CRM_CREATED_ENTITIES: [], CRM_ENTITY_TYPE: '', CRM_ENTITY_ID: null });
    expect(await count(server, 'crm_lead')).toBe(leads);
  });

  it('an outgoing call creates a lead titled as outgoing, with no trace; a line with CRM_AUTO_CREATE=N creates none', async () => {
    const traces = await count(server, 'tracking_traces');
    const out = await register({ PHONE_NUMBER: nextCaller(), TYPE: 1, CRM_SOURCE: 'WEB' });
    const lead = await ok(server, 'crm.lead.get', { id: out.CRM_CREATED_LEAD });
    expect(lead).toMatchObject({ TITLE: `+1 202 555 0${caller} - Outgoing call`, SOURCE_ID: 'WEB' });
    expect(await count(server, 'tracking_traces')).toBe(traces);
    expect(await tracesOf(server, 'LEAD', out.CRM_CREATED_LEAD)).toEqual([]);

    await ok(server, 'telephony.externalLine.add', { NUMBER: '+1 415 555 0150', CRM_AUTO_CREATE: 'N' });
    const none = await register({ PHONE_NUMBER: nextCaller(), TYPE: 1, LINE_NUMBER: '+1 415 555 0150' });
    expect(none.CRM_CREATED_LEAD).toBeNull();
    // Incoming calls on that line still create (CRM_AUTO_CREATE is for outgoing calls).
    const incoming = await register({ PHONE_NUMBER: nextCaller(), TYPE: 2, LINE_NUMBER: '+1 415 555 0150' });
    expect(incoming.CRM_CREATED_LEAD).toEqual(expect.any(Number));
  });

  it('an unknown CRM_SOURCE falls back to CALL; a callback is titled Callback', async () => {
    const result = await register({ PHONE_NUMBER: nextCaller(), TYPE: 4, CRM_SOURCE: 'NOPE' });
    expect(await ok(server, 'crm.lead.get', { id: result.CRM_CREATED_LEAD })).toMatchObject({ TITLE: `+1 202 555 0${caller} - Callback`, SOURCE_ID: 'CALL' });
  });
});

describe('re-registration', () => {
  it('returns the same CALL_ID within 30 minutes, and a new one after, or with another EXTERNAL_CALL_ID', async () => {
    const phone = nextCaller();
    const first = await register({ PHONE_NUMBER: phone, EXTERNAL_CALL_ID: 'pbx-1', CALL_START_DATE: '2026-03-02T12:00:00+03:00' });
    const leads = await count(server, 'crm_lead');
    clock.advance(29 * 60_000);
    // Start date and CRM fields are not keys.
    const again = await register({ PHONE_NUMBER: phone, EXTERNAL_CALL_ID: 'pbx-1', CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: 1 });
    expect(again).toEqual(first);
    expect(await count(server, 'crm_lead')).toBe(leads);
    const other = await register({ PHONE_NUMBER: phone, EXTERNAL_CALL_ID: 'pbx-2' });
    expect(other.CALL_ID).not.toBe(first.CALL_ID);
    clock.advance(2 * 60_000);
    const later = await register({ PHONE_NUMBER: phone, EXTERNAL_CALL_ID: 'pbx-1' });
    expect(later.CALL_ID).not.toBe(first.CALL_ID);
  });

  it('a finished call is not returned again', async () => {
    const phone = nextCaller();
    const first = await register({ PHONE_NUMBER: phone });
    await ok(server, 'telephony.externalCall.finish', { CALL_ID: first.CALL_ID, USER_ID: 1, DURATION: 10 });
    const next = await register({ PHONE_NUMBER: phone });
    expect(next.CALL_ID).not.toBe(first.CALL_ID);
  });
});

describe('telephony.externalCall.finish', () => {
  it('writes the statistics record and the call activity, and answers the documented record', async () => {
    const phone = nextCaller();
    const start = now();
    const reg = await register({ PHONE_NUMBER: phone, EXTERNAL_CALL_ID: 'pbx-fin' });
    clock.advance(95_000);
    const record = await ok(server, 'telephony.externalCall.finish', { CALL_ID: reg.CALL_ID, USER_ID: 1, DURATION: 95, STATUS_CODE: '200', VOTE: 5, ADD_TO_CHAT: 0, COST: '1.5', COST_CURRENCY: 'USD' });
    expect(record).toEqual({
      CALL_ID: reg.CALL_ID,
      EXTERNAL_CALL_ID: 'pbx-fin',
      PORTAL_USER_ID: 1,
      PHONE_NUMBER: phone,
      PORTAL_NUMBER: POOLED,
      INCOMING: '2',
      CALL_DURATION: 95,
      CALL_START_DATE: {},
      CALL_STATUS: 1,
      CALL_VOTE: 5,
      COST: 1.5,
      COST_CURRENCY: 'USD',
      CALL_FAILED_CODE: '200',
      CALL_FAILED_REASON: '',
      REST_APP_ID: null,
      REST_APP_NAME: null,
      CRM_ACTIVITY_ID: expect.any(Number),
      COMMENT: null,
      CRM_ENTITY_TYPE: 'LEAD',
      CRM_ENTITY_ID: reg.CRM_CREATED_LEAD,
      ID: expect.any(Number),
    });
    const activity = await server.services.db.selectFrom('call_activities').selectAll().where('id', '=', record.CRM_ACTIVITY_ID).executeTakeFirstOrThrow();
    expect(activity).toMatchObject({
      owner_type_id: 1,
      owner_id: reg.CRM_CREATED_LEAD,
      subject: `Incoming call from +1 202 555 0${caller}`,
      direction: 1,
      responsible_id: 1,
      origin_id: `VI_${reg.CALL_ID}`,
      missed: 0,
    });
    expect(Number(activity.start_time)).toBe(start);
    expect(Number(activity.end_time)).toBe(start + 95);
    expect(await server.services.db.selectFrom('telephony_calls').select('id').where('call_id', '=', reg.CALL_ID).execute()).toEqual([]);
    expect(await server.services.db.selectFrom('telephony_statistics').select(['id', 'call_id', 'cost']).where('call_id', '=', reg.CALL_ID).execute()).toEqual([
      { id: record.ID, call_id: reg.CALL_ID, cost: 1.5 },
    ]);
    // Finishing again: the call is gone.
    const again = await fails(server, 'telephony.externalCall.finish', { CALL_ID: reg.CALL_ID, USER_ID: 1 });
    expect(again.body).toEqual({ error: 'ERROR_CORE', error_description: 'Call is not found (call should be registered prior to finishing' });
  });

  it('defaults: no DURATION is a missed call (304) and an incoming missed call gets a missed-call activity', async () => {
    const reg = await register({ PHONE_NUMBER: nextCaller() });
    const record = await okForm(server, 'telephony.externalCall.finish', { CALL_ID: reg.CALL_ID, USER_ID: 1 });
    expect(record).toMatchObject({ CALL_DURATION: 0, CALL_STATUS: 0, CALL_FAILED_CODE: '304', CALL_VOTE: null, COST: 0, COST_CURRENCY: '' });
    const activity = await server.services.db.selectFrom('call_activities').selectAll().where('id', '=', record.CRM_ACTIVITY_ID).executeTakeFirstOrThrow();
    expect(activity).toMatchObject({ missed: 1, subject: `Missed call from +1 202 555 0${caller}` });
  });

  it('an outgoing call with 304 is not a missed call; a call without CRM item has no activity', async () => {
    const out = await register({ PHONE_NUMBER: nextCaller(), TYPE: 1 });
    const record = await ok(server, 'telephony.externalCall.finish', { CALL_ID: out.CALL_ID, USER_ID: 1, STATUS_CODE: '304' });
    const activity = await server.services.db.selectFrom('call_activities').selectAll().where('id', '=', record.CRM_ACTIVITY_ID).executeTakeFirstOrThrow();
    expect(activity).toMatchObject({ missed: 0, direction: 2, subject: `Outgoing call to +1 202 555 0${caller}` });
    const bare = await register({ PHONE_NUMBER: nextCaller(), CRM_CREATE: 0 });
    const bareRecord = await ok(server, 'telephony.externalCall.finish', { CALL_ID: bare.CALL_ID, USER_ID: 1, DURATION: 3 });
    expect(bareRecord).toMatchObject({ CRM_ACTIVITY_ID: null, CRM_ENTITY_TYPE: '', CRM_ENTITY_ID: null, CALL_STATUS: 1 });
  });

  it('reassigns the created lead to the user who answered, but not an existing contact', async () => {
    const agent = await addUser(server.services.db, { login: 'agent' }, now());
    const reg = await register({ PHONE_NUMBER: nextCaller() });
    await ok(server, 'telephony.externalCall.finish', { CALL_ID: reg.CALL_ID, USER_ID: agent.id, DURATION: 30 });
    expect((await ok(server, 'crm.lead.get', { id: reg.CRM_CREATED_LEAD })).ASSIGNED_BY_ID).toBe(String(agent.id));

    const phone = nextCaller();
    const contact = await ok(server, 'crm.contact.add', { fields: { NAME: 'Bob', PHONE: [{ VALUE: phone, VALUE_TYPE: 'WORK' }] } });
    const known = await register({ PHONE_NUMBER: phone });
    const record = await ok(server, 'telephony.externalCall.finish', { CALL_ID: known.CALL_ID, USER_ID: agent.id, DURATION: 30 });
    expect(record).toMatchObject({ CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: contact, PORTAL_USER_ID: agent.id, CRM_ACTIVITY_ID: expect.any(Number) });
    expect((await ok(server, 'crm.contact.get', { id: contact })).ASSIGNED_BY_ID).toBe('1');
  });
});

describe('concurrent calls', () => {
  it('two calls at once to one pooled number take two different visits', async () => {
    const first = await addTrace(server, webVisit(POOLED, 'c1', 'https://shop.example/c1', now()));
    const second = await addTrace(server, webVisit(POOLED, 'c2', 'https://shop.example/c2', now()));
    clock.advance(60_000);
    const [a, b] = await Promise.all([register({ PHONE_NUMBER: nextCaller() }), register({ PHONE_NUMBER: nextCaller() })]);
    const bound = [(await tracesOf(server, 'LEAD', a.CRM_CREATED_LEAD))[0].ID, (await tracesOf(server, 'LEAD', b.CRM_CREATED_LEAD))[0].ID];
    expect(bound.sort()).toEqual([first, second].sort());
  });
});
