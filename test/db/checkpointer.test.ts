// Checkpoints on a worker thread (src/db/dialects/checkpointer.ts): the serving connection
// never checkpoints itself, the thread copies the log into the database file as it grows,
// bounds the log under sustained writes, and every write is still there afterwards.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/db/dialects/sqlite.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-checkpoint-'));
  file = path.join(dir, 'salestrace.db');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const WAL_LIMIT = 256 * 1024;
const ROW = 'x'.repeat(2000);

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the checkpoint thread', () => {
  it('checkpoints off the serving connection and bounds the log under sustained writes', async () => {
    const opened = openSqlite<any>(file, { commits: 'grouped', checkpoints: { walLimitBytes: WAL_LIMIT, minIntervalMs: 0 } });
    const { db } = opened;
    let expectedRows = 0;
    try {
      const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(db);
      expect(rows[0].wal_autocheckpoint).toBe(0);
      await sql`create table t (id integer primary key, v text not null)`.execute(db);
      await opened.durability.afterWrites();
      const walSize = () => fs.statSync(`${file}-wal`).size;
      const writeRows = async (from: number, count: number) => {
        for (let i = from; i < from + count; i++) {
          await sql`insert into t (v) values (${ROW + i})`.execute(db);
          if (i % 50 === 49) await opened.durability.afterWrites();
        }
        await opened.durability.afterWrites();
      };
      // Until the thread has had to make the log start over at least once.
      let written = 0;
      while (opened.checkpointer!.stats.restarts === 0) {
        await writeRows(written, 100);
        written += 100;
        if (written > 20_000) throw new Error('no RESTART checkpoint after 40 MB');
      }
      const sizeBefore = walSize();
      // About 5 MB more, twenty times the log's limit, in 2,500 commits. Without RESTARTs the
      // log file would grow by all of it; it is reused from its start instead.
      await writeRows(written, 2500);
      written += 2500;
      expect(walSize() - sizeBefore).toBeLessThan(2.5 * 2 ** 20);
      expect(opened.checkpointer!.stats.checkpoints).toBeGreaterThan(1);
      // The serving connection writes only the log: what reached the database file was copied
      // there by the thread.
      expect(fs.statSync(file).size).toBeGreaterThan(WAL_LIMIT);
      expectedRows = written;
    } finally {
      await opened.close();
    }
    // The thread's connection closed first, so the serving one checkpointed and removed the log.
    expect(fs.existsSync(`${file}-wal`)).toBe(false);
    const reopened = openSqlite<any>(file);
    try {
      const { rows } = await sql<{ n: number; ok: string }>`select count(*) as n, (select integrity_check from pragma_integrity_check) as ok from t`.execute(reopened.db);
      expect(rows[0]).toEqual({ n: expectedRows, ok: 'ok' });
    } finally {
      await reopened.close();
    }
  });

  it('leaves a command-line connection (perCommit) to SQLite\'s own checkpoints', async () => {
    const opened = openSqlite<any>(file);
    try {
      expect(opened.checkpointer).toBeNull();
      const { rows } = await sql<{ wal_autocheckpoint: number }>`pragma wal_autocheckpoint`.execute(opened.db);
      expect(rows[0].wal_autocheckpoint).toBe(1000);
    } finally {
      await opened.close();
    }
  });
});
