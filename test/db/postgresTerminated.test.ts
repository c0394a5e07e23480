// PostgreSQL may end a pooled connection while it sits idle: a restart, an administrator's
// pg_terminate_backend, a DROP DATABASE … WITH (FORCE). pg then emits 'error' on its pool, and
// a pool without a listener turns that into an uncaught exception that ends the process (CI saw
// it once, from the suite's own DROP … FORCE while a closing pool's connection was still open).
// The server must shrug it off and answer the next request on a fresh connection.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { TEST_DIALECT, testDatabaseBaseUrl } from '../helpers/database.js';

let server: TestServer;
const uncaught: unknown[] = [];
const noteUncaught = (error: unknown) => uncaught.push(error);

describe.skipIf(TEST_DIALECT !== 'postgres')('idle PostgreSQL connections ended by the server', () => {
  beforeAll(async () => {
    server = await startTestServer();
    process.on('uncaughtException', noteUncaught);
  });
  afterAll(async () => {
    process.off('uncaughtException', noteUncaught);
    await server?.close();
  });

  it('leave the process running and the next request answered', async () => {
    // Several calls at once, so the pool holds several idle connections afterwards.
    const warm = await Promise.all(Array.from({ length: 4 }, () => callJson(server, 'crm.item.list', { entityTypeId: 3 })));
    expect(warm.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);

    const database = new URL(server.services.config.databaseUrl!).pathname.slice(1);
    const admin = new pg.Client({ connectionString: testDatabaseBaseUrl() });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ ended: boolean }>(
        'select pg_terminate_backend(pid) as ended from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()',
        [database],
      );
      expect(rows.length).toBeGreaterThan(0);
    } finally {
      await admin.end();
    }
    // Let the terminations reach the pool's sockets.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const answer = await callJson(server, 'crm.item.list', { entityTypeId: 3 });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.result).toEqual({ items: [] });
    expect(uncaught).toEqual([]);
  });
});
