// The telephony methods' parameters, defaults and every error text (tracker-and-calls.md §4.6),
// external lines per application and webhook, OAuth and webhook callers, the telephony scope,
// and a PBX simulated through the unmodified b24jssdk.
import { AjaxError, B24Hook } from '@bitrix24/b24jssdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, setUserActive } from '../../src/auth/users.js';
import { addWebhook } from '../../src/auth/webhooks.js';
import { callWithToken, createTestApp, grantTokens } from '../helpers/oauth.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { count, fails, ok, okForm } from './helpers.js';

let server: TestServer;
let b24: B24Hook;
const FAST = { rateLimit: { burstLimit: 10_000, drainRate: 1_000, adaptiveEnabled: false } };

beforeAll(async () => {
  server = await startTestServer();
  b24 = B24Hook.fromWebhookUrl(server.webhookHttpsUrl, { restrictionParams: FAST });
});
afterAll(async () => {
  await server.close();
});

const core = (text: string) => ({ error: 'ERROR_CORE', error_description: text });

async function webhookFor(scopes: string[], userId = 1): Promise<string> {
  const { secret } = await addWebhook(server.services.db, { userId, scopes }, Date.now() / 1000);
  return `${server.httpUrl}/rest/${userId}/${secret}/`;
}

describe('telephony.externalCall.register errors, in the core order', () => {
  const cases: [string, Record<string, unknown>, string][] = [
    ['no user at all', { PHONE_NUMBER: '+12025550100', TYPE: 2 }, 'USER_ID or USER_PHONE_INNER should be set'],
    ['USER_ID 0 is no user', { USER_ID: 0, PHONE_NUMBER: '+12025550100', TYPE: 2 }, 'USER_ID or USER_PHONE_INNER should be set'],
    ['a missing TYPE, before the number', { USER_ID: 1 }, 'Unknown TYPE'],
    ['TYPE 6', { USER_ID: 1, PHONE_NUMBER: '+12025550100', TYPE: 6 }, 'Unknown TYPE'],
    ['TYPE 0', { USER_ID: 1, PHONE_NUMBER: '+12025550100', TYPE: '0' }, 'Unknown TYPE'],
    ['a bad date, before the number', { USER_ID: 1, TYPE: 2, CALL_START_DATE: 'yesterday' }, 'CALL_START_DATE should be in the ISO-8601 format'],
    ['a date as a list', { USER_ID: 1, TYPE: 2, CALL_START_DATE: ['2026-01-01'] }, 'CALL_START_DATE should be in the ISO-8601 format'],
    ['no number', { USER_ID: 1, TYPE: 2 }, 'Unsupported phone number format'],
    ['a number without digits', { USER_ID: 1, TYPE: 2, PHONE_NUMBER: 'anonymous' }, 'Unsupported phone number format'],
    ['an unknown user, checked last', { USER_ID: 999, TYPE: 2, PHONE_NUMBER: '+12025550100' }, 'User is not found or is not active'],
    ['only an inner number (no user has one)', { USER_PHONE_INNER: '101', TYPE: 2, PHONE_NUMBER: '+12025550100' }, 'User is not found or is not active'],
  ];
  for (const [name, params, text] of cases) {
    it(name, async () => {
      const calls = await count(server, 'telephony_calls');
      const answer = await fails(server, 'telephony.externalCall.register', params);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual(core(text));
      expect(await count(server, 'telephony_calls')).toBe(calls);
    });
  }

  it('a deactivated user', async () => {
    const user = await addUser(server.services.db, { login: 'gone' }, Date.now() / 1000);
    await setUserActive(server.services.db, user.id, false);
    const answer = await fails(server, 'telephony.externalCall.register', { USER_ID: user.id, TYPE: 2, PHONE_NUMBER: '+12025550100' });
    expect(answer.body).toEqual(core('User is not found or is not active'));
  });

  it('accepts an ISO-8601 date with an offset and stores it', async () => {
    const result = await ok(server, 'telephony.externalCall.register', { USER_ID: 1, TYPE: 2, PHONE_NUMBER: '+12025550111', CALL_START_DATE: '2026-03-07T10:20:30+03:00' });
    const row = await server.services.db.selectFrom('telephony_calls').select(['start_at', 'portal_number']).where('call_id', '=', result.CALL_ID).executeTakeFirstOrThrow();
    expect(Number(row.start_at)).toBe(Date.UTC(2026, 2, 7, 7, 20, 30) / 1000);
    // Without LINE_NUMBER the portal number names the webhook (COMPATIBILITY.md).
    expect(row.portal_number).toMatch(/^REST_APP:webhook\.\d+$/);
  });
});

describe('telephony.externalCall.finish errors', () => {
  it('CALL_ID must be a string (a JSON number is not)', async () => {
    for (const params of [{ USER_ID: 1 }, { CALL_ID: 5, USER_ID: 1 }, { CALL_ID: ['x'], USER_ID: 1 }]) {
      const answer = await fails(server, 'telephony.externalCall.finish', params);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: 'INVALID_ARGUMENT', error_description: 'CALL_ID must be a string' });
    }
  });

  it('a user is required before the call is looked up', async () => {
    const answer = await fails(server, 'telephony.externalCall.finish', { CALL_ID: 'externalCall.none.1' });
    expect(answer.body).toEqual(core('USER_ID or USER_PHONE_INNER should be set'));
  });

  it('an unknown call', async () => {
    const statistics = await count(server, 'telephony_statistics');
    const answer = await fails(server, 'telephony.externalCall.finish', { CALL_ID: 'externalCall.none.1', USER_ID: 1 });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(core('Call is not found (call should be registered prior to finishing'));
    expect(await count(server, 'telephony_statistics')).toBe(statistics);
  });

  it('an unknown user finishing a known call leaves the call registered', async () => {
    const reg = await ok(server, 'telephony.externalCall.register', { USER_ID: 1, TYPE: 2, PHONE_NUMBER: '+12025550112' });
    const answer = await fails(server, 'telephony.externalCall.finish', { CALL_ID: reg.CALL_ID, USER_ID: 424242 });
    expect(answer.body).toEqual(core('User is not found or is not active'));
    expect((await ok(server, 'telephony.externalCall.finish', { CALL_ID: reg.CALL_ID, USER_ID: 1 })).CALL_ID).toBe(reg.CALL_ID);
  });
});

describe('show, hide and searchCrmEntities', () => {
  it('show and hide answer true for a live call and false otherwise', async () => {
    const reg = await ok(server, 'telephony.externalCall.register', { USER_ID: 1, TYPE: 2, PHONE_NUMBER: '+12025550113' });
    expect(await ok(server, 'telephony.externalCall.show', { CALL_ID: reg.CALL_ID, USER_ID: [1, 2] })).toBe(true);
    expect(await ok(server, 'telephony.externalCall.hide', { CALL_ID: reg.CALL_ID })).toBe(true);
    expect(await ok(server, 'telephony.externalCall.show', { CALL_ID: 'externalCall.x.1' })).toBe(false);
    expect(await ok(server, 'telephony.externalCall.hide', {})).toBe(false);
  });

  it('searchCrmEntities finds contacts, then companies, then leads by the normalised number', async () => {
    const lead = await ok(server, 'crm.lead.add', { fields: { TITLE: 'Lead L', PHONE: [{ VALUE: '202-555-0177', VALUE_TYPE: 'WORK' }] } });
    const company = await ok(server, 'crm.company.add', { fields: { TITLE: 'Daisy LLC', PHONE: [{ VALUE: '+1 (202) 555 0177', VALUE_TYPE: 'WORK' }] } });
    const contact = await ok(server, 'crm.contact.add', { fields: { NAME: 'John', LAST_NAME: 'Doe', PHONE: [{ VALUE: '12025550177', VALUE_TYPE: 'MOBILE' }] } });
    await ok(server, 'crm.contact.add', { fields: { NAME: 'Other', PHONE: [{ VALUE: '+1 202 555 0178', VALUE_TYPE: 'MOBILE' }] } });
    const assigned = { ID: '1', TIMEMAN_STATUS: 'NOT_INSTALLED', USER_PHONE_INNER: null, WORK_PHONE: null, PERSONAL_PHONE: null, PERSONAL_MOBILE: null };
    expect(await ok(server, 'telephony.externalCall.searchCrmEntities', { PHONE_NUMBER: '+1 202 555 0177' })).toEqual([
      { CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: contact, ASSIGNED_BY_ID: 1, NAME: 'John Doe', ASSIGNED_BY: assigned },
      { CRM_ENTITY_TYPE: 'COMPANY', CRM_ENTITY_ID: company, ASSIGNED_BY_ID: 1, NAME: 'Daisy LLC', ASSIGNED_BY: assigned },
      { CRM_ENTITY_TYPE: 'LEAD', CRM_ENTITY_ID: lead, ASSIGNED_BY_ID: 1, NAME: 'Lead L', ASSIGNED_BY: assigned },
    ]);
    expect(await ok(server, 'telephony.externalCall.searchCrmEntities', { PHONE_NUMBER: '+1 202 555 0100' })).toEqual([]);
    // A user without CRM permissions sees none of them.
    const user = await addUser(server.services.db, { login: 'nocrm' }, Date.now() / 1000);
    const hook = await webhookFor(['telephony'], user.id);
    expect(await ok(server, 'telephony.externalCall.searchCrmEntities', { PHONE_NUMBER: '+1 202 555 0177' }, hook)).toEqual([]);
  });

  it('reads numbers written without a country code in the default country (setting telephony.defaultCountry)', async () => {
    const contact = await ok(server, 'crm.contact.add', { fields: { NAME: 'Ivan', PHONE: [{ VALUE: '+7 906 219-50-47', VALUE_TYPE: 'WORK' }] } });
    const search = () => ok(server, 'telephony.externalCall.searchCrmEntities', { PHONE_NUMBER: '8 (906) 219-50-47' });
    // In the United States (the default), 8 906… is no Russian number.
    expect(await search()).toEqual([]);
    expect(await server.services.ports.telephony.setCountry('RU')).toBe(true);
    try {
      expect((await search()).map((row: any) => row.CRM_ENTITY_ID)).toEqual([contact]);
    } finally {
      await server.services.ports.telephony.setCountry('US');
    }
  });

  it('searchCrmEntities needs PHONE_NUMBER', async () => {
    const answer = await fails(server, 'telephony.externalCall.searchCrmEntities', {});
    expect(answer.body).toEqual(core('PHONE_NUMBER is empty'));
  });
});

describe('telephony.externalLine.*', () => {
  it('adds, lists, updates and deletes the caller\'s lines, with every error text', async () => {
    const hook = await webhookFor(['telephony']);
    expect(await ok(server, 'telephony.externalLine.get', {}, hook)).toEqual([]);
    const id = (await ok(server, 'telephony.externalLine.add', { NUMBER: ' 14151234567 ', NAME: 'Main External Line' }, hook)).ID;
    expect(id).toEqual(expect.any(Number));
    expect((await fails(server, 'telephony.externalLine.add', { NUMBER: '14151234567' }, hook)).body).toEqual(core('Line already exists'));
    expect((await fails(server, 'telephony.externalLine.add', { NUMBER: '  ' }, hook)).body).toEqual(core('NUMBER should not be empty'));
    await okForm(server, 'telephony.externalLine.add', { NUMBER: '14157654321', NAME: 'Support Line', CRM_AUTO_CREATE: 'N' }, hook);
    expect(await ok(server, 'telephony.externalLine.get', {}, hook)).toEqual([
      { NUMBER: '14151234567', NAME: 'Main External Line', CRM_AUTO_CREATE: 'Y' },
      { NUMBER: '14157654321', NAME: 'Support Line', CRM_AUTO_CREATE: 'N' },
    ]);
    // Lines are the webhook's own: another credential sees none and may add the same number.
    const other = await webhookFor(['telephony']);
    expect(await ok(server, 'telephony.externalLine.get', {}, other)).toEqual([]);
    await ok(server, 'telephony.externalLine.add', { NUMBER: '14151234567' }, other);

    expect(await ok(server, 'telephony.externalLine.update', { NUMBER: '14151234567', NAME: 'Support', CRM_AUTO_CREATE: 'N' }, hook)).toEqual({ ID: String(id) });
    expect((await fails(server, 'telephony.externalLine.update', { NUMBER: '14151234567' }, hook)).body).toEqual(core('There are no fields to update'));
    expect((await fails(server, 'telephony.externalLine.update', { NAME: 'x' }, hook)).body).toEqual(core('NUMBER should not be empty'));
    expect((await fails(server, 'telephony.externalLine.update', { NUMBER: '999', NAME: 'x' }, hook)).body).toEqual(core('Could not find line with number 999'));
    expect((await ok(server, 'telephony.externalLine.get', {}, hook))[0]).toEqual({ NUMBER: '14151234567', NAME: 'Support', CRM_AUTO_CREATE: 'N' });

    expect(await ok(server, 'telephony.externalLine.delete', { NUMBER: '14151234567' }, hook)).toEqual([]);
    expect((await fails(server, 'telephony.externalLine.delete', { NUMBER: '14151234567' }, hook)).body).toEqual(core('Could not find line with number 14151234567'));
    expect((await fails(server, 'telephony.externalLine.delete', {}, hook)).body).toEqual(core('NUMBER should not be empty'));
    expect(await ok(server, 'telephony.externalLine.get', {}, hook)).toEqual([{ NUMBER: '14157654321', NAME: 'Support Line', CRM_AUTO_CREATE: 'N' }]);
  });

  it('a call with a new LINE_NUMBER adds the line on the fly', async () => {
    const hook = await webhookFor(['telephony']);
    await ok(server, 'telephony.externalCall.register', { USER_ID: 1, TYPE: 2, PHONE_NUMBER: '+12025550114', LINE_NUMBER: '3' }, hook);
    expect(await ok(server, 'telephony.externalLine.get', {}, hook)).toEqual([{ NUMBER: '3', NAME: '', CRM_AUTO_CREATE: 'Y' }]);
  });
});

describe('callers', () => {
  it('needs the telephony scope', async () => {
    const hook = await webhookFor(['crm']);
    const answer = await callJson(server, 'telephony.externalCall.register', { USER_ID: 1, TYPE: 2, PHONE_NUMBER: '1' }, hook);
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('insufficient_scope');
  });

  it('accepts an application token: REST_APP_ID and the lines are the application\'s', async () => {
    const { app } = await createTestApp(server, ['telephony']);
    const { accessToken } = await grantTokens(server, app.id);
    const add = await callWithToken(server, 'telephony.externalLine.add', accessToken, { NUMBER: '14151234567', NAME: 'App line' });
    expect(add.status).toBe(200);
    const reg = await callWithToken(server, 'telephony.externalCall.register', accessToken, { USER_ID: 1, TYPE: 2, PHONE_NUMBER: '+12025550115' });
    expect(reg.status, reg.text).toBe(200);
    const fin = await callWithToken(server, 'telephony.externalCall.finish', accessToken, { CALL_ID: reg.body.result.CALL_ID, USER_ID: 1, DURATION: 5 });
    expect(fin.body.result).toMatchObject({ REST_APP_ID: String(app.id), REST_APP_NAME: app.clientId, PORTAL_NUMBER: `REST_APP:${app.id}` });
    const lines = await callWithToken(server, 'telephony.externalLine.get', accessToken);
    expect(lines.body.result).toEqual([{ NUMBER: '14151234567', NAME: 'App line', CRM_AUTO_CREATE: 'Y' }]);
  });
});

describe('a PBX through b24jssdk', () => {
  it('registers with the docs\' parameters and finishes the call', async () => {
    const contact = await ok(server, 'crm.contact.add', { fields: { NAME: 'Docs', PHONE: [{ VALUE: '79062195047', VALUE_TYPE: 'WORK' }] } });
    const registered = await b24.actions.v2.call.make<any>({
      method: 'telephony.externalCall.register',
      params: { USER_ID: 1, PHONE_NUMBER: '79062195047', TYPE: 2, CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: contact, SHOW: 1, LINE_NUMBER: '3', EXTERNAL_CALL_ID: 'asterisk-1710140185.18441' },
    });
    expect(registered.isSuccess).toBe(true);
    const result = registered.getData()!.result;
    expect(result).toEqual({ CALL_ID: expect.stringMatching(/^externalCall\.[0-9a-f]{32}\.\d+$/), CRM_CREATED_LEAD: null, CRM_CREATED_ENTITIES: [], CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: contact });
    const finished = await b24.actions.v2.call.make<any>({
      method: 'telephony.externalCall.finish',
      params: { CALL_ID: result.CALL_ID, USER_ID: 1, DURATION: 95, STATUS_CODE: '200', VOTE: 5, ADD_TO_CHAT: 0 },
    });
    expect(finished.isSuccess).toBe(true);
    expect(finished.getData()!.result).toMatchObject({ CALL_ID: result.CALL_ID, EXTERNAL_CALL_ID: 'asterisk-1710140185.18441', PHONE_NUMBER: '79062195047', PORTAL_NUMBER: '3', INCOMING: '2', CALL_DURATION: 95, CALL_START_DATE: {}, CALL_STATUS: 1, CALL_VOTE: 5, CRM_ENTITY_TYPE: 'CONTACT', CRM_ENTITY_ID: contact });
    const failed = await b24.actions.v2.call.make<any>({ method: 'telephony.externalCall.register', params: { USER_ID: 1, PHONE_NUMBER: '79062195047', TYPE: 9 } }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failed).toBeInstanceOf(AjaxError);
    expect((failed as AjaxError).message).toBe('Unknown TYPE');
    expect((failed as AjaxError).status).toBe(400);
  });
});

describe('bad input changes nothing and crashes nothing', () => {
  it('out-of-range and odd values', async () => {
    const reg = await ok(server, 'telephony.externalCall.register', {
      USER_ID: 1,
      TYPE: 2,
      PHONE_NUMBER: '+12025550120',
      CALL_LIST_ID: '99999999999999999999',
      CRM_ENTITY_TYPE: 'CONTACT',
      CRM_ENTITY_ID: '9999999999999',
      LINE_NUMBER: 'x'.repeat(80),
    });
    expect(reg).toMatchObject({ CRM_ENTITY_TYPE: '', CRM_ENTITY_ID: null });
    const row = await server.services.db.selectFrom('telephony_calls').select(['call_list_id', 'portal_number']).where('call_id', '=', reg.CALL_ID).executeTakeFirstOrThrow();
    expect(row).toEqual({ call_list_id: null, portal_number: 'x'.repeat(50) });
    const fin = await ok(server, 'telephony.externalCall.finish', { CALL_ID: reg.CALL_ID, USER_ID: '1', DURATION: '99999999999999', COST: '1e400', VOTE: 9, STATUS_CODE: 'weird' });
    expect(fin).toMatchObject({ CALL_DURATION: 2147483647, COST: 0, CALL_VOTE: null, CALL_FAILED_CODE: 'OTHER', CALL_STATUS: 0 });
    for (const params of [{ USER_ID: 'abc', TYPE: 2, PHONE_NUMBER: '1' }, { USER_ID: '99999999999999999999', TYPE: 2, PHONE_NUMBER: '1' }]) {
      expect((await fails(server, 'telephony.externalCall.register', params)).body).toEqual(core('User is not found or is not active'));
    }
  });
});
