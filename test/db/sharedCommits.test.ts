// Requests' transactions sharing one COMMIT under group commit (src/db/dialects/sqliteDriver.ts,
// `shareCommits`): while a sync runs, the transactions that end keep their writes in one open
// transaction (each joined with a savepoint) and one COMMIT ends them when the sync finishes.
// Another connection on the same file sees exactly what was committed, so it shows the writes
// waiting; the answers wait for the COMMIT and the sync after it.
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GroupCommit } from '../../src/db/dialects/groupCommit.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { HeldSyncs } from '../helpers/heldSyncs.js';
import { callJson, startTestServer, type HttpAnswer, type TestServer } from '../helpers/server.js';

const onSqlite = TEST_DIALECT === 'sqlite';

async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe.runIf(onSqlite)('transactions that end while a sync runs share one COMMIT', () => {
  const syncs = new HeldSyncs();
  let server: TestServer;
  let other: Database.Database;
  const commits = () => (server.services.durability as GroupCommit).commits;
  /** Traces as the server's own connection sees them (its open transaction included). */
  const seenByServer = async () => Number((await sql<{ n: number }>`select count(*) as n from tracking_traces`.execute(server.services.db)).rows[0].n);
  /** Traces as another connection sees them: committed ones only. */
  const committed = () => (other.prepare('select count(*) as n from tracking_traces').get() as { n: number }).n;

  beforeAll(async () => {
    server = await startTestServer({ syncLog: syncs.sync });
    await server.services.durability.afterWrites();
    other = new Database(path.join(server.dataDir, 'salestrace.db'), { readonly: true });
    await sql`create table shared_commit_probe (n integer not null)`.execute(server.services.db);
    await server.services.durability.afterWrites();
  });
  afterEach(() => syncs.letGo());
  afterAll(async () => {
    other.close();
    await server.close();
  });

  const addTrace = (n: number): Promise<HttpAnswer> =>
    callJson(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify({ url: `https://shared${n}.example/` }) });

  it('keeps 10 trace.add calls uncommitted while the sync before them runs, then commits them once', async () => {
    syncs.hold();
    const before = committed();
    const commitsBefore = commits();
    const first = addTrace(0);
    await until(() => syncs.waiting === 1, 'the first write waits for its sync');
    expect(committed()).toBe(before + 1);
    expect(commits()).toBe(commitsBefore + 1);
    const rest = Array.from({ length: 10 }, (_, i) => addTrace(i + 1));
    await until(async () => (await seenByServer()) === before + 11, 'the 10 transactions have ended');
    // Written, not committed: no other connection sees them, and no COMMIT has run.
    expect(committed()).toBe(before + 1);
    expect(commits()).toBe(commitsBefore + 1);
    syncs.releaseOne();
    expect((await first).status).toBe(200);
    await until(() => syncs.waiting === 1, 'the sync after the shared COMMIT');
    expect(committed()).toBe(before + 11);
    expect(commits()).toBe(commitsBefore + 2);
    syncs.releaseOne();
    const answered = await Promise.all(rest);
    expect(answered.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    expect(new Set(answered.map((answer) => answer.body.result)).size).toBe(10);
    expect(syncs.started).toBeGreaterThanOrEqual(2);
  });

  it('undoes a joined transaction that fails alone, and commits the ones around it', async () => {
    syncs.hold();
    const probe = () => (other.prepare('select n from shared_commit_probe order by rowid').all() as { n: number }[]).map((row) => row.n);
    const write = (n: number, fail = false) =>
      server.services.db.transaction().execute(async (trx) => {
        await sql`insert into shared_commit_probe (n) values (${n})`.execute(trx);
        if (fail) throw new Error(`transaction ${n} fails after its write`);
      });
    await write(1);
    const sync = server.services.durability.afterWrites();
    await until(() => syncs.waiting === 1, 'the first write waits for its sync');
    await write(2);
    await expect(write(3, true)).rejects.toThrow('transaction 3 fails after its write');
    await write(4);
    expect(probe()).toEqual([1]);
    const waiting = server.services.durability.afterWrites();
    syncs.releaseOne();
    await sync;
    await until(() => syncs.waiting === 1, 'the sync after the shared COMMIT');
    expect(probe()).toEqual([1, 2, 4]);
    syncs.releaseOne();
    await waiting;
  });

  it('commits a transaction that wrote nothing at once, holding no lock for others', async () => {
    syncs.hold();
    const commitsBefore = commits();
    await server.services.db.transaction().execute(async (trx) => {
      await sql`select count(*) from shared_commit_probe`.execute(trx);
    });
    // Another connection can take the write lock at once.
    const writer = new Database(path.join(server.dataDir, 'salestrace.db'), { timeout: 0 });
    try {
      expect(() => writer.prepare('begin immediate').run()).not.toThrow();
      writer.prepare('rollback').run();
    } finally {
      writer.close();
    }
    expect(commits()).toBe(commitsBefore);
    expect(syncs.waiting).toBe(0);
  });
});
