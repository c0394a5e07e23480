// /oauth/token/ (rest-protocol.md §7, settings/oauth/index.md, auto-renewal.md, error-codes.md).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/clock.js';
import { hashSecret } from '../../src/auth/secrets.js';
import { issueCode } from '../../src/auth/oauth/tokens.js';
import { callWithToken, createTestApp, createTestUser, grantTokens, type TestApp } from '../helpers/oauth.js';
import { request, startTestServer, type TestServer } from '../helpers/server.js';

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
beforeEach(() => {
  clock.set(Math.floor(clock.now() / 1000) * 1000);
});

function tokenGet(params: Record<string, string>) {
  return request(`${server.httpUrl}/oauth/token/?${new URLSearchParams(params)}`);
}

function tokenPost(params: Record<string, string>, path = '/oauth/token/') {
  return request(server.httpUrl + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params).toString(),
  });
}

function newCode(userId = 1): Promise<string> {
  return issueCode(server.services.db, app.app.id, userId, clock.now() / 1000);
}

function expectTokenAnswer(body: any, userId: number): void {
  const now = Math.floor(clock.now() / 1000);
  const host = new URL(server.httpUrl).host;
  expect(Object.keys(body).sort()).toEqual([
    'access_token', 'client_endpoint', 'domain', 'expires', 'expires_in', 'member_id', 'refresh_token', 'scope',
    'server_endpoint', 'status', 'user_id',
  ]);
  expect(body).toEqual({
    access_token: expect.stringMatching(/^[a-z0-9]{48}$/),
    refresh_token: expect.stringMatching(/^[a-z0-9]{48}$/),
    expires: now + 3600,
    expires_in: 3600,
    scope: 'crm,user',
    domain: host,
    server_endpoint: `${server.httpUrl}/rest/`,
    client_endpoint: `${server.httpUrl}/rest/`,
    member_id: expect.stringMatching(/^[0-9a-f]{32}$/),
    user_id: userId,
    status: 'L',
  });
  expect(body.access_token).not.toBe(body.refresh_token);
}

describe('grant_type=authorization_code', () => {
  it('exchanges a code by GET with a query (PHP SDK, docs) for every field of §7', async () => {
    const answer = await tokenGet({ grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code: await newCode() });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.headers.get('cache-control')).toBe('no-store');
    expectTokenAnswer(answer.body, 1);
    expect((await callWithToken(server, 'server.time', answer.body.access_token)).status).toBe(200);
  });

  it('exchanges a code by POST with a form (b24jssdk, CRest), also without the trailing slash', async () => {
    const answer = await tokenPost(
      { grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code: await newCode() },
      '/oauth/token',
    );
    expect(answer.status).toBe(200);
    expectTokenAnswer(answer.body, 1);
  });

  it('the member_id is the same in every answer', async () => {
    const a = await tokenGet({ grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code: await newCode() });
    const b = await tokenGet({ grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code: await newCode() });
    expect(a.body.member_id).toBe(b.body.member_id);
  });

  it('a code works once', async () => {
    const code = await newCode();
    const params = { grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code };
    expect((await tokenGet(params)).status).toBe(200);
    const again = await tokenGet(params);
    expect(again.status).toBe(400);
    expect(again.body).toEqual({ error: 'invalid_grant', error_description: 'The authorization code is invalid, expired or already used' });
  });

  it('a code lives 30 seconds', async () => {
    const fresh = await newCode();
    const stale = await newCode();
    clock.advance(29_999);
    expect((await tokenGet({ grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code: fresh })).status).toBe(200);
    clock.advance(1);
    const expired = await tokenGet({ grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code: stale });
    expect(expired.status).toBe(400);
    expect(expired.body.error).toBe('invalid_grant');
  });

  it("another application's code is refused and stays usable by its owner", async () => {
    const other = await createTestApp(server, ['user']);
    const code = await issueCode(server.services.db, other.app.id, 1, clock.now() / 1000);
    const wrong = await tokenGet({ grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toBe('invalid_grant');
  });

  it('stores codes and tokens only as hashes', async () => {
    const code = await newCode();
    const codes = await server.services.db.selectFrom('oauth_codes').selectAll().execute();
    expect(JSON.stringify(codes)).not.toContain(code);
    expect(codes.some((row) => row.code_hash === hashSecret(code))).toBe(true);
    const answer = await tokenGet({ grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code });
    const tokens = JSON.stringify(await server.services.db.selectFrom('oauth_tokens').selectAll().execute());
    const apps = JSON.stringify(await server.services.db.selectFrom('oauth_apps').selectAll().execute());
    expect(tokens).not.toContain(answer.body.access_token);
    expect(tokens).not.toContain(answer.body.refresh_token);
    expect(tokens).toContain(hashSecret(answer.body.access_token));
    expect(apps).not.toContain(app.clientSecret);
  });
});

describe('grant_type=refresh_token', () => {
  it('returns a new pair, retires the old refresh token and keeps the old access token until it expires', async () => {
    const first = await grantTokens(server, app.app.id);
    clock.advance(1800_000);
    const answer = await tokenPost({ grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: first.refreshToken });
    expect(answer.status).toBe(200);
    expectTokenAnswer(answer.body, 1);
    expect(answer.body.access_token).not.toBe(first.accessToken);
    expect(answer.body.refresh_token).not.toBe(first.refreshToken);

    const reuse = await tokenPost({ grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: first.refreshToken });
    expect(reuse.status).toBe(400);
    expect(reuse.body).toEqual({ error: 'invalid_grant', error_description: 'The refresh token is invalid, expired or already used' });

    expect((await callWithToken(server, 'server.time', first.accessToken)).status).toBe(200);
    expect((await callWithToken(server, 'server.time', answer.body.access_token)).status).toBe(200);
    clock.advance(1800_000);
    expect((await callWithToken(server, 'server.time', first.accessToken)).body.error).toBe('expired_token');
    expect((await callWithToken(server, 'server.time', answer.body.access_token)).status).toBe(200);

    // The new refresh token works in turn (by GET this time).
    const next = await tokenGet({ grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: answer.body.refresh_token });
    expect(next.status).toBe(200);
  });

  it('a refresh token lives 180 days', async () => {
    const early = await grantTokens(server, app.app.id);
    const late = await grantTokens(server, app.app.id);
    clock.advance(180 * 86400_000 - 1000);
    const ok = await tokenGet({ grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: early.refreshToken });
    expect(ok.status).toBe(200);
    clock.advance(1000);
    const expired = await tokenGet({ grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: late.refreshToken });
    expect(expired.status).toBe(400);
    expect(expired.body.error).toBe('invalid_grant');
  });

  it('issuing a pair keeps every other pair whose refresh token still lives, and drops only dead rows', async () => {
    const other = await createTestApp(server, ['user']);
    const db = server.services.db;
    const rowsOf = async (appId: number) =>
      (await db.selectFrom('oauth_tokens').select(['access_hash', 'refresh_hash']).where('app_id', '=', appId).execute()).length;
    const sleeping = await grantTokens(server, other.app.id); // its access token will expire, its refresh token not
    const rotated = await grantTokens(server, other.app.id);
    const refreshed = await tokenPost({ grant_type: 'refresh_token', client_id: other.clientId, client_secret: other.clientSecret, refresh_token: rotated.refreshToken });
    expect(refreshed.status).toBe(200);
    expect(await rowsOf(other.app.id)).toBe(3);
    clock.advance(2 * 3600_000); // every access token has expired; rotated's row is now of no use
    const secondUser = (await createTestUser(server)).id;
    const otherUser = await grantTokens(server, other.app.id, secondUser);
    // rotated's row (access expired, refresh retired) is gone; the others stay.
    expect(await rowsOf(other.app.id)).toBe(3);
    for (const [pair, userId] of [[sleeping, 1], [{ refreshToken: refreshed.body.refresh_token }, 1], [otherUser, secondUser]] as const) {
      const answer = await tokenGet({ grant_type: 'refresh_token', client_id: other.clientId, client_secret: other.clientSecret, refresh_token: pair.refreshToken });
      expect(answer.status, answer.text).toBe(200);
      // The new pair acts for the same user as the old one.
      expect(answer.body.user_id).toBe(userId);
      expect((await callWithToken(server, 'profile', answer.body.access_token)).body.result.ID).toBe(String(userId));
    }
  });

  it("refuses another application's refresh token", async () => {
    const other = await createTestApp(server, ['user']);
    const pair = await grantTokens(server, other.app.id);
    const wrong = await tokenGet({ grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: pair.refreshToken });
    expect(wrong.body.error).toBe('invalid_grant');
    const right = await tokenGet({ grant_type: 'refresh_token', client_id: other.clientId, client_secret: other.clientSecret, refresh_token: pair.refreshToken });
    expect(right.status).toBe(200);
    expect(right.body.scope).toBe('user');
  });
});

describe('errors (error-codes.md; statuses as the PHP SDK expects them)', () => {
  const invalidClient = {
    error: 'invalid_client',
    error_description: 'Invalid client_id or client_secret, or the application is not installed',
  };

  it('invalid_request 400 for a missing or unknown grant_type and a missing code or refresh_token', async () => {
    const none = await tokenGet({ client_id: app.clientId, client_secret: app.clientSecret });
    expect(none.status).toBe(400);
    expect(none.body).toEqual({ error: 'invalid_request', error_description: 'The grant_type parameter is missing' });
    const unknown = await tokenGet({ grant_type: 'password', client_id: app.clientId, client_secret: app.clientSecret });
    expect(unknown.status).toBe(400);
    expect(unknown.body).toEqual({ error: 'invalid_request', error_description: 'grant_type must be authorization_code or refresh_token' });
    const noCode = await tokenGet({ grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret });
    expect(noCode.body).toEqual({ error: 'invalid_request', error_description: 'The code parameter is missing' });
    const noRefresh = await tokenPost({ grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret });
    expect(noRefresh.status).toBe(400);
    expect(noRefresh.body).toEqual({ error: 'invalid_request', error_description: 'The refresh_token parameter is missing' });
    const arrayGrant = await request(`${server.httpUrl}/oauth/token/?grant_type[]=refresh_token`);
    expect(arrayGrant.body.error).toBe('invalid_request');
  });

  it('invalid_client 401 for a wrong secret, an unknown client_id, missing credentials or a disabled app', async () => {
    const code = await newCode();
    const attempts: Record<string, string>[] = [
      { client_id: app.clientId, client_secret: app.clientSecret + 'x' },
      { client_id: 'local.nope.1', client_secret: app.clientSecret },
      { client_id: app.clientId },
      {},
    ];
    for (const params of attempts) {
      const answer = await tokenGet({ grant_type: 'authorization_code', code, ...params });
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(invalidClient);
    }
    // The wrong secret did not burn the code.
    const disabledApp = await createTestApp(server, ['user']);
    const pair = await grantTokens(server, disabledApp.app.id);
    await server.services.db.updateTable('oauth_apps').set({ active: 0 }).where('id', '=', disabledApp.app.id).execute();
    const disabled = await tokenGet({ grant_type: 'refresh_token', client_id: disabledApp.clientId, client_secret: disabledApp.clientSecret, refresh_token: pair.refreshToken });
    expect(disabled.status).toBe(401);
    expect(disabled.body).toEqual(invalidClient);
    expect((await tokenGet({ grant_type: 'authorization_code', client_id: app.clientId, client_secret: app.clientSecret, code })).status).toBe(200);
  });

  it('changes nothing in the database when it refuses', async () => {
    const pair = await grantTokens(server, app.app.id);
    const before = await server.services.db.selectFrom('oauth_tokens').selectAll().orderBy('id').execute();
    await tokenGet({ grant_type: 'refresh_token', client_id: app.clientId, client_secret: 'wrong', refresh_token: pair.refreshToken });
    await tokenGet({ grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: 'x' + pair.refreshToken });
    expect(await server.services.db.selectFrom('oauth_tokens').selectAll().orderBy('id').execute()).toEqual(before);
  });
});
