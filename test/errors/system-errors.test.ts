// Every system error of rest-protocol.md §3.2 and system-errors.md, produced by a real
// condition, with its status, code and text. The admin switches are flipped with the real
// command line (in the test process, on its own database connection) while the server runs.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWebhook } from '../../src/auth/webhooks.js';
import { CACHE_MS } from '../../src/system/portalState.js';
import { runCli, waitUntil } from '../helpers/cli.js';
import { callWithToken, createTestApp, createTestUser, grantTokens } from '../helpers/oauth.js';
import { callJson, request, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

function error(code: string, description: string) {
  return { error: code, error_description: description };
}

async function webhookWithScopes(scopes: string[], extra: { expiresAt?: number } = {}) {
  const { webhook, secret } = await addWebhook(server.services.db, { userId: 1, scopes, ...extra }, Date.now() / 1000);
  return { id: webhook.id, base: `${server.httpUrl}/rest/1/${secret}/` };
}

async function cli(...args: string[]) {
  const result = await runCli([...args, '--data', server.dataDir]);
  expect(result.stderr).not.toMatch(/salestrace:/);
  expect(result.code).toBe(0);
  return result.stdout;
}

describe('authentication family (401, as core answers it)', () => {
  it('NO_AUTH_FOUND: no credentials at all', async () => {
    const answer = await request(`${server.httpUrl}/rest/server.time`);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(error('NO_AUTH_FOUND', 'Wrong authorization data'));
  });

  it('INVALID_CREDENTIALS: a wrong secret, an unknown user, an expired or revoked webhook; authorization_error for a deactivated user', async () => {
    const expired = await webhookWithScopes(['user'], { expiresAt: Math.floor(Date.now() / 1000) - 1 });
    const revoked = await webhookWithScopes(['user']);
    await cli('webhook', 'revoke', String(revoked.id));
    const userHook = await createTestUser(server);
    const { secret } = await addWebhook(server.services.db, { userId: userHook.id, scopes: ['user'] }, Date.now() / 1000);
    await cli('user', 'deactivate', String(userHook.id));
    for (const base of [
      `${server.httpUrl}/rest/1/wrongsecret123/`,
      `${server.httpUrl}/rest/999/${server.secret}/`,
      expired.base,
      revoked.base,
    ]) {
      const answer = await callJson(server, 'server.time', {}, base);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(error('INVALID_CREDENTIALS', 'Invalid request credentials'));
    }
    // Core finds the webhook of a user addressed by ID, then fails to log the user in.
    const deactivated = await callJson(server, 'server.time', {}, `${server.httpUrl}/rest/${userHook.id}/${secret}/`);
    expect(deactivated.status).toBe(401);
    expect(deactivated.body).toEqual(error('authorization_error', 'Unable to authorize user'));
  });

  it('insufficient_scope: webhook text, for the call and for a batch row', async () => {
    const crmOnly = await webhookWithScopes(['crm']);
    const expected = error('insufficient_scope', 'The request requires higher privileges than provided by the webhook token');
    const answer = await callJson(server, 'user.current', {}, crmOnly.base);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(expected);
    const batch = await callJson(server, 'batch', { cmd: ['user.current'] }, crmOnly.base);
    expect(batch.status).toBe(200);
    // Core's batch raises the scope error without a text (rest_provider.php processBatchElement).
    expect(batch.body.result.result_error).toEqual([error('insufficient_scope', '')]);
  });

  it('OVERLOAD_LIMIT: webhook hold, then release', async () => {
    const hook = await webhookWithScopes(['user']);
    expect(await cli('webhook', 'hold', String(hook.id))).toBe(`webhook ${hook.id} held\n`);
    const held = await callJson(server, 'server.time', {}, hook.base);
    expect(held.status).toBe(401);
    expect(held.body).toEqual(error('OVERLOAD_LIMIT', 'REST API is blocked due to overload.'));
    expect((await runCli(['webhook', 'list', '--data', server.dataDir])).stdout).toMatch(new RegExp(`^${hook.id} .* Y\\s+Y`, 'm'));
    await cli('webhook', 'release', String(hook.id));
    expect((await callJson(server, 'server.time', {}, hook.base)).status).toBe(200);
  });

  it('expired_token and invalid_token', async () => {
    const app = await createTestApp(server, ['user']);
    const pair = await grantTokens(server, app.app.id);
    // An hour has passed, as far as this token is concerned.
    await server.services.db.updateTable('oauth_tokens').set({ access_expires_at: Math.floor(Date.now() / 1000) }).where('app_id', '=', app.app.id).execute();
    const expired = await callWithToken(server, 'server.time', pair.accessToken);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual(error('expired_token', 'The access token provided has expired'));
    const invalid = await callWithToken(server, 'server.time', 'not-a-token');
    expect(invalid.status).toBe(401);
    expect(invalid.body).toEqual(error('invalid_token', 'The access token provided is invalid'));
  });

  it('user_access_error, APPLICATION_NOT_FOUND and authorization_error through app restrict, app disable and user deactivate', async () => {
    const app = await createTestApp(server, ['user']);
    const person = await createTestUser(server);
    const pair = await grantTokens(server, app.app.id, person.id);
    expect(await cli('app', 'restrict', '--app', String(app.app.id), '--users', '1')).toBe(`application ${app.app.id} restricted to users 1\n`);
    let answer = await callWithToken(server, 'server.time', pair.accessToken);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(error('user_access_error', 'The user does not have access to the application.'));
    await cli('app', 'restrict', '--app', String(app.app.id), '--all');
    expect((await callWithToken(server, 'server.time', pair.accessToken)).status).toBe(200);

    await cli('app', 'disable', '--app', String(app.app.id));
    answer = await callWithToken(server, 'server.time', pair.accessToken);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(error('APPLICATION_NOT_FOUND', 'Application not found'));
    await cli('app', 'enable', '--app', String(app.app.id));

    await cli('user', 'deactivate', String(person.id));
    answer = await callWithToken(server, 'server.time', pair.accessToken);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(error('authorization_error', 'Unable to authorize user'));
    await cli('user', 'activate', String(person.id));
    expect((await callWithToken(server, 'server.time', pair.accessToken)).status).toBe(200);
  });
});

describe('server-wide switches', () => {
  it('PORTAL_DELETED: portal close is seen by the running server within the cache time, before method lookup and auth', async () => {
    const closed = error('PORTAL_DELETED', 'Portal was deleted');
    expect(await cli('portal', 'close')).toBe('portal closed\n');
    const tookMs = await waitUntil(async () => (await callJson(server, 'server.time')).status === 403, CACHE_MS + 1500);
    expect(tookMs).toBeLessThan(CACHE_MS + 1000);
    expect((await callJson(server, 'server.time')).body).toEqual(closed);
    expect((await request(`${server.httpUrl}/rest/server.time`)).body).toEqual(closed);
    expect((await callJson(server, 'no.such.method')).body).toEqual(closed);
    expect((await callWithToken(server, 'server.time', 'garbage')).body).toEqual(closed);
    expect((await runCli(['portal', 'status', '--data', server.dataDir])).stdout).toBe('closed\n');
    await cli('portal', 'open');
    await waitUntil(async () => (await callJson(server, 'server.time')).status === 200, CACHE_MS + 1500);
    expect((await runCli(['portal', 'status', '--data', server.dataDir])).stdout).toBe('open\n');
  });

  it('ACCESS_DENIED: the free plan has no REST, for webhooks and for app tokens', async () => {
    const free = await startTestServer({ config: { plan: 'free' } });
    try {
      const expected = error('ACCESS_DENIED', 'REST is available only on commercial plans.');
      const hook = await callJson(free, 'server.time');
      expect(hook.status).toBe(401);
      expect(hook.body).toEqual(expected);
      const app = await createTestApp(free, ['user']);
      const pair = await grantTokens(free, app.app.id);
      const token = await callWithToken(free, 'server.time', pair.accessToken);
      expect(token.status).toBe(401);
      expect(token.body).toEqual(expected);
    } finally {
      await free.close();
    }
  });

  it('INVALID_REQUEST: a webhook over plain HTTP with --require-https', async () => {
    const strict = await startTestServer({ config: { requireHttps: true } });
    try {
      const answer = await callJson(strict, 'server.time');
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(error('INVALID_REQUEST', 'Https required.'));
    } finally {
      await strict.close();
    }
  });
});

describe('limits', () => {
  it('QUERY_LIMIT_EXCEEDED 503 and OPERATION_TIME_LIMIT 429', async () => {
    const limited = await startTestServer({ manualClock: true, config: { plan: 'standard', rateBurst: '1', operatingLimitSeconds: '1' } });
    try {
      // The work call moves the clock by 2 s, which also drains the bucket.
      const work = await callJson(limited, 'salestrace.test.work', { seconds: 2 });
      expect(work.status).toBe(200);
      const operating = await callJson(limited, 'salestrace.test.work', { seconds: 2 });
      expect(operating.status).toBe(429);
      expect(operating.body).toEqual(error('OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.'));
      const rate = await callJson(limited, 'server.time');
      expect(rate.status).toBe(503);
      expect(rate.body).toEqual(error('QUERY_LIMIT_EXCEEDED', 'Too many requests'));
    } finally {
      await limited.close();
    }
  });
});

describe('method and batch errors', () => {
  it('ERROR_METHOD_NOT_FOUND 404', async () => {
    const answer = await callJson(server, 'no.such.method');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual(error('ERROR_METHOD_NOT_FOUND', 'Method not found!'));
  });

  it('ERROR_BATCH_METHOD_NOT_ALLOWED for a nested batch and ERROR_BATCH_LENGTH_EXCEEDED from the 51st row', async () => {
    const nested = await callJson(server, 'batch', { halt: 0, cmd: { inner: 'batch?cmd[0]=server.time', ok: 'server.time' } });
    expect(nested.status).toBe(200);
    expect(nested.body.result.result_error).toEqual({ inner: error('ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage') });
    const cmd = Array.from({ length: 52 }, () => 'server.time');
    const long = await callJson(server, 'batch', { halt: 0, cmd });
    expect(long.status).toBe(200);
    expect(Object.keys(long.body.result.result)).toHaveLength(50);
    expect(long.body.result.result_error).toEqual({
      50: error('ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded'),
      51: error('ERROR_BATCH_LENGTH_EXCEEDED', 'Max batch length exceeded'),
    });
  });

  it('INTERNAL_SERVER_ERROR 500 when the database is gone; the process keeps answering', async () => {
    const broken = await startTestServer();
    try {
      await broken.services.db.destroy();
      const answer = await callJson(broken, 'server.time');
      expect(answer.status).toBe(500);
      expect(answer.body).toEqual(error('INTERNAL_SERVER_ERROR', 'Internal server error'));
      expect((await callJson(broken, 'server.time')).status).toBe(500);
    } finally {
      await broken.close().catch(() => undefined);
    }
  });
});
