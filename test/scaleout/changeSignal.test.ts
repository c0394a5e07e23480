// PostgreSQL's change signal (src/db/dialects/postgresChangeSignal.ts), which keeps the credential
// and source caches exact when several processes share the database. Changes here are made on a
// connection of the test's own, as another server process would make them. Only under
// TEST_DB=postgres (SQLite's signal has its own tests: test/rest/cacheExactness.test.ts).
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWebhook } from '../../src/auth/webhooks.js';
import { LISTENER_NAME } from '../../src/db/dialects/postgresChangeSignal.js';
import { waitUntil } from '../helpers/cli.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { request, startTestServer, type TestServer } from '../helpers/server.js';

const INVALID_CREDENTIALS = { error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' };

describe.skipIf(TEST_DIALECT !== 'postgres')('the change signal on PostgreSQL', () => {
  let server: TestServer;
  let other: pg.Client;

  beforeAll(async () => {
    server = await startTestServer();
    other = new pg.Client({ connectionString: server.services.config.databaseUrl! });
    await other.connect();
  });
  afterAll(async () => {
    await other?.end();
    await server?.close();
  });

  const read = () => server.services.changes.read();

  async function newWebhook(): Promise<{ id: number; base: string }> {
    const { webhook, secret } = await addWebhook(server.services.db, { userId: 1, scopes: ['crm', 'user'] }, Date.now() / 1000);
    return { id: webhook.id, base: `${server.httpUrl}/rest/1/${secret}/` };
  }

  it('gives a token, the same one while nothing changes (so the caches are used)', async () => {
    const first = await read();
    expect(first).not.toBeNull();
    expect(await read()).toBe(first);
    expect(await read()).toBe(first);
  });

  it('moves on the very next read after another connection commits a change, and not for a rollback', async () => {
    const before = await read();
    await other.query('begin');
    await other.query(`update webhooks set title = 'rolled back' where id = 1`);
    await other.query('rollback');
    expect(await read()).toBe(before);
    for (const table of ['webhooks', 'users', 'settings']) {
      const previous = await read();
      await other.query(`update ${table} set ${table === 'settings' ? 'value = value' : 'active = active'}`);
      // No waiting: the write above is acknowledged, so the next read must see it.
      expect(await read(), table).not.toBe(previous);
    }
  });

  it('answers read(mark) with a read issued after the mark: reused while one is there, never an older one', async () => {
    const token = server.services.changes;
    const before = await read();
    // A change committed before the mark, after the last read: a read after the mark must see it.
    await other.query(`insert into settings (name, value) values ('scaleout.mark', '1') on conflict (name) do update set value = excluded.value || '1'`);
    const mark = token.mark!();
    const first = await token.read(mark);
    expect(first).not.toBe(before);
    // Another read after the same mark takes that one: no new round trip is issued.
    const issued = token.mark!();
    expect(await token.read(mark)).toBe(first);
    expect(token.mark!()).toBe(issued);
    // A later mark does not take it: a change committed after it was issued must be seen.
    await other.query(`update settings set value = value || '1' where name = 'scaleout.mark'`);
    const later = token.mark!();
    expect(await token.read(later)).not.toBe(first);
  });

  it('refuses a webhook revoked on another connection on the next request, the cache being warm', async () => {
    const hook = await newWebhook();
    expect((await request(`${hook.base}server.time`)).status).toBe(200);
    expect((await request(`${hook.base}server.time`)).status).toBe(200);
    await other.query('update webhooks set active = 0 where id = $1', [hook.id]);
    const refused = await request(`${hook.base}server.time`);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(INVALID_CREDENTIALS);
  });

  it('bypasses the caches while the listening connection is down, and caches again once it is back', async () => {
    const hook = await newWebhook();
    expect((await request(`${hook.base}server.time`)).status).toBe(200);
    const before = await read();
    const killed = await other.query(
      'select pg_terminate_backend(pid) as done from pg_stat_activity where application_name = $1 and datname = current_database()',
      [LISTENER_NAME],
    );
    expect(killed.rows).toEqual([{ done: true }]);
    // Down: no token, so nothing is served from memory.
    await waitUntil(async () => (await read()) === null, 5000);
    // A change made while nobody listens: its notification is lost for good.
    await other.query('update webhooks set active = 0 where id = $1', [hook.id]);
    const refused = await request(`${hook.base}server.time`);
    expect(refused.status).toBe(401);
    expect(refused.body).toEqual(INVALID_CREDENTIALS);
    // Back, on a new connection whose tokens never equal the old ones.
    await waitUntil(async () => (await read()) !== null, 5000);
    const after = await read();
    expect(after).not.toBe(before);
    expect(await read()).toBe(after);
    expect((await request(`${hook.base}server.time`)).status).toBe(401);
  });

  it('lets the source matcher see a source added on another connection on the next trace.add', async () => {
    const trace = JSON.stringify({ url: 'https://shop.example/?utm_source=scaleout-probe', tags: { list: { utm_source: 'scaleout-probe' } } });
    const add = async () => {
      const answer = await request(`${server.webhookUrl}crm.tracking.trace.add`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ TRACE: trace }),
      });
      expect(answer.status, answer.text).toBe(200);
      const id = answer.body.result as number;
      return (await server.services.db.selectFrom('tracking_traces').select('source_id').where('id', '=', id).executeTakeFirstOrThrow()).source_id;
    };
    expect(await add()).toBeNull();
    // What `salestrace source add` does, from another process: the source, its value, the version.
    await other.query('begin');
    const { rows } = await other.query(`insert into tracking_sources (name, active, created_at) values ('Probe', 1, 0) returning id`);
    const sourceId = rows[0].id as number;
    await other.query(`insert into tracking_source_values (source_id, kind, value) values ($1, 'UTM_SOURCE', 'scaleout-probe')`, [sourceId]);
    await other.query(`insert into settings (name, value) values ('tracking.sources_version', 'probe') on conflict (name) do update set value = 'probe'`);
    await other.query('commit');
    expect(await add()).toBe(sourceId);
  });
});
