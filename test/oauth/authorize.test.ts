// /oauth/authorize/ (settings/oauth/index.md step 1): the password form, the redirect with
// `code, state, domain, member_id, scope, server_domain`, and the code exchanged for tokens.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { restrictApp } from '../../src/auth/oauth/apps.js';
import { setUserActive } from '../../src/auth/users.js';
import type { ManualClock } from '../../src/clock.js';
import { callWithToken, createTestApp, createTestUser, type TestApp } from '../helpers/oauth.js';
import { request, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let app: TestApp;
let user: { id: number; login: string; password: string };

beforeAll(async () => {
  server = await startTestServer({ manualClock: true });
  app = await createTestApp(server, ['crm', 'user'], 'https://app.example.com/oauth/back?tenant=7');
  user = await createTestUser(server);
});
afterAll(async () => {
  await server.close();
});

function signIn(fields: Record<string, string>, headers: Record<string, string> = {}) {
  return fetch(`${server.httpUrl}/oauth/authorize/`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

describe('the form', () => {
  it('GET shows a sign-in form for a known client_id, escaping what it echoes', async () => {
    const state = '"><script>alert(1)</script>';
    const answer = await request(`${server.httpUrl}/oauth/authorize/?client_id=${app.clientId}&state=${encodeURIComponent(state)}`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(answer.headers.get('x-frame-options')).toBe('DENY');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expect(answer.text).toContain('<form method="post" action="/oauth/authorize/">');
    expect(answer.text).toContain(`name="client_id" value="${app.clientId}"`);
    expect(answer.text).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"');
    expect(answer.text).not.toContain('<script>');
    expect(answer.text).toContain('crm, user');
  });

  it('an unknown client_id gets an error page, not a redirect', async () => {
    const answer = await request(`${server.httpUrl}/oauth/authorize?client_id=local.unknown.1`);
    expect(answer.status).toBe(400);
    expect(answer.text).toContain('No active application has this client_id.');
  });
});

describe('signing in', () => {
  it('redirects to the registered redirect URI with code, state, domain, member_id, scope, server_domain', async () => {
    const response = await signIn({ client_id: app.clientId, state: 'xyz 1', login: user.login, password: user.password });
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get('location')!);
    expect(location.origin + location.pathname).toBe('https://app.example.com/oauth/back');
    const host = new URL(server.httpUrl).host;
    expect(Object.fromEntries(location.searchParams)).toEqual({
      tenant: '7',
      code: expect.stringMatching(/^[a-z0-9]{32}$/),
      state: 'xyz 1',
      domain: host,
      member_id: expect.stringMatching(/^[0-9a-f]{32}$/),
      scope: 'crm,user',
      server_domain: host,
    });
    expect(location.search).toContain('scope=crm%2Cuser');

    const tokens = await request(`${server.httpUrl}/oauth/token/?${new URLSearchParams({
      grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code: location.searchParams.get('code')!,
    })}`);
    expect(tokens.status).toBe(200);
    expect(tokens.body.user_id).toBe(user.id);
    expect(tokens.body.member_id).toBe(location.searchParams.get('member_id'));
    const me = await callWithToken(server, 'user.current', tokens.body.access_token);
    expect(me.body.result.ID).toBe(String(user.id));
  });

  it('a wrong password, an unknown login and a user without a password show the form again with 401', async () => {
    const admin = { login: 'admin', password: 'anything at all' }; // user 1 has no password
    for (const credentials of [{ login: user.login, password: 'wrong password' }, { login: 'ghost', password: user.password }, admin]) {
      const response = await signIn({ client_id: app.clientId, state: 's', ...credentials });
      expect(response.status).toBe(401);
      const html = await response.text();
      expect(html).toContain('Wrong login or password.');
      expect(html).toContain('name="state" value="s"');
    }
  });

  it('a deactivated user cannot sign in', async () => {
    const other = await createTestUser(server);
    await setUserActive(server.services.db, other.id, false);
    const response = await signIn({ client_id: app.clientId, login: other.login, password: other.password });
    expect(response.status).toBe(401);
  });

  it('a user the app is restricted away from gets the user_access_error text, and no code', async () => {
    const restricted = await createTestApp(server, ['user'], 'https://app.example.com/cb');
    await restrictApp(server.services.db, restricted.app.id, [1]);
    const codesBefore = await server.services.db.selectFrom('oauth_codes').selectAll().execute();
    const response = await signIn({ client_id: restricted.clientId, login: user.login, password: user.password });
    expect(response.status).toBe(403);
    expect(await response.text()).toContain('The user does not have access to the application.');
    expect(await server.services.db.selectFrom('oauth_codes').selectAll().execute()).toEqual(codesBefore);
  });

  it('an app without a redirect URI shows the code on the page', async () => {
    const manual = await createTestApp(server, ['user'], null);
    const response = await signIn({ client_id: manual.clientId, login: user.login, password: user.password });
    expect(response.status).toBe(200);
    const code = /<code>([a-z0-9]{32})<\/code>/.exec(await response.text())?.[1];
    expect(code).toBeDefined();
    const tokens = await request(`${server.httpUrl}/oauth/token/?${new URLSearchParams({
      grant_type: 'authorization_code', client_id: manual.clientId, client_secret: manual.clientSecret, code: code!,
    })}`);
    expect(tokens.status).toBe(200);
  });

  it('throttles failed sign-ins per client IP: ten, then 429 even for the right password', async () => {
    const throttled = await startTestServer({ manualClock: true, config: { trustProxy: true } });
    try {
      const target = await createTestApp(throttled, ['user'], 'https://app.example.com/cb');
      const person = await createTestUser(throttled);
      const from = (ip: string, password: string) =>
        fetch(`${throttled.httpUrl}/oauth/authorize/`, {
          method: 'POST',
          redirect: 'manual',
          headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': ip },
          body: new URLSearchParams({ client_id: target.clientId, login: person.login, password }).toString(),
        });
      for (let i = 0; i < 10; i++) expect((await from('198.51.100.1', 'wrong password')).status).toBe(401);
      const blocked = await from('198.51.100.1', person.password);
      expect(blocked.status).toBe(429);
      expect(await blocked.text()).toContain('Too many failed sign-ins');
      expect((await from('198.51.100.2', person.password)).status).toBe(302);
      (throttled.clock as ManualClock).advance(6000);
      expect((await from('198.51.100.1', person.password)).status).toBe(302);
    } finally {
      await throttled.close();
    }
  });
});
