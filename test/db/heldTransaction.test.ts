// One transaction held for a batch (src/db/dialects/heldTransaction.ts), on the caching driver
// directly: rows' transactions become savepoints, one commit covers everything, a failing row
// is undone alone, other callers wait for the whole batch, and a batch whose transaction cannot
// be committed throws instead of reporting success.
import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TransactionLostError } from '../../src/db/dialects/heldTransaction.js';
import { CachingSqliteDialect } from '../../src/db/dialects/sqliteDriver.js';
import { sqliteChangeToken } from '../../src/db/dialects/sqliteChangeSignal.js';

let dir: string;
let connection: Database.Database;
let commits: number;
let dialect: CachingSqliteDialect;
let db: Kysely<any>;

function open(holdBatches: boolean): void {
  connection = new Database(path.join(dir, 'db.sqlite'));
  connection.pragma('journal_mode = WAL');
  connection.pragma('foreign_keys = ON');
  commits = 0;
  dialect = new CachingSqliteDialect(connection, { onCommit: () => commits++, holdBatches });
  db = new Kysely<any>({ dialect });
}

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-held-'));
  open(true);
  await sql`create table t (id integer primary key autoincrement, name text not null unique)`.execute(db);
  commits = 0;
});

afterEach(async () => {
  await db.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

const names = async () => (await db.selectFrom('t').select('name').orderBy('id').execute()).map((row) => row.name);

/** A row as a method writes it: its own transaction with two statements. */
function row(name: string, fail = false): Promise<void> {
  return db.transaction().execute(async (trx) => {
    await trx.insertInto('t').values({ name }).execute();
    await trx.insertInto('t').values({ name: `${name}+` }).execute();
    if (fail) throw new Error(`row ${name} fails`);
  });
}

describe('a batch in one held transaction', () => {
  it('commits once for every row, keeps the rows that succeed and undoes a failing one alone', async () => {
    const outcome = await dialect.inOneTransaction(async () => {
      await row('a');
      await expect(row('b', true)).rejects.toThrow('row b fails');
      // A plain write outside any row transaction stays, as when it committed by itself.
      await db.insertInto('t').values({ name: 'plain' }).execute();
      // A statement that fails by itself (a duplicate) undoes only itself.
      await expect(db.insertInto('t').values({ name: 'a' }).execute()).rejects.toThrow(/UNIQUE/);
      await row('c');
      // Inside the batch its own writes are visible; nothing is committed yet.
      expect(connection.inTransaction).toBe(true);
      expect(commits).toBe(0);
      return 'done';
    });
    expect(outcome).toBe('done');
    expect(commits).toBe(1);
    expect(connection.inTransaction).toBe(false);
    expect(await names()).toEqual(['a', 'a+', 'plain', 'c', 'c+']);
  });

  it('makes every other caller wait until the batch has committed', async () => {
    let releaseBatch!: () => void;
    const batchMayEnd = new Promise<void>((resolve) => (releaseBatch = resolve));
    let batchWrote!: () => void;
    const wrote = new Promise<void>((resolve) => (batchWrote = resolve));
    const batch = dialect.inOneTransaction(async () => {
      await row('in-batch');
      batchWrote();
      await batchMayEnd;
      await row('in-batch-later');
    });
    await wrote;
    // Outside the batch's context: waits for the connection, then sees the batch whole.
    let outsideSaw: string[] | null = null;
    const outside = names().then((seen) => (outsideSaw = seen));
    const outsideWrite = row('outside');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(outsideSaw).toBeNull();
    releaseBatch();
    await batch;
    await Promise.all([outside, outsideWrite]);
    expect(outsideSaw).toEqual(['in-batch', 'in-batch+', 'in-batch-later', 'in-batch-later+']);
    expect(await names()).toEqual(['in-batch', 'in-batch+', 'in-batch-later', 'in-batch-later+', 'outside', 'outside+']);
    expect(commits).toBe(2);
  });

  it('rolls everything back and throws when the work itself throws', async () => {
    await expect(
      dialect.inOneTransaction(async () => {
        await row('a');
        throw new Error('the batch broke');
      }),
    ).rejects.toThrow('the batch broke');
    expect(commits).toBe(0);
    expect(connection.inTransaction).toBe(false);
    expect(await names()).toEqual([]);
  });

  it('throws, keeping nothing, when the COMMIT fails', async () => {
    // A deferred foreign key is checked at COMMIT: the rows succeed, the commit cannot.
    await sql`create table parent (id integer primary key)`.execute(db);
    await sql`create table child (parent_id integer references parent (id) deferrable initially deferred)`.execute(db);
    commits = 0;
    await expect(
      dialect.inOneTransaction(async () => {
        await row('a');
        await sql`insert into child (parent_id) values (42)`.execute(db);
        await row('b');
      }),
    ).rejects.toThrow(/FOREIGN KEY/);
    expect(connection.inTransaction).toBe(false);
    expect(commits).toBe(0);
    expect(await names()).toEqual([]);
    expect(await sql`select * from child`.execute(db)).toEqual({ rows: [] });
    // The connection is free again for the next caller.
    await row('after');
    expect(await names()).toEqual(['after', 'after+']);
  });

  it('refuses every later statement and throws when SQLite ends the transaction by itself', async () => {
    await expect(
      dialect.inOneTransaction(async () => {
        await row('a');
        // Stands for SQLite rolling back on a full disk or an I/O error.
        await sql`rollback`.execute(db);
        // Without the check this would commit on its own, outside the batch.
        await expect(row('b')).rejects.toThrow(TransactionLostError);
        await expect(db.insertInto('t').values({ name: 'plain' }).execute()).rejects.toThrow(TransactionLostError);
      }),
    ).rejects.toThrow(TransactionLostError);
    expect(connection.inTransaction).toBe(false);
    expect(await names()).toEqual([]);
    await row('after');
    expect(await names()).toEqual(['after', 'after+']);
  });

  it('holds nothing for a batch that never touches the database', async () => {
    let batchRuns!: () => void;
    const running = new Promise<void>((resolve) => (batchRuns = resolve));
    // Started outside the batch's context: it writes while the batch is running.
    const outside = (async () => {
      await running;
      await row('outside');
    })();
    await dialect.inOneTransaction(async () => {
      batchRuns();
      await outside;
    });
    expect(commits).toBe(1);
    expect(await names()).toEqual(['outside', 'outside+']);
  });

  it('runs a nested inOneTransaction inside the outer one', async () => {
    await dialect.inOneTransaction(async () => {
      await row('a');
      await dialect.inOneTransaction(() => row('b'));
      expect(dialect.insideOneTransaction()).toBe(true);
    });
    expect(dialect.insideOneTransaction()).toBe(false);
    expect(commits).toBe(1);
    expect(await names()).toEqual(['a', 'a+', 'b', 'b+']);
  });

  it('does not deadlock a change-token read inside the batch on a shared read waiting outside it', async () => {
    // The watched tables, as far as the token's triggers need them.
    await sql`create table users (id integer primary key)`.execute(db);
    await sql`create table webhooks (id integer primary key)`.execute(db);
    const token = await sqliteChangeToken(db, ['users', 'webhooks'], () => dialect.insideOneTransaction());
    // The outside read is issued on the next turn of the event loop, after the batch has taken
    // the connection; a batch row joining that read would wait for itself.
    const outside = token.read();
    const inside = dialect.inOneTransaction(async () => {
      await row('a');
      return token.read();
    });
    const [outsideToken, insideToken] = await Promise.all([outside, inside]);
    expect(typeof insideToken).toBe('string');
    expect(typeof outsideToken).toBe('string');
    expect(await names()).toEqual(['a', 'a+']);
  });
});

describe('without held batches (per-commit mode)', () => {
  it('runs the work as it is: each row commits by itself', async () => {
    await db.destroy();
    open(false);
    await dialect.inOneTransaction(async () => {
      await row('a');
      await expect(row('b', true)).rejects.toThrow();
      await row('c');
      expect(dialect.insideOneTransaction()).toBe(false);
    });
    expect(commits).toBe(2);
    expect(await names()).toEqual(['a', 'a+', 'c', 'c+']);
  });
});
