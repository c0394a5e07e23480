// The call activities a finished call leaves, read back through crm.activity.get/list/fields and
// removed through crm.activity.delete, with the read and write permissions of the bound items.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { formatDateC } from '../../src/rest/time.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { userWithGrants } from '../crm/helpers.js';
import { fails, ok } from './helpers.js';

const START = Date.UTC(2026, 3, 1, 8, 0, 0);
let server: TestServer;
let clock: ManualClock;
let caller = 300;

beforeAll(async () => {
  clock = new ManualClock(START);
  server = await startTestServer({ manualClock: clock });
});
afterAll(async () => {
  await server.close();
});

/** A call from a new number that creates a lead, finished after `duration` seconds. */
async function call(options: { type?: number; duration?: number; assign?: number } = {}): Promise<{ lead: number; activity: number; phone: string; start: number }> {
  const phone = `+1 202 555 0${++caller}`;
  const start = Math.floor(clock.now() / 1000);
  const reg = await ok(server, 'telephony.externalCall.register', { USER_ID: 1, TYPE: options.type ?? 2, PHONE_NUMBER: phone, CRM_CREATE: 1, LINE_NUMBER: '+1 415 555 0101' });
  clock.advance((options.duration ?? 0) * 1000);
  const record = await ok(server, 'telephony.externalCall.finish', { CALL_ID: reg.CALL_ID, USER_ID: options.assign ?? 1, DURATION: options.duration ?? 0 });
  clock.advance(60_000);
  return { lead: reg.CRM_CREATED_LEAD, activity: record.CRM_ACTIVITY_ID, phone, start };
}

describe('crm.activity.get', () => {
  it('prints a call activity with every field', async () => {
    const c = await call({ duration: 42 });
    const activity = await ok(server, 'crm.activity.get', { id: c.activity });
    expect(activity).toEqual({
      ID: String(c.activity),
      OWNER_ID: String(c.lead),
      OWNER_TYPE_ID: '1',
      TYPE_ID: '2',
      PROVIDER_ID: 'VOXIMPLANT_CALL',
      PROVIDER_TYPE_ID: 'CALL',
      PROVIDER_GROUP_ID: null,
      ASSOCIATED_ENTITY_ID: '0',
      SUBJECT: `Incoming call from ${c.phone}`,
      START_TIME: formatDateC(c.start),
      END_TIME: formatDateC(c.start + 42),
      DEADLINE: formatDateC(c.start),
      COMPLETED: 'Y',
      STATUS: '2',
      RESPONSIBLE_ID: '1',
      PRIORITY: '2',
      NOTIFY_TYPE: '0',
      NOTIFY_VALUE: '0',
      DESCRIPTION: '',
      DESCRIPTION_TYPE: '1',
      DIRECTION: '1',
      LOCATION: '',
      CREATED: formatDateC(c.start + 42),
      AUTHOR_ID: '1',
      LAST_UPDATED: formatDateC(c.start + 42),
      EDITOR_ID: '1',
      SETTINGS: [],
      ORIGIN_ID: expect.stringMatching(/^VI_externalCall\./),
      ORIGINATOR_ID: null,
      RESULT_STATUS: '0',
      RESULT_STREAM: '0',
      RESULT_SOURCE_ID: null,
      PROVIDER_PARAMS: [],
      PROVIDER_DATA: null,
      RESULT_MARK: '0',
      RESULT_VALUE: null,
      RESULT_SUM: null,
      RESULT_CURRENCY_ID: null,
      AUTOCOMPLETE_RULE: '0',
    });
  });

  it('a missed call is not completed and says so in SETTINGS', async () => {
    const c = await call();
    expect(await ok(server, 'crm.activity.get', { id: c.activity })).toMatchObject({ COMPLETED: 'N', STATUS: '1', SETTINGS: { MISSED_CALL: true }, SUBJECT: `Missed call from ${c.phone}` });
  });

  it('answers an unknown or invalid ID in the legacy shape', async () => {
    expect((await fails(server, 'crm.activity.get', { id: 987654 })).body).toEqual({ error: '', error_description: 'Activity is not found' });
    for (const params of [{}, { id: 0 }, { id: 'x' }]) {
      expect((await fails(server, 'crm.activity.get', params)).body).toEqual({ error: '', error_description: 'ID is not defined or invalid.' });
    }
  });
});

describe('crm.activity.fields', () => {
  it('describes the fields', async () => {
    const fields = await ok(server, 'crm.activity.fields');
    expect(Object.keys(fields)).toHaveLength(44);
    expect(fields.OWNER_TYPE_ID).toEqual({ type: 'crm_enum_ownertype', isRequired: false, isReadOnly: false, isImmutable: true, isMultiple: false, isDynamic: false, title: 'Owner Type' });
    expect(fields.COMMUNICATIONS).toMatchObject({ type: 'crm_activity_communication', isRequired: true, isMultiple: true });
  });
});

describe('crm.activity.list', () => {
  it('runs the docs\' example: filter by owner, order by ID descending, COMMUNICATIONS selected', async () => {
    const c = await call({ duration: 5 });
    const answer = await callJson(server, 'crm.activity.list', { order: { ID: 'DESC' }, filter: { OWNER_TYPE_ID: 1, OWNER_ID: c.lead }, select: ['*', 'COMMUNICATIONS'], start: 0 });
    expect(answer.status).toBe(200);
    expect(answer.body.total).toBe(1);
    expect(answer.body.result).toHaveLength(1);
    expect(answer.body.result[0]).toMatchObject({
      ID: String(c.activity),
      COMMUNICATIONS: [{ ID: String(c.activity), TYPE: 'PHONE', VALUE: c.phone, ENTITY_ID: String(c.lead), ENTITY_TYPE_ID: '1' }],
    });
  });

  it('filters with operators and BINDINGS, orders, selects and pages by 50', async () => {
    const made = [];
    for (let i = 0; i < 52; i++) made.push(await call({ duration: i % 2 === 0 ? 10 : 0, type: i % 3 === 0 ? 1 : 2 }));
    const ids = made.map((c) => c.activity);
    const first = await callJson(server, 'crm.activity.list', { filter: { '>=ID': ids[0] }, select: ['ID', 'DIRECTION'] });
    expect(first.body.total).toBe(52);
    expect(first.body.next).toBe(50);
    expect(first.body.result).toHaveLength(50);
    // Default order: START_TIME ascending.
    expect(first.body.result.map((row: any) => Number(row.ID))).toEqual(ids.slice(0, 50));
    expect(Object.keys(first.body.result[0])).toEqual(['ID', 'DIRECTION']);
    const second = await callJson(server, 'crm.activity.list', { filter: { '>=ID': ids[0] }, select: ['ID'], start: 50 });
    expect(second.body.result.map((row: any) => Number(row.ID))).toEqual(ids.slice(50));
    expect(second.body.next).toBeUndefined();

    const outgoing = await ok(server, 'crm.activity.list', { filter: { '>=ID': ids[0], DIRECTION: 2 }, order: { ID: 'desc' }, select: ['ID'] });
    expect(outgoing.map((row: any) => Number(row.ID))).toEqual(ids.filter((_, i) => i % 3 === 0).reverse());
    const missed = await ok(server, 'crm.activity.list', { filter: { '>=ID': ids[0], COMPLETED: 'N', '%SUBJECT': 'missed' }, select: ['ID'] });
    expect(missed.map((row: any) => Number(row.ID))).toEqual(ids.filter((_, i) => i % 2 === 1 && i % 3 !== 0));
    const some = await ok(server, 'crm.activity.list', { filter: { '@ID': [ids[3], ids[7]], '!ID': ids[7] }, select: ['ID'] });
    expect(some).toEqual([{ ID: String(ids[3]) }]);
    const bound = await ok(server, 'crm.activity.list', { filter: { BINDINGS: [{ OWNER_TYPE_ID: 1, OWNER_ID: made[5].lead }] }, select: ['ID', 'BINDINGS'] });
    expect(bound).toEqual([{ ID: String(ids[5]), BINDINGS: [{ OWNER_ID: String(made[5].lead), OWNER_TYPE_ID: '1' }] }]);
    const byDate = await ok(server, 'crm.activity.list', { filter: { '>=START_TIME': formatDateC(made[50].start) }, select: ['ID'] });
    expect(byDate.map((row: any) => Number(row.ID))).toEqual(ids.slice(50));
  });
});

describe('permissions', () => {
  it('reading follows the bound items; deleting needs the right to change the owner', async () => {
    const reader = await userWithGrants(server, { LEAD: { READ: 'OWN' } });
    const editor = await userWithGrants(server, { LEAD: { READ: 'ALL', WRITE: 'ALL' } });
    const nobody = await userWithGrants(server, null);
    const own = await call({ duration: 3, assign: reader.id });
    const foreign = await call({ duration: 3 });

    // The lead created by the call became the reader's at finish: they may read its activity.
    expect((await ok(server, 'crm.activity.get', { id: own.activity }, reader.base)).ID).toBe(String(own.activity));
    expect((await fails(server, 'crm.activity.get', { id: foreign.activity }, reader.base)).body).toEqual({ error: '', error_description: 'Access denied.' });
    expect((await fails(server, 'crm.activity.get', { id: own.activity }, nobody.base)).body).toEqual({ error: '', error_description: 'Access denied.' });
    const listed = await ok(server, 'crm.activity.list', { filter: { '@ID': [own.activity, foreign.activity] }, select: ['ID'] }, reader.base);
    expect(listed).toEqual([{ ID: String(own.activity) }]);
    expect(await ok(server, 'crm.activity.list', { filter: { '@ID': [own.activity, foreign.activity] } }, nobody.base)).toEqual([]);

    expect((await fails(server, 'crm.activity.delete', { id: own.activity }, reader.base)).body).toEqual({ error: '', error_description: 'Access denied.' });
    expect(await ok(server, 'crm.activity.delete', { id: foreign.activity }, editor.base)).toBe(true);
    expect((await fails(server, 'crm.activity.get', { id: foreign.activity })).body).toEqual({ error: '', error_description: 'Activity is not found' });
    expect((await fails(server, 'crm.activity.delete', { id: foreign.activity })).body).toEqual({ error: '', error_description: 'Activity is not found' });
    const rows = await server.services.db.selectFrom('call_activity_bindings').selectAll().where('activity_id', '=', foreign.activity).execute();
    expect(rows).toEqual([]);
    const stat = await server.services.db.selectFrom('telephony_statistics').select('crm_activity_id').where('crm_activity_id', '=', foreign.activity).execute();
    expect(stat).toEqual([]);
  });
});
