// The prepared-statement cache (src/db/dialects/statementCache.ts) and the driver that uses it:
// answers stay right when the schema changes under a kept statement, and the cache stays bounded.
import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CachingSqliteDialect } from '../../src/db/dialects/sqliteDriver.js';
import { StatementCache } from '../../src/db/dialects/statementCache.js';

let connection: Database.Database;
beforeEach(() => {
  connection = new Database(':memory:');
});
afterEach(() => {
  if (connection.open) connection.close();
});

describe('statement cache', () => {
  it('hands back the same statement for the same text, and keeps at most its capacity', () => {
    const cache = new StatementCache(connection, 3);
    const first = cache.prepare('select 1 as a');
    expect(cache.prepare('select 1 as a')).toBe(first);
    for (let i = 0; i < 50; i++) cache.prepare(`select ${i} as n`);
    expect(cache.size).toBe(3);
    // The oldest went first: `select 1 as a` was prepared again, not kept.
    expect(cache.prepare('select 1 as a')).not.toBe(first);
    expect(cache.size).toBe(3);
  });

  it('evicts the least recently used text, not the least recently added', () => {
    const cache = new StatementCache(connection, 2);
    const a = cache.prepare('select 1');
    const b = cache.prepare('select 2');
    expect(cache.prepare('select 1')).toBe(a);
    cache.prepare('select 3');
    expect(cache.prepare('select 1')).toBe(a);
    expect(cache.prepare('select 2')).not.toBe(b);
  });

  it('does not keep a text that fails to compile', () => {
    const cache = new StatementCache(connection, 5);
    expect(() => cache.prepare('select from nowhere')).toThrow();
    expect(cache.size).toBe(0);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new StatementCache(connection, 0)).toThrow('statement cache capacity must be a positive integer, got 0');
  });

  it('answers with the new schema after a table changes under a kept statement', () => {
    const cache = new StatementCache(connection, 10);
    connection.exec('create table t (a integer)');
    connection.exec('insert into t values (1)');
    expect(cache.prepare('select * from t').all()).toEqual([{ a: 1 }]);
    connection.exec('alter table t add column b text');
    connection.exec("update t set b = 'x'");
    expect(cache.prepare('select * from t').all()).toEqual([{ a: 1, b: 'x' }]);
    connection.exec('drop table t');
    connection.exec('create table t (c text, d integer)');
    connection.exec("insert into t values ('y', 2)");
    expect(cache.prepare('select * from t').all()).toEqual([{ c: 'y', d: 2 }]);
    connection.exec('drop table t');
    expect(() => cache.prepare('select * from t').all()).toThrow('no such table: t');
  });
});

describe('the caching driver under Kysely', () => {
  it('runs reads, writes, RETURNING, streams and transactions, across a migration', async () => {
    const commits: number[] = [];
    let count = 0;
    const db = new Kysely<any>({ dialect: new CachingSqliteDialect(connection, { onCommit: () => commits.push(++count), statementCacheSize: 4 }) });
    await db.schema.createTable('item').addColumn('id', 'integer', (c) => c.primaryKey().autoIncrement()).addColumn('name', 'text').execute();
    const before = count;
    const inserted = await db.insertInto('item').values({ name: 'one' }).executeTakeFirstOrThrow();
    expect(inserted.insertId).toBe(1n);
    expect(count).toBe(before + 1);
    const returned = await db.insertInto('item').values({ name: 'two' }).returning(['id', 'name']).executeTakeFirstOrThrow();
    expect(returned).toEqual({ id: 2, name: 'two' });
    // A transaction is one commit, however many writes it makes; a read-only one is none.
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('item').values({ name: 'three' }).execute();
      await trx.updateTable('item').set({ name: 'THREE' }).where('id', '=', 3).execute();
    });
    expect(count).toBe(before + 3);
    await db.transaction().execute((trx) => trx.selectFrom('item').selectAll().execute());
    expect(count).toBe(before + 3);
    // A rolled-back transaction made nothing that needs syncing.
    await expect(
      db.transaction().execute(async (trx) => {
        await trx.insertInto('item').values({ name: 'lost' }).execute();
        throw new Error('give up');
      }),
    ).rejects.toThrow('give up');
    expect(count).toBe(before + 3);
    const selectAll = () => db.selectFrom('item').selectAll().orderBy('id').execute();
    expect(await selectAll()).toEqual([
      { id: 1, name: 'one' },
      { id: 2, name: 'two' },
      { id: 3, name: 'THREE' },
    ]);
    // The kept `select *` sees a column a later migration adds.
    await db.schema.alterTable('item').addColumn('note', 'text', (c) => c.defaultTo('n')).execute();
    expect(await selectAll()).toEqual([
      { id: 1, name: 'one', note: 'n' },
      { id: 2, name: 'two', note: 'n' },
      { id: 3, name: 'THREE', note: 'n' },
    ]);
    const streamed: unknown[] = [];
    for await (const row of db.selectFrom('item').select('id').orderBy('id').stream()) streamed.push(row);
    expect(streamed).toEqual([{ id: 1 }, { id: 2 }, { id: 3 }]);
    const affected = await db.deleteFrom('item').where('id', '>', 1).executeTakeFirstOrThrow();
    expect(affected.numDeletedRows).toBe(2n);
    expect(await sql<{ n: number }>`select count(*) as n from item`.execute(db)).toEqual({ rows: [{ n: 1 }] });
    await db.destroy();
    expect(connection.open).toBe(false);
  });

  it('begins transactions IMMEDIATE, so they hold the write lock before their first statement', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-immediate-'));
    const file = path.join(dir, 'db.sqlite');
    const mine = new Database(file);
    mine.pragma('journal_mode = WAL');
    const other = new Database(file);
    other.pragma('busy_timeout = 0');
    const db = new Kysely<any>({ dialect: new CachingSqliteDialect(mine) });
    try {
      let otherWriter = 'not tried';
      await db.transaction().execute(async () => {
        try {
          other.exec('begin immediate');
          other.exec('rollback');
          otherWriter = 'got the lock';
        } catch (error) {
          otherWriter = (error as { code?: string }).code ?? String(error);
        }
      });
      expect(otherWriter).toBe('SQLITE_BUSY');
      // Once committed, the lock is free again.
      other.exec('begin immediate');
      other.exec('rollback');
    } finally {
      await db.destroy();
      other.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
