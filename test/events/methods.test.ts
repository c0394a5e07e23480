// event.bind, event.unbind, event.get, events and the offline queue (events.md §2), against a
// real server: exact answers, and the handler and queue rows they leave.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, callForm, startTestServer, type TestServer } from '../helpers/server.js';
import { callWithToken, createTestApp, createTestUser, grantTokens, type TestApp } from '../helpers/oauth.js';

let server: TestServer;
let app: TestApp;
let token: string;
let noCrm: TestApp;
let noCrmToken: string;
let userToken: string;
let userId: number;

beforeAll(async () => {
  server = await startTestServer({ config: { eventDelivery: false } });
  app = await createTestApp(server, ['crm']);
  token = (await grantTokens(server, app.app.id)).accessToken;
  noCrm = await createTestApp(server, ['user']);
  noCrmToken = (await grantTokens(server, noCrm.app.id)).accessToken;
  const user = await createTestUser(server);
  userId = user.id;
  userToken = (await grantTokens(server, app.app.id, user.id)).accessToken;
});
afterAll(() => server.close());

const HANDLER = 'https://handler.example.com/events/';
const call = (method: string, params: Record<string, unknown> = {}, auth = token) => callWithToken(server, method, auth, params);

function handlerRows() {
  return server.services.db
    .selectFrom('event_handlers')
    .select(['app_id', 'event_name', 'handler', 'user_id', 'connector_id'])
    .orderBy('id')
    .execute();
}

describe('event.bind', () => {
  it('refuses a webhook with WRONG_AUTH_TYPE before looking at the parameters', async () => {
    for (const method of ['event.bind', 'event.unbind', 'event.get', 'events', 'event.test', 'event.offline.get', 'event.offline.clear', 'event.offline.error', 'event.offline.list']) {
      const answer = await callJson(server, method, {});
      expect(answer.status, method).toBe(403);
      expect(answer.body).toEqual({ error: 'WRONG_AUTH_TYPE', error_description: 'Current authorization type is denied for this method' });
    }
    expect(await handlerRows()).toEqual([]);
  });

  it('checks the parameters in core order', async () => {
    const cases: [Record<string, unknown>, number, Record<string, unknown>, string?][] = [
      [{ handler: HANDLER }, 400, { error: 'ERROR_ARGUMENT', error_description: "Argument 'EVENT' is null or empty", argument: 'EVENT' }],
      [{ event: 'onCrmLeadAdd', event_type: 'sometimes' }, 400, { error: 'ERROR_ARGUMENT', error_description: 'Value must be one of {online|offline}', argument: 'EVENT_TYPE' }],
      [{ event: 'onCrmLeadAdd' }, 400, { error: 'ERROR_ARGUMENT', error_description: "Argument 'HANDLER' is null or empty", argument: 'HANDLER' }],
      [{ event: 'onCrmLeadAdd', handler: 'http://intranet/handler' }, 400, { error: 'ERROR_WRONG_HANDLER_URL', error_description: 'Wrong handler URL' }],
      [{ event: 'onCrmLeadAdd', handler: 'not a url' }, 400, { error: 'ERROR_WRONG_HANDLER_URL', error_description: 'Wrong handler URL' }],
      [{ event: 'onCrmLeadAdd', handler: 'ftp://files.example.com/x' }, 400, { error: 'ERROR_UNSUPPORTED_PROTOCOL', error_description: 'Unsupported handler protocol' }],
      [{ event: 'ONNOSUCHEVENT', handler: HANDLER }, 400, { error: 'ERROR_EVENT_NOT_FOUND', error_description: 'Event not found' }],
      [{ event: 'ONOFFLINEEVENT', event_type: 'offline' }, 400, { error: 'ERROR_ARGUMENT', error_description: 'Offline event cannot be registered for this event.', argument: 'EVENT_TYPE' }],
    ];
    for (const [params, status, body] of cases) {
      const answer = await call('event.bind', params);
      expect(answer.body, JSON.stringify(params)).toEqual(body);
      expect(answer.status).toBe(status);
    }
    // An event of a scope the app lacks is not found; a global one is.
    expect((await call('event.bind', { event: 'ONCRMLEADADD', handler: HANDLER }, noCrmToken)).body.error).toBe('ERROR_EVENT_NOT_FOUND');
    expect((await call('event.bind', { event: 'ONAPPTEST', handler: HANDLER }, noCrmToken)).body.result).toBe(true);
    expect(await handlerRows()).toEqual([{ app_id: noCrm.app.id, event_name: 'ONAPPTEST', handler: HANDLER, user_id: 0, connector_id: '' }]);
  });

  it('binds online and offline handlers, with loopback URLs, and refuses a duplicate', async () => {
    expect((await call('event.bind', { EVENT: 'onCrmLeadAdd', HANDLER: 'http://127.0.0.1:9/h' })).body).toMatchObject({ result: true });
    expect((await call('event.bind', { event: 'ONCRMLEADADD', handler: 'http://localhost:9/h', auth_type: 0 })).body.result).toBe(true);
    expect((await call('event.bind', { event: 'ONCRMLEADADD', handler: HANDLER, auth_type: userId })).body.result).toBe(true);
    expect((await call('event.bind', { event: 'ONCRMLEADUPDATE', event_type: 'OFFLINE', auth_connector: 'c1' })).body.result).toBe(true);
    const duplicate = await call('event.bind', { event: 'ONCRMLEADADD', handler: 'http://127.0.0.1:9/h' });
    expect(duplicate.status).toBe(400);
    expect(duplicate.body).toEqual({ error: 'ERROR_CORE', error_description: 'Unable to set event handler: Handler already binded' });
    const rows = (await handlerRows()).filter((r) => r.app_id === app.app.id);
    expect(rows).toEqual([
      { app_id: app.app.id, event_name: 'ONCRMLEADADD', handler: 'http://127.0.0.1:9/h', user_id: 0, connector_id: '' },
      { app_id: app.app.id, event_name: 'ONCRMLEADADD', handler: 'http://localhost:9/h', user_id: 0, connector_id: '' },
      { app_id: app.app.id, event_name: 'ONCRMLEADADD', handler: HANDLER, user_id: userId, connector_id: '' },
      { app_id: app.app.id, event_name: 'ONCRMLEADUPDATE', handler: '', user_id: 0, connector_id: 'c1' },
    ]);
  });

  it('holds a non-administrator to their own user and to online handlers', async () => {
    const other = await call('event.bind', { event: 'ONCRMDEALADD', handler: HANDLER, auth_type: 1 }, userToken);
    expect(other.status).toBe(403);
    expect(other.body).toEqual({ error: 'ACCESS_DENIED', error_description: 'Access denied! Event binding with AUTH_TYPE requires administrator access rights' });
    const offline = await call('event.bind', { event: 'ONCRMDEALADD', event_type: 'offline' }, userToken);
    expect(offline.status).toBe(403);
    expect(offline.body).toEqual({ error: 'ACCESS_DENIED', error_description: 'Access denied! Offline events binding requires administrator access rights' });
    expect((await call('event.bind', { event: 'ONCRMDEALADD', handler: HANDLER }, userToken)).body.result).toBe(true);
    const own = (await handlerRows()).filter((r) => r.event_name === 'ONCRMDEALADD');
    expect(own).toEqual([{ app_id: app.app.id, event_name: 'ONCRMDEALADD', handler: HANDLER, user_id: userId, connector_id: '' }]);
  });
});

describe('event.get, events, event.unbind', () => {
  it('lists the app handlers as the docs show them; a non-administrator sees their own', async () => {
    const all = await call('event.get');
    expect(all.body.result).toEqual([
      { event: 'ONCRMLEADADD', handler: 'http://127.0.0.1:9/h', auth_type: '0', offline: 0 },
      { event: 'ONCRMLEADADD', handler: 'http://localhost:9/h', auth_type: '0', offline: 0 },
      { event: 'ONCRMLEADADD', handler: HANDLER, auth_type: String(userId), offline: 0 },
      { event: 'ONCRMLEADUPDATE', connector_id: 'c1', offline: 1 },
      { event: 'ONCRMDEALADD', handler: HANDLER, auth_type: String(userId), offline: 0 },
    ]);
    const mine = await call('event.get', {}, userToken);
    expect(mine.body.result).toEqual([
      { event: 'ONCRMLEADADD', handler: HANDLER, auth_type: String(userId), offline: 0 },
      { event: 'ONCRMDEALADD', handler: HANDLER, auth_type: String(userId), offline: 0 },
    ]);
  });

  it('lists the events of the granted scopes, one scope, or all', async () => {
    const global = ['ONAPPUNINSTALL', 'ONAPPINSTALL', 'ONAPPTEST', 'ONOFFLINEEVENT'];
    const crm = ['LEAD', 'DEAL', 'CONTACT', 'COMPANY', 'QUOTE'].flatMap((t) => ['ADD', 'UPDATE', 'DELETE'].map((c) => `ONCRM${t}${c}`));
    expect((await call('events')).body.result).toEqual([...global, ...crm]);
    expect((await call('events', {}, noCrmToken)).body.result).toEqual(global);
    expect((await call('events', { FULL: true }, noCrmToken)).body.result).toEqual([...global, ...crm]);
    expect((await call('events', { SCOPE: 'crm' }, noCrmToken)).body.result).toEqual(crm);
  });

  it('unbinds by event and handler and counts what it removed', async () => {
    const empty = await call('event.unbind', { handler: HANDLER });
    expect(empty.body).toEqual({ error: 'ERROR_ARGUMENT', error_description: "Argument 'EVENT' is null or empty", argument: 'EVENT' });
    expect((await call('event.unbind', { event: 'ONCRMLEADADD' })).body.error_description).toBe("Argument 'HANDLER' is null or empty");
    const denied = await call('event.unbind', { event: 'ONCRMLEADADD', handler: HANDLER, auth_type: 1 }, userToken);
    expect(denied.status).toBe(403);
    expect(denied.body.error_description).toBe('Access denied! Event unbinding with AUTH_TYPE requires administrator access rights');
    const offlineDenied = await call('event.unbind', { event: 'ONCRMLEADUPDATE', event_type: 'offline' }, userToken);
    expect(offlineDenied.body.error_description).toBe('Access denied! Offline events unbinding requires administrator access rights');
    // A non-administrator's own ID from a form (a string) is accepted here (COMPATIBILITY.md).
    const form = await callForm(server, 'event.unbind', `event=ONCRMDEALADD&handler=${encodeURIComponent(HANDLER)}&auth_type=${userId}&auth=${userToken}`, `${server.httpUrl}/rest/`);
    expect(form.body.result).toEqual({ count: 1 });
    expect((await call('event.unbind', { event: 'ONCRMLEADADD', handler: 'http://nothing.example.com/' })).body.result).toEqual({ count: 0 });
    // The offline handler is found by the request's auth_connector.
    expect((await call('event.unbind', { event: 'ONCRMLEADUPDATE', event_type: 'offline' })).body.result).toEqual({ count: 0 });
    expect((await call('event.unbind', { event: 'ONCRMLEADUPDATE', event_type: 'offline', auth_connector: 'c1' })).body.result).toEqual({ count: 1 });
    expect((await handlerRows()).filter((r) => r.app_id === app.app.id).map((r) => r.handler)).toEqual(['http://127.0.0.1:9/h', 'http://localhost:9/h', HANDLER]);
  });
});

describe('the offline queue', () => {
  let offlineApp: TestApp;
  let offlineToken: string;
  const leadIds: number[] = [];

  function queue() {
    return server.services.db
      .selectFrom('event_offline')
      .select(['event_name', 'event_data', 'process_id', 'connector_id', 'error'])
      .where('app_id', '=', offlineApp.app.id)
      .orderBy('id')
      .execute();
  }

  beforeAll(async () => {
    offlineApp = await createTestApp(server, ['crm']);
    offlineToken = (await grantTokens(server, offlineApp.app.id)).accessToken;
    for (const event of ['ONCRMLEADADD', 'ONCRMLEADUPDATE']) {
      expect((await call('event.bind', { event, event_type: 'offline' }, offlineToken)).body.result).toBe(true);
    }
    for (let i = 0; i < 3; i++) leadIds.push((await callJson(server, 'crm.lead.add', { fields: { TITLE: `Lead ${i}` } })).body.result);
    // Two updates of one lead merge into one record: the queue keeps the latest state.
    await callJson(server, 'crm.lead.update', { id: leadIds[0], fields: { TITLE: 'again' } });
    await callJson(server, 'crm.lead.update', { id: leadIds[0], fields: { TITLE: 'and again' } });
  });

  it('queues one record per change, merging repeated identical ones', async () => {
    expect(await queue()).toEqual([
      ...leadIds.map((id) => ({ event_name: 'ONCRMLEADADD', event_data: JSON.stringify({ FIELDS: { ID: id } }), process_id: '', connector_id: '', error: 0 })),
      { event_name: 'ONCRMLEADUPDATE', event_data: JSON.stringify({ FIELDS: { ID: leadIds[0] } }), process_id: '', connector_id: '', error: 0 },
    ]);
  });

  it('does not queue the app own changes for its connector-less handlers', async () => {
    await call('crm.lead.update', { id: leadIds[1], fields: { TITLE: 'by the app itself' } }, offlineToken);
    expect((await queue()).length).toBe(4);
    await call('crm.lead.update', { id: leadIds[1], fields: { TITLE: 'by the app through a connector' }, auth_connector: 'other' }, offlineToken);
    expect((await queue()).length).toBe(5);
  });

  it('lists, reserves with process_id, marks errors and clears', async () => {
    const list = await call('event.offline.list', { filter: { EVENT_NAME: 'ONCRMLEADADD' } }, offlineToken);
    expect(list.body.total).toBe(3);
    expect(list.body.result.map((r: any) => [r.EVENT_NAME, r.EVENT_DATA, r.PROCESS_ID, r.ERROR])).toEqual(
      leadIds.map((id) => ['ONCRMLEADADD', { FIELDS: { ID: id } }, '', '0']),
    );
    expect(list.body.result[0].TIMESTAMP_X).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    expect(list.body.result[0].MESSAGE_ID).toMatch(/^[0-9a-f]{32}$/);

    const badLimit = await call('event.offline.get', { limit: 0 }, offlineToken);
    expect(badLimit.body).toEqual({ error: 'ERROR_ARGUMENT', error_description: 'Value must be positive integer', argument: 'LIMIT' });
    const denied = await call('event.offline.get', {}, userToken);
    expect(denied.status).toBe(403);
    expect(denied.body).toEqual({ error: 'ACCESS_DENIED', error_description: 'Access denied!' });

    const reserved = await call('event.offline.get', { clear: 0, limit: 2, order: { ID: 'ASC' } }, offlineToken);
    const processId = reserved.body.result.process_id;
    expect(processId).toMatch(/^[0-9a-f]{32}$/);
    expect(reserved.body.result.events.map((e: any) => [e.EVENT_NAME, e.EVENT_DATA])).toEqual([
      ['ONCRMLEADADD', { FIELDS: { ID: leadIds[0] } }],
      ['ONCRMLEADADD', { FIELDS: { ID: leadIds[1] } }],
    ]);
    expect(Object.keys(reserved.body.result.events[0])).toEqual(['ID', 'TIMESTAMP_X', 'EVENT_NAME', 'EVENT_DATA', 'EVENT_ADDITIONAL', 'MESSAGE_ID']);
    expect(reserved.body.result.events[0].EVENT_ADDITIONAL).toEqual({ user_id: 1 });
    // The same batch again by its process_id.
    const again = await call('event.offline.get', { clear: 0, process_id: processId }, offlineToken);
    expect(again.body.result.events.map((e: any) => e.ID)).toEqual(reserved.body.result.events.map((e: any) => e.ID));
    expect((await queue()).filter((r) => r.process_id === processId).length).toBe(2);

    // An empty process_id is refused: core would clear the whole unreserved queue (COMPATIBILITY.md).
    const empty = await call('event.offline.clear', { process_id: '' }, offlineToken);
    expect(empty.body).toEqual({ error: 'ERROR_ARGUMENT', error_description: "Argument 'PROCESS_ID' is null or empty", argument: 'PROCESS_ID' });
    expect((await queue()).length).toBe(5);
    expect((await call('event.offline.clear', { process_id: processId, id: ['x'] }, offlineToken)).body).toEqual({
      error: 'ERROR_ARGUMENT', error_description: 'Value must be array of integers', argument: 'ID',
    });
    expect((await call('event.offline.error', { process_id: processId, message_id: 'abc' }, offlineToken)).body).toEqual({
      error: 'ERROR_ARGUMENT', error_description: 'Value must be array of MESSAGE_ID values', argument: 'MESSAGE_ID',
    });

    // One of the batch fails: it is released and marked; the other is cleared.
    const [first, second] = reserved.body.result.events;
    expect((await call('event.offline.error', { process_id: processId, message_id: [first.MESSAGE_ID] }, offlineToken)).body.result).toBe(true);
    expect((await call('event.offline.clear', { process_id: processId, id: [Number(second.ID)] }, offlineToken)).body.result).toBe(true);
    expect((await queue()).map((r) => [r.event_name, JSON.parse(r.event_data).FIELDS.ID, r.process_id, r.error])).toEqual([
      ['ONCRMLEADADD', leadIds[0], '', 1],
      ['ONCRMLEADADD', leadIds[2], '', 0],
      ['ONCRMLEADUPDATE', leadIds[0], '', 0],
      ['ONCRMLEADUPDATE', leadIds[1], '', 0],
    ]);

    // The erroneous ones are read with error=1; a plain get reads and clears the rest.
    const errors = await call('event.offline.get', { error: 1 }, offlineToken);
    expect(errors.body.result.process_id).toBe(null);
    expect(errors.body.result.events.map((e: any) => e.EVENT_DATA.FIELDS.ID)).toEqual([leadIds[0]]);
    const rest = await call('event.offline.get', {}, offlineToken);
    expect(rest.body.result.events.map((e: any) => [e.EVENT_NAME, e.EVENT_DATA.FIELDS.ID])).toEqual([
      ['ONCRMLEADADD', leadIds[2]],
      ['ONCRMLEADUPDATE', leadIds[0]],
      ['ONCRMLEADUPDATE', leadIds[1]],
    ]);
    expect(await queue()).toEqual([]);
  });
});
