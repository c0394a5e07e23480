// Webhook authentication (rest-protocol.md §1.5, §3.2, §8; core's apauth): each failure gets
// Bitrix's exact error, in core's order.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { addUser } from '../../src/auth/users.js';
import { createHmac } from 'node:crypto';
import { hashSecret } from '../../src/auth/secrets.js';
import { readSetting } from '../../src/system/settings.js';
import { addWebhook, setWebhookFlag } from '../../src/auth/webhooks.js';
import { request, startTestServer, type TestServer } from '../helpers/server.js';

const INVALID_CREDENTIALS = { error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' };
const INSUFFICIENT_SCOPE = {
  error: 'insufficient_scope',
  error_description: 'The request requires higher privileges than provided by the webhook token',
};

describe('webhook credentials', () => {
  let server: TestServer;
  const clock = new ManualClock(Date.UTC(2026, 4, 1, 12, 0, 0));
  const now = () => clock.now() / 1000;

  beforeAll(async () => {
    server = await startTestServer({ manualClock: clock });
  });
  afterAll(async () => {
    await server.close();
  });

  /** HMAC-SHA-256 of a code under the key stored in settings, computed here independently. */
  async function keyedHashOf(code: string): Promise<string> {
    const key = await readSetting(server.services.db, 'auth.webhook_hash_key');
    return createHmac('sha256', Buffer.from(key!, 'hex')).update(code).digest('hex');
  }

  async function webhookFor(userId: number, scopes: string[], extra: { code?: string; expiresAt?: number } = {}) {
    const { webhook, secret } = await addWebhook(server.services.db, { userId, scopes, ...extra }, now());
    return { id: webhook.id, base: `${server.httpUrl}/rest/${userId}/${secret}/`, secret };
  }

  it('answers a wrong secret, an unknown user and a secret of another user with INVALID_CREDENTIALS (401)', async () => {
    const bob = await addUser(server.services.db, { login: 'bob.credentials' }, now());
    const bobs = await webhookFor(bob.id, ['crm']);
    const urls = [
      `${server.httpUrl}/rest/1/not-the-secret/server.time`,
      `${server.httpUrl}/rest/999/${server.secret}/server.time`,
      `${server.httpUrl}/rest/1/${bobs.secret}/server.time`,
      `${server.httpUrl}/rest/0/${server.secret}/server.time`,
      `${server.httpUrl}/rest/01/${server.secret}/server.time`,
    ];
    for (const url of urls) {
      const answer = await request(url);
      expect(answer.status, url).toBe(401);
      expect(answer.body).toEqual(INVALID_CREDENTIALS);
    }
  });

  it('accepts the user LOGIN in the path instead of the numeric ID', async () => {
    const answer = await request(`${server.httpUrl}/rest/admin/${server.secret}/profile`);
    expect(answer.status).toBe(200);
    expect(answer.body.result.ID).toBe('1');
    const carol = await addUser(server.services.db, { login: 'carol.login-path' }, now());
    const hook = await webhookFor(carol.id, ['user']);
    const byLogin = await request(`${server.httpUrl}/rest/carol.login-path/${hook.secret}/user.current`);
    expect(byLogin.body.result.ID).toBe(String(carol.id));
  });

  it('checks scope after the credentials: insufficient_scope (401) for a method outside the webhook', async () => {
    const hook = await webhookFor(1, ['user']);
    const answer = await request(`${hook.base}salestrace.test.scoped`);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual(INSUFFICIENT_SCOPE);
    expect((await request(`${hook.base}user.current`)).status).toBe(200);
    // Global methods need no scope.
    expect((await request(`${hook.base}server.time`)).status).toBe(200);
  });

  it('lets user_brief or user_basic stand in for the user scope', async () => {
    for (const scope of ['user_brief', 'user_basic']) {
      const hook = await webhookFor(1, [scope]);
      expect((await request(`${hook.base}user.current`)).status, scope).toBe(200);
    }
  });

  it('answers an expired webhook with INVALID_CREDENTIALS from the moment it expires', async () => {
    const hook = await webhookFor(1, ['crm'], { expiresAt: now() + 60 });
    expect((await request(`${hook.base}server.time`)).status).toBe(200);
    clock.advance(59_000);
    expect((await request(`${hook.base}server.time`)).status).toBe(200);
    clock.advance(1_000);
    const expired = await request(`${hook.base}server.time`);
    expect(expired.status).toBe(401);
    expect(expired.body).toEqual(INVALID_CREDENTIALS);
  });

  it('answers a revoked webhook with INVALID_CREDENTIALS', async () => {
    const hook = await webhookFor(1, ['crm']);
    expect((await request(`${hook.base}server.time`)).status).toBe(200);
    await setWebhookFlag(server.services.db, hook.id, 'active', false);
    const revoked = await request(`${hook.base}server.time`);
    expect(revoked.status).toBe(401);
    expect(revoked.body).toEqual(INVALID_CREDENTIALS);
  });

  it('answers a held webhook with OVERLOAD_LIMIT, but only once scope is satisfied', async () => {
    const hook = await webhookFor(1, ['user']);
    await setWebhookFlag(server.services.db, hook.id, 'held', true);
    const held = await request(`${hook.base}server.time`);
    expect(held.status).toBe(401);
    expect(held.body).toEqual({ error: 'OVERLOAD_LIMIT', error_description: 'REST API is blocked due to overload.' });
    expect((await request(`${hook.base}salestrace.test.scoped`)).body).toEqual(INSUFFICIENT_SCOPE);
  });

  it('answers a webhook of a deactivated user: authorization_error by ID, INVALID_CREDENTIALS by LOGIN', async () => {
    const dave = await addUser(server.services.db, { login: 'dave.inactive' }, now());
    const hook = await webhookFor(dave.id, ['user']);
    await server.services.db.updateTable('users').set({ active: 0 }).where('id', '=', dave.id).execute();
    const byId = await request(`${hook.base}server.time`);
    expect(byId.status).toBe(401);
    expect(byId.body).toEqual({ error: 'authorization_error', error_description: 'Unable to authorize user' });
    const byLogin = await request(`${server.httpUrl}/rest/dave.inactive/${hook.secret}/server.time`);
    expect(byLogin.body).toEqual(INVALID_CREDENTIALS);
  });

  it('uses a --code verbatim, including case', async () => {
    const hook = await webhookFor(1, ['crm'], { code: 'KnownCode_2026-ab' });
    expect(hook.secret).toBe('KnownCode_2026-ab');
    expect((await request(`${server.httpUrl}/rest/1/KnownCode_2026-ab/server.time`)).status).toBe(200);
    expect((await request(`${server.httpUrl}/rest/1/knowncode_2026-ab/server.time`)).body).toEqual(INVALID_CREDENTIALS);
  });

  it('refuses a chosen code shorter than 16 characters and stores nothing', async () => {
    const before = await server.services.db.selectFrom('webhooks').select('id').execute();
    await expect(webhookFor(1, ['crm'], { code: 'fifteen-chars-1' })).rejects.toThrow(
      'a webhook code must be 16-128 characters of letters, digits, "_" or "-"',
    );
    expect(await server.services.db.selectFrom('webhooks').select('id').execute()).toEqual(before);
    expect((await webhookFor(1, ['crm'], { code: 'sixteen-chars-01' })).secret).toBe('sixteen-chars-01');
  });

  it('keeps accepting a code stored by an earlier version (short, plain SHA-256) and re-hashes it with the key on first use', async () => {
    const db = server.services.db;
    const { id } = await db
      .insertInto('webhooks')
      .values({ user_id: 1, secret_hash: hashSecret('old8code'), scopes: 'crm', title: 'made by an older version', created_at: Math.floor(now()) })
      .returning('id')
      .executeTakeFirstOrThrow();
    const storedHash = async () => (await db.selectFrom('webhooks').select('secret_hash').where('id', '=', id).executeTakeFirstOrThrow()).secret_hash;
    expect((await request(`${server.httpUrl}/rest/1/old8codf/server.time`)).body).toEqual(INVALID_CREDENTIALS);
    expect(await storedHash()).toBe(hashSecret('old8code'));
    // Another user's path with the right code neither works nor upgrades it.
    expect((await request(`${server.httpUrl}/rest/2/old8code/server.time`)).body).toEqual(INVALID_CREDENTIALS);
    expect(await storedHash()).toBe(hashSecret('old8code'));

    expect((await request(`${server.httpUrl}/rest/1/old8code/server.time`)).status).toBe(200);
    expect(await storedHash()).toBe(await keyedHashOf('old8code'));
    expect((await request(`${server.httpUrl}/rest/1/old8code/server.time`)).status).toBe(200);
    expect((await request(`${server.httpUrl}/rest/1/old8codf/server.time`)).body).toEqual(INVALID_CREDENTIALS);
    // The code keeps its place: it cannot be given to a new webhook.
    await expect(webhookFor(1, ['crm'], { code: 'old8code'.repeat(2) })).resolves.toBeDefined();
    await expect(webhookFor(1, ['crm'], { code: 'old8code'.repeat(2) })).rejects.toThrow(/that code is already used/);
  });

  it('stores new codes as HMAC-SHA-256 under the installation key, not as plain SHA-256', async () => {
    const hook = await webhookFor(1, ['crm'], { code: 'keyed-code-00001' });
    const row = await server.services.db.selectFrom('webhooks').select('secret_hash').where('id', '=', hook.id).executeTakeFirstOrThrow();
    expect(row.secret_hash).toBe(await keyedHashOf('keyed-code-00001'));
    expect(row.secret_hash).not.toBe(hashSecret('keyed-code-00001'));
    const key = await readSetting(server.services.db, 'auth.webhook_hash_key');
    expect(key).toMatch(/^[0-9a-f]{64}$/);
  });

  it('refuses a new code that an earlier version stored in plain SHA-256', async () => {
    await server.services.db
      .insertInto('webhooks')
      .values({ user_id: 1, secret_hash: hashSecret('legacy-code-0001'), scopes: 'crm', title: 'older', created_at: Math.floor(now()) })
      .execute();
    await expect(webhookFor(1, ['crm'], { code: 'legacy-code-0001' })).rejects.toThrow(/that code is already used by webhook \d+/);
  });

  it('stores only a hash of the secret', async () => {
    const rows = await server.services.db.selectFrom('webhooks').select(['secret_hash']).execute();
    for (const row of rows) {
      expect(row.secret_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(row.secret_hash).not.toContain(server.secret);
    }
  });
});

describe('HTTPS requirement (§8, `--require-https`)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { requireHttps: true, trustProxy: true } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses a webhook over plain HTTP with INVALID_REQUEST "Https required." (401)', async () => {
    const answer = await request(`${server.webhookUrl}server.time`);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'INVALID_REQUEST', error_description: 'Https required.' });
  });

  it('serves the webhook over HTTPS and behind a proxy that says X-Forwarded-Proto: https', async () => {
    expect((await request(`${server.webhookHttpsUrl}server.time`)).status).toBe(200);
    const proxied = await request(`${server.webhookUrl}server.time`, { headers: { 'x-forwarded-proto': 'https' } });
    expect(proxied.status).toBe(200);
  });

  it('does not apply the check to the token form', async () => {
    expect((await request(`${server.httpUrl}/rest/server.time`)).body.error).toBe('NO_AUTH_FOUND');
  });
});

describe('plan gate', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { plan: 'free' } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('answers a webhook on the free plan with ACCESS_DENIED (401)', async () => {
    const answer = await request(`${server.webhookUrl}server.time`);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'ACCESS_DENIED', error_description: 'REST is available only on commercial plans.' });
  });
});
