// App tokens at /rest/ (rest-protocol.md §1.5, §3.2, §7, §9): where the token may travel, the
// checks in core's order with their exact errors, and app.info for an application.
import { B24OAuth } from '@bitrix24/b24jssdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TokenAuthenticator } from '../../src/auth/contract.js';
import { restrictApp, setAppActive } from '../../src/auth/oauth/apps.js';
import { setUserActive } from '../../src/auth/users.js';
import type { ManualClock } from '../../src/clock.js';
import { callWithToken, createTestApp, createTestUser, grantTokens, type TestApp } from '../helpers/oauth.js';
import { expectTimeBlock, request, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let clock: ManualClock;
let app: TestApp;

beforeAll(async () => {
  server = await startTestServer({ manualClock: true });
  clock = server.clock as ManualClock;
  app = await createTestApp(server, ['crm', 'user']);
});
afterAll(async () => {
  await server.close();
});

const INVALID_TOKEN = { error: 'invalid_token', error_description: 'The access token provided is invalid' };
const EXPIRED_TOKEN = { error: 'expired_token', error_description: 'The access token provided has expired' };

describe('where the token travels (Bearer first, then auth, then access_token)', () => {
  it('accepts Authorization: Bearer, auth in the query, auth in a form, access_token in JSON', async () => {
    const { accessToken } = await grantTokens(server, app.app.id);
    const bearer = await request(`${server.httpUrl}/rest/user.current`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(bearer.status).toBe(200);
    expect(bearer.body.result.ID).toBe('1');
    expectTimeBlock(bearer.body.time);
    expect((await request(`${server.httpUrl}/rest/server.time.json?auth=${accessToken}`)).status).toBe(200);
    const form = await request(`${server.httpUrl}/rest//profile/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `auth=${accessToken}`,
    });
    expect(form.status).toBe(200);
    expect(form.body.result.ADMIN).toBe(true);
    const json = await request(`${server.httpUrl}/rest/server.time`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ access_token: accessToken }),
    });
    expect(json.status).toBe(200);
  });

  it('the Bearer header wins over a wrong auth parameter', async () => {
    const { accessToken } = await grantTokens(server, app.app.id);
    const answer = await request(`${server.httpUrl}/rest/server.time?auth=wrong`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(answer.status).toBe(200);
  });

  it('no token at all: 401 NO_AUTH_FOUND', async () => {
    const answer = await request(`${server.httpUrl}/rest/server.time`);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' });
  });
});

describe('token errors (401, so b24jssdk refreshes on expired_token / invalid_token)', () => {
  it('an unknown token: invalid_token; a refresh token used as an access token: invalid_token', async () => {
    const pair = await grantTokens(server, app.app.id);
    for (const token of ['nonsense', pair.refreshToken]) {
      const answer = await callWithToken(server, 'server.time', token);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(INVALID_TOKEN);
    }
  });

  it('an expired access token: expired_token, exactly at its expiry', async () => {
    clock.set(Math.floor(clock.now() / 1000) * 1000);
    const pair = await grantTokens(server, app.app.id);
    clock.advance(3599_999);
    expect((await callWithToken(server, 'server.time', pair.accessToken)).status).toBe(200);
    clock.advance(1);
    const expired = await callWithToken(server, 'server.time', pair.accessToken);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual(EXPIRED_TOKEN);
  });

  it('a method outside the app scopes: insufficient_scope with the access-token text, also per batch row', async () => {
    const narrow = await createTestApp(server, ['crm']);
    const { accessToken } = await grantTokens(server, narrow.app.id);
    const denied = await callWithToken(server, 'user.current', accessToken);
    expect(denied.status).toBe(401);
    expect(denied.body).toEqual({
      error: 'insufficient_scope',
      error_description: 'The request requires higher privileges than provided by the access token',
    });
    const batch = await callWithToken(server, 'batch', accessToken, { cmd: { me: 'user.current', t: 'server.time' } });
    expect(batch.status).toBe(200);
    expect(batch.body.result.result_error).toEqual({
      me: { error: 'insufficient_scope', error_description: '' },
    });
    expect(Object.keys(batch.body.result.result)).toEqual(['t']);
  });

  it('a disabled app: APPLICATION_NOT_FOUND; enabled again, the token works', async () => {
    const temp = await createTestApp(server, ['user']);
    const { accessToken } = await grantTokens(server, temp.app.id);
    await setAppActive(server.services.db, temp.app.id, false);
    const answer = await callWithToken(server, 'server.time', accessToken);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'APPLICATION_NOT_FOUND', error_description: 'Application not found' });
    await setAppActive(server.services.db, temp.app.id, true);
    expect((await callWithToken(server, 'server.time', accessToken)).status).toBe(200);
  });

  it('a deactivated user: authorization_error', async () => {
    const user = await createTestUser(server);
    const { accessToken } = await grantTokens(server, app.app.id, user.id);
    expect((await callWithToken(server, 'profile', accessToken)).body.result.ID).toBe(String(user.id));
    await setUserActive(server.services.db, user.id, false);
    const answer = await callWithToken(server, 'profile', accessToken);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'authorization_error', error_description: 'Unable to authorize user' });
  });

  it('app restrict --users: others get user_access_error, listed users pass, --all lifts it', async () => {
    const temp = await createTestApp(server, ['user']);
    const user = await createTestUser(server);
    const admin = await grantTokens(server, temp.app.id, 1);
    const other = await grantTokens(server, temp.app.id, user.id);
    await restrictApp(server.services.db, temp.app.id, [user.id]);
    const denied = await callWithToken(server, 'server.time', admin.accessToken);
    expect(denied.status).toBe(401);
    expect(denied.body).toEqual({ error: 'user_access_error', error_description: 'The user does not have access to the application.' });
    expect((await callWithToken(server, 'server.time', other.accessToken)).status).toBe(200);
    await restrictApp(server.services.db, temp.app.id, null);
    expect((await callWithToken(server, 'server.time', admin.accessToken)).status).toBe(200);
  });

  it('checks in core order: an expired token of a disabled app reports the app first', async () => {
    const temp = await createTestApp(server, ['crm']);
    const pair = await grantTokens(server, temp.app.id);
    await setAppActive(server.services.db, temp.app.id, false);
    clock.advance(3600_000);
    expect((await callWithToken(server, 'user.current', pair.accessToken)).body.error).toBe('APPLICATION_NOT_FOUND');
    await setAppActive(server.services.db, temp.app.id, true);
    // expired before scope
    expect((await callWithToken(server, 'user.current', pair.accessToken)).body.error).toBe('expired_token');
  });

  it('an unknown method answers 404 before the token is looked at', async () => {
    const answer = await callWithToken(server, 'no.such.method', 'nonsense');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
  });
});

describe('app.info', () => {
  it('describes the application for an app token (app-info.md)', async () => {
    const { accessToken } = await grantTokens(server, app.app.id);
    const answer = await callWithToken(server, 'app.info', accessToken);
    expect(answer.status).toBe(200);
    expect(answer.body.result).toEqual({
      ID: app.app.id,
      CODE: app.clientId,
      VERSION: 1,
      STATUS: 'L',
      INSTALLED: true,
      PAYMENT_EXPIRED: 'N',
      DAYS: null,
      LANGUAGE_ID: 'en',
      LICENSE: 'en_selfhosted',
    });
  });

  it('operating time is kept per application and method', async () => {
    const a = await createTestApp(server, ['user']);
    const b = await createTestApp(server, ['user']);
    const ta = await grantTokens(server, a.app.id);
    const tb = await grantTokens(server, b.app.id);
    expect((await callWithToken(server, 'salestrace.test.work', ta.accessToken, { seconds: 5 })).body.time.operating).toBe(5);
    expect((await callWithToken(server, 'salestrace.test.work', ta.accessToken, { seconds: 5 })).body.time.operating).toBe(10);
    expect((await callWithToken(server, 'salestrace.test.work', tb.accessToken, { seconds: 1 })).body.time.operating).toBe(1);
  });
});

describe('b24jssdk B24OAuth', () => {
  it('refreshes through /oauth/token/ after a 401 expired_token and then succeeds', async () => {
    const pair = await grantTokens(server, app.app.id);
    const refreshes: string[] = [];
    // Watch which tokens reach the server, without changing what it answers.
    const services = server.services as { tokens: TokenAuthenticator };
    const original = services.tokens;
    const seen: string[] = [];
    services.tokens = {
      authenticate(token, scope) {
        seen.push(token);
        return original.authenticate(token, scope);
      },
    };
    try {
      const b24 = new B24OAuth(
        {
          applicationToken: '',
          userId: 1,
          memberId: 'm',
          accessToken: pair.accessToken,
          refreshToken: pair.refreshToken,
          // The SDK judges expiry by the real clock; the server's clock decides for real.
          expires: Math.floor(Date.now() / 1000) + 3600,
          expiresIn: 3600,
          scope: 'crm,user',
          domain: new URL(server.httpUrl).host,
          clientEndpoint: `${server.httpUrl}/rest/`,
          serverEndpoint: `${server.httpUrl}/rest/`,
          status: 'L',
        },
        { clientId: app.clientId, clientSecret: app.clientSecret },
        { restrictionParams: { rateLimit: { burstLimit: 10000, drainRate: 1000, adaptiveEnabled: false } } },
      );
      b24.offClientSideWarning();
      b24.setCallbackRefreshAuth(async ({ authData }) => {
        if (authData) refreshes.push(authData.access_token);
      });
      const first = await b24.actions.v2.call.make<{ ID: string }>({ method: 'user.current', params: {} });
      expect(first.isSuccess).toBe(true);
      expect(first.getData()!.result.ID).toBe('1');

      clock.advance(3601_000);
      const second = await b24.actions.v2.call.make<{ ID: string }>({ method: 'user.current', params: {} });
      expect(second.isSuccess).toBe(true);
      expect(second.getData()!.result.ID).toBe('1');
      expect(refreshes).toHaveLength(1);
      // Old token (expired), then the new one from the refresh.
      expect(seen).toEqual([pair.accessToken, pair.accessToken, refreshes[0]]);
      // The rotation retired the old refresh token.
      const reuse = await request(`${server.httpUrl}/oauth/token/?${new URLSearchParams({
        grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: pair.refreshToken,
      })}`);
      expect(reuse.body.error).toBe('invalid_grant');
    } finally {
      services.tokens = original;
    }
  });
});
