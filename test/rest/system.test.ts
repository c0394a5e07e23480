// System methods (rest-protocol.md §9; bitrix24-docs/api-reference/common/; core's CRestProvider).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KNOWN_SCOPES } from '../../src/auth/scopes.js';
import { addUser } from '../../src/auth/users.js';
import { addWebhook } from '../../src/auth/webhooks.js';
import { callGet, callJson, startTestServer, type TestServer } from '../helpers/server.js';

process.env.TZ = 'UTC';

let server: TestServer;
let userHook: string; // webhook of user 1 with the `user` scope only
beforeAll(async () => {
  server = await startTestServer();
  const { secret } = await addWebhook(server.services.db, { userId: 1, scopes: ['user', 'task'] }, Date.now() / 1000);
  userHook = `${server.httpUrl}/rest/1/${secret}/`;
});
afterAll(async () => {
  await server.close();
});

const GLOBAL = ['batch', 'methods', 'scope', 'method.get', 'server.time', 'profile', 'app.info'];

/** Names the registry holds for a scope, in registry order (other modules add methods). */
function registered(scope: string | null): string[] {
  return server.services.registry
    .all()
    .filter((m) => m.scope === scope)
    .map((m) => m.name);
}

describe('methods', () => {
  it('lists the global methods and those of the granted scopes by default', async () => {
    const answer = await callJson(server, 'methods', {}, userHook);
    expect(answer.body.result).toEqual([...registered(null), ...registered('user')]);
    expect(answer.body.result).toEqual(expect.arrayContaining([...GLOBAL, 'user.current']));
    expect(answer.body.result).not.toContain('salestrace.test.scoped');
  });

  it('lists one scope with scope=NAME and the global methods with an empty scope=', async () => {
    expect((await callJson(server, 'methods', { scope: 'crm' }, userHook)).body.result).toEqual(registered('crm'));
    expect((await callJson(server, 'methods', { scope: 'crm' }, userHook)).body.result).toContain('salestrace.test.scoped');
    expect((await callGet(server, 'methods', 'scope=', userHook)).body.result).toEqual(registered(null));
    expect((await callJson(server, 'methods', { scope: 'nonexistent' }, userHook)).body.result).toEqual([]);
  });

  it('lists everything with full=true; SCOPE wins over FULL; names are case-insensitive; "false" is true as in PHP', async () => {
    const all = server.services.registry.all().map((m) => m.name);
    const full = (await callJson(server, 'methods', { full: true }, userHook)).body.result;
    expect([...full].sort()).toEqual([...all].sort());
    expect((await callGet(server, 'methods', 'FULL=false', userHook)).body.result).toHaveLength(all.length);
    expect((await callJson(server, 'methods', { full: false }, userHook)).body.result).toEqual([...registered(null), ...registered('user')]);
    expect((await callJson(server, 'methods', { full: true, Scope: 'user' }, userHook)).body.result).toEqual(registered('user'));
  });
});

describe('scope', () => {
  it('lists the granted scopes that exist on this server, in the webhook`s order', async () => {
    // `task` is granted but no method uses it, so core's getAuthScope drops it.
    expect((await callJson(server, 'scope', {}, userHook)).body.result).toEqual(['user']);
  });

  it('lists every scope with full=true', async () => {
    const answer = await callJson(server, 'scope', { full: true }, userHook);
    expect(answer.body.result).toEqual(server.services.registry.scopes());
    expect(answer.body.result).toEqual(expect.arrayContaining(['user', 'crm']));
  });
});

describe('method.get', () => {
  it('reports existence and availability for the caller', async () => {
    const ask = async (name: unknown) => (await callJson(server, 'method.get', { name }, userHook)).body.result;
    expect(await ask('user.current')).toEqual({ isExisting: true, isAvailable: true });
    expect(await ask('salestrace.test.scoped')).toEqual({ isExisting: true, isAvailable: false });
    expect(await ask('batch')).toEqual({ isExisting: true, isAvailable: true });
    expect(await ask('no.such.method')).toEqual({ isExisting: false, isAvailable: false });
    expect(await ask('')).toEqual({ isExisting: false, isAvailable: false });
    expect(await ask(['user.current'])).toEqual({ isExisting: false, isAvailable: false });
    expect((await callJson(server, 'method.get', {}, userHook)).body.result).toEqual({ isExisting: false, isAvailable: false });
  });
});

describe('server.time', () => {
  it('answers date(\'c\')', async () => {
    const answer = await callJson(server, 'server.time');
    expect(answer.body.result).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    const serverSeconds = Date.parse(answer.body.result) / 1000;
    expect(Math.abs(serverSeconds - Date.now() / 1000)).toBeLessThan(5);
  });
});

describe('profile and user.current', () => {
  it('profile answers the documented fields with PHP types', async () => {
    const answer = await callJson(server, 'profile');
    expect(answer.text).toMatch(
      /^\{"result":\{"ID":"1","ADMIN":true,"NAME":"Administrator","LAST_NAME":"","PERSONAL_GENDER":"","TIME_ZONE":"","TIME_ZONE_OFFSET":0\},"time":/,
    );
  });

  it('profile reports a non-admin user and the offset of the user`s own zone', async () => {
    const user = await addUser(server.services.db, { login: 'erin.profile', name: 'Erin', lastName: 'Doe' }, Date.now() / 1000);
    await server.services.db.updateTable('users').set({ time_zone: 'Asia/Kolkata', gender: 'F' }).where('id', '=', user.id).execute();
    const { secret } = await addWebhook(server.services.db, { userId: user.id, scopes: ['user'] }, Date.now() / 1000);
    const answer = await callJson(server, 'profile', {}, `${server.httpUrl}/rest/${user.id}/${secret}/`);
    expect(answer.body.result).toEqual({
      ID: String(user.id),
      ADMIN: false,
      NAME: 'Erin',
      LAST_NAME: 'Doe',
      PERSONAL_GENDER: 'F',
      TIME_ZONE: 'Asia/Kolkata',
      TIME_ZONE_OFFSET: 19800,
    });
  });

  it('user.current needs the user scope and answers the user record', async () => {
    const denied = await callJson(server, 'user.current', {}, `${server.httpUrl}/rest/1/${(await addWebhook(server.services.db, { userId: 1, scopes: ['crm'] }, Date.now() / 1000)).secret}/`);
    expect(denied.status).toBe(401);
    expect(denied.body.error).toBe('insufficient_scope');
    const answer = await callJson(server, 'user.current', {}, userHook);
    expect(answer.body.result).toMatchObject({ ID: '1', ACTIVE: true, NAME: 'Administrator', EMAIL: '', TIME_ZONE: '', UF_DEPARTMENT: [] });
    expect(answer.body.result.DATE_REGISTER).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/);
    // Documented in batch.md's example (LAST_ACTIVITY_DATE) and the user pages (WORK_POSITION).
    expect(answer.body.result).toMatchObject({ IS_ONLINE: 'Y', WORK_POSITION: '' });
    const activity = answer.body.result.LAST_ACTIVITY_DATE as string;
    expect(activity).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(Math.abs(Date.parse(activity.replace(' ', 'T') + 'Z') - server.clock.now())).toBeLessThan(60_000);
  });
});

describe('app.info', () => {
  it('answers a webhook with its scopes and the self-hosted license', async () => {
    const answer = await callJson(server, 'app.info', {}, userHook);
    expect(answer.status).toBe(200);
    expect(answer.body.result).toEqual({ SCOPE: ['user'], LICENSE: 'en_selfhosted' });
  });

  it('answers the all-scope administrator webhook with the scopes that exist', async () => {
    // The first-start webhook holds every known scope, in KNOWN_SCOPES order.
    const existing = server.services.registry.scopes();
    const expected = KNOWN_SCOPES.filter((scope) => existing.includes(scope));
    expect(expected).toEqual(expect.arrayContaining(['crm', 'user']));
    expect((await callJson(server, 'app.info')).body.result).toEqual({ SCOPE: expected, LICENSE: 'en_selfhosted' });
  });
});
