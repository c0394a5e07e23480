// The running server keeps webhook credentials and the source matcher in memory
// (src/auth/credentialCache.ts, src/tracking/sourceMatcherCache.ts). Every change must still
// take effect on the very next request: from the `salestrace` CLI on its own connection, as
// from another process (the server cannot tell the difference: src/system/changeToken.ts), and
// through the server's own functions; for credentials also through raw SQL on the server's own
// connection (sources are versioned by the code that writes them, sourceMatcherCache.ts). Each
// test makes a request first, so the answer it then checks would come from a warm cache.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, setUserActive } from '../../src/auth/users.js';
import { addWebhook, setWebhookFlag } from '../../src/auth/webhooks.js';
import { runCli } from '../helpers/cli.js';
import { callJson, request, startTestServer, type TestServer } from '../helpers/server.js';

const INVALID_CREDENTIALS = { error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' };
const OVERLOAD_LIMIT = { error: 'OVERLOAD_LIMIT', error_description: 'REST API is blocked due to overload.' };
const AUTHORIZATION_ERROR = { error: 'authorization_error', error_description: 'Unable to authorize user' };

let server: TestServer;
const now = () => Date.now() / 1000;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

async function cli(...args: string[]): Promise<void> {
  const result = await runCli([...args, '--data', server.dataDir]);
  expect(result.code, result.stderr).toBe(0);
}

async function newWebhook(userId: number): Promise<{ id: number; base: string }> {
  const { webhook, secret } = await addWebhook(server.services.db, { userId, scopes: ['crm', 'user'] }, now());
  return { id: webhook.id, base: `${server.httpUrl}/rest/${userId}/${secret}/` };
}

async function expectServed(base: string): Promise<void> {
  const answer = await request(`${base}server.time`);
  expect(answer.status, answer.text).toBe(200);
}

async function expectRefused(base: string, status: number, body: unknown): Promise<void> {
  const answer = await request(`${base}server.time`);
  expect(answer.status).toBe(status);
  expect(answer.body).toEqual(body);
}

describe('webhook credentials changed by the CLI on its own connection', () => {
  it('refuses a webhook revoked between two requests', async () => {
    const hook = await newWebhook(1);
    await expectServed(hook.base);
    await cli('webhook', 'revoke', String(hook.id));
    await expectRefused(hook.base, 401, INVALID_CREDENTIALS);
  });

  it('answers OVERLOAD_LIMIT once held and serves again once released', async () => {
    const hook = await newWebhook(1);
    await expectServed(hook.base);
    await cli('webhook', 'hold', String(hook.id));
    await expectRefused(hook.base, 401, OVERLOAD_LIMIT);
    await cli('webhook', 'release', String(hook.id));
    await expectServed(hook.base);
  });

  it('refuses the webhook of a user deactivated between two requests, and serves it after activation', async () => {
    const user = await addUser(server.services.db, { login: 'cache.cli-user' }, now());
    const hook = await newWebhook(user.id);
    await expectServed(hook.base);
    await cli('user', 'deactivate', String(user.id));
    await expectRefused(hook.base, 401, AUTHORIZATION_ERROR);
    await cli('user', 'activate', String(user.id));
    await expectServed(hook.base);
  });
});

describe('webhook credentials changed inside the server process', () => {
  it('sees revoke, hold and deactivation through the server functions', async () => {
    const user = await addUser(server.services.db, { login: 'cache.local-user' }, now());
    const hook = await newWebhook(user.id);
    await expectServed(hook.base);
    await setWebhookFlag(server.services.db, hook.id, 'held', true);
    await expectRefused(hook.base, 401, OVERLOAD_LIMIT);
    await setWebhookFlag(server.services.db, hook.id, 'held', false);
    await expectServed(hook.base);
    await setUserActive(server.services.db, user.id, false);
    await expectRefused(hook.base, 401, AUTHORIZATION_ERROR);
    await setUserActive(server.services.db, user.id, true);
    await expectServed(hook.base);
    await setWebhookFlag(server.services.db, hook.id, 'active', false);
    await expectRefused(hook.base, 401, INVALID_CREDENTIALS);
  });

  it('sees raw SQL writes to the webhooks and users tables', async () => {
    const user = await addUser(server.services.db, { login: 'cache.raw-user' }, now());
    const hook = await newWebhook(user.id);
    await expectServed(hook.base);
    await server.services.db.updateTable('webhooks').set({ scopes: 'user' }).where('id', '=', hook.id).execute();
    const scoped = await request(`${hook.base}crm.tracking.trace.add`);
    expect(scoped.status).toBe(401);
    expect(scoped.body.error).toBe('insufficient_scope');
    await server.services.db.updateTable('users').set({ login: 'cache.raw-renamed' }).where('id', '=', user.id).execute();
    const secret = hook.base.split('/').at(-2);
    await expectRefused(`${server.httpUrl}/rest/cache.raw-user/${secret}/`, 401, INVALID_CREDENTIALS);
    await expectServed(`${server.httpUrl}/rest/cache.raw-renamed/${secret}/`);
    await server.services.db.deleteFrom('webhooks').where('id', '=', hook.id).execute();
    await expectRefused(hook.base, 401, INVALID_CREDENTIALS);
  });

  it('still checks the expiry against the clock on every request', async () => {
    // Whole seconds: the column is an integer on PostgreSQL.
    const expiresAt = Math.ceil(now()) + 2;
    const { secret } = await addWebhook(server.services.db, { userId: 1, scopes: ['crm'], expiresAt }, now());
    const base = `${server.httpUrl}/rest/1/${secret}/`;
    await expectServed(base);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, (expiresAt - now()) * 1000) + 50));
    await expectRefused(base, 401, INVALID_CREDENTIALS);
  });
});

describe('sources changed between two crm.tracking.trace.add calls', () => {
  const TRACE = JSON.stringify({ tags: { list: { utm_source: 'cache-newsletter' } } });

  async function sourceOfNewTrace(): Promise<number | null> {
    const answer = await callJson(server, 'crm.tracking.trace.add', { TRACE });
    expect(answer.status, answer.text).toBe(200);
    const row = await server.services.db
      .selectFrom('tracking_traces')
      .select('source_id')
      .where('id', '=', answer.body.result)
      .executeTakeFirstOrThrow();
    return row.source_id;
  }

  it('attributes by a source added and then changed through the CLI', async () => {
    expect(await sourceOfNewTrace()).toBeNull();
    await cli('source', 'add', '--name', 'Cache newsletter', '--utm-source', 'cache-newsletter');
    const added = await server.services.db
      .selectFrom('tracking_sources')
      .select('id')
      .where('name', '=', 'Cache newsletter')
      .executeTakeFirstOrThrow();
    expect(await sourceOfNewTrace()).toBe(added.id);
    await cli('source', 'update', String(added.id), '--active', 'off');
    expect(await sourceOfNewTrace()).toBeNull();
    await cli('source', 'update', String(added.id), '--active', 'on');
    expect(await sourceOfNewTrace()).toBe(added.id);
    await cli('source', 'delete', String(added.id));
    expect(await sourceOfNewTrace()).toBeNull();
  });

  it('attributes by a source changed through the server itself', async () => {
    const id = await server.services.tracking.addSource({ name: 'Cache local', values: { UTM_SOURCE: ['cache-newsletter'] } });
    expect(await sourceOfNewTrace()).toBe(id);
    await server.services.tracking.updateSource(id, { values: { UTM_SOURCE: ['something-else'] } });
    expect(await sourceOfNewTrace()).toBeNull();
    await server.services.tracking.updateSource(id, { values: { UTM_SOURCE: ['cache-newsletter'] } });
    expect(await sourceOfNewTrace()).toBe(id);
    await server.services.tracking.deleteSource(id);
    expect(await sourceOfNewTrace()).toBeNull();
  });
});

describe('the change token (SQLite)', () => {
  const stamp = async (db: Pick<TestServer['services']['db'], 'selectFrom'>) =>
    (await sql<{ n: number }>`select n from temp.salestrace_local_writes`.execute(db as never)).rows[0].n;

  it.skipIf(process.env.TEST_DB === 'postgres')('never shows the stamp of a rolled-back write again', async () => {
    const { db } = server.services;
    const { webhook } = await addWebhook(db, { userId: 1, scopes: ['crm'] }, now());
    const before = await server.services.changes.read();
    let seenInside = -1;
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.updateTable('webhooks').set({ held: 1 }).where('id', '=', webhook.id).execute();
        seenInside = await stamp(trx);
        throw new Error('roll back');
      }),
    ).rejects.toThrow('roll back');
    expect(await server.services.changes.read()).toBe(before);
    await db.updateTable('webhooks').set({ held: 1 }).where('id', '=', webhook.id).execute();
    const after = await server.services.changes.read();
    expect(after).not.toBe(before);
    expect(await stamp(db)).toBeGreaterThan(seenInside);
  });
});
