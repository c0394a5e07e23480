// The dialects' error classification on the errors their real drivers throw: constraint
// violations on the backend under test (TEST_DB), SQLite's busy database always, and under
// TEST_DB=postgres a deadlock, a serialization failure, a lock not waited for and lost connections.
import Database from 'better-sqlite3';
import { sql } from 'kysely';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyDatabaseError, dialectOf } from '../../src/db/dialects/dialectOf.js';
import { postgresHelpers } from '../../src/db/dialects/postgresHelpers.js';
import { sqliteHelpers } from '../../src/db/dialects/sqliteHelpers.js';
import type { DatabaseErrorKind } from '../../src/db/dialects/types.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { startTestServices, type TestServices } from '../helpers/server.js';

async function thrownBy(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

/** The kind, asked both ways: of the dialect the error came from, and of whichever driver raised it. */
function expectKind(error: unknown, kind: DatabaseErrorKind, helpers = TEST_DIALECT === 'postgres' ? postgresHelpers : sqliteHelpers): void {
  expect(helpers.classifyError(error), String(error)).toBe(kind);
  expect(classifyDatabaseError(error), String(error)).toBe(kind);
  // Each dialect claims only its own driver's errors.
  const other = helpers === postgresHelpers ? sqliteHelpers : postgresHelpers;
  expect(other.classifyError(error), String(error)).toBeNull();
}

describe(`constraint violations on ${TEST_DIALECT}`, () => {
  let testServices: TestServices;
  beforeAll(async () => {
    testServices = await startTestServices();
  });
  afterAll(async () => {
    await testServices.close();
  });

  it('knows its own dialect from the database handle and from a transaction', async () => {
    const db = testServices.services.db;
    expect(dialectOf(db)).toBe(testServices.services.dbHelpers);
    await db.transaction().execute(async (trx) => expect(dialectOf(trx)).toBe(testServices.services.dbHelpers));
  });

  it('tells a unique violation, a foreign key violation, a missing value and bad SQL apart', async () => {
    const db = testServices.services.db;
    await db.insertInto('users').values({ id: 31, login: 'taken', created_at: 0 }).execute();
    expectKind(await thrownBy(() => db.insertInto('users').values({ login: 'taken', created_at: 0 }).execute()), 'uniqueViolation');
    expectKind(await thrownBy(() => db.insertInto('users').values({ id: 31, login: 'other', created_at: 0 }).execute()), 'uniqueViolation');
    expectKind(
      await thrownBy(() => db.insertInto('webhooks').values({ user_id: 999_999, secret_hash: 'h', scopes: '', created_at: 0 }).execute()),
      'foreignKeyViolation',
    );
    expectKind(await thrownBy(() => db.insertInto('users').values({ login: null, created_at: 0 } as never).execute()), 'notNullViolation');
    expectKind(await thrownBy(() => sql`select * from salestrace_no_such_table`.execute(db)), 'statementFailed');
    expectKind(await thrownBy(() => sql`selec 1`.execute(db)), 'statementFailed');
  });

  it('classifies nothing that no database raised', () => {
    for (const other of [new Error('boom'), new TypeError('x'), { code: '23505', severity: 'ERROR' }, { code: 'SQLITE_BUSY', name: 'SqliteError' }, null]) {
      expect(classifyDatabaseError(other), String(other)).toBeNull();
    }
  });
});

describe('SQLite', () => {
  it('calls a write refused because another connection holds the database busy', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-busy-'));
    const file = path.join(dir, 'busy.db');
    const holder = new Database(file);
    const waiter = new Database(file, { timeout: 0 });
    try {
      holder.pragma('journal_mode = WAL');
      holder.exec('create table t (id integer primary key)');
      holder.exec('begin immediate');
      holder.exec('insert into t (id) values (1)');
      expectKind(await thrownBy(() => waiter.exec('insert into t (id) values (2)')), 'busy', sqliteHelpers);
    } finally {
      holder.close();
      waiter.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.runIf(TEST_DIALECT === 'postgres')('PostgreSQL', () => {
  let testServices: TestServices;
  const clients: pg.Client[] = [];

  async function client(): Promise<pg.Client> {
    const opened = new pg.Client({ connectionString: testServices.databaseUrl! });
    // A terminated connection also reports its error as an event; the query's failure is what is tested.
    opened.on('error', () => {});
    await opened.connect();
    clients.push(opened);
    return opened;
  }

  beforeAll(async () => {
    testServices = await startTestServices();
    const setup = await client();
    await setup.query('create table salestrace_error_rows (id integer primary key, n integer not null default 0)');
    await setup.query('insert into salestrace_error_rows (id) values (1), (2)');
  });
  afterAll(async () => {
    await Promise.all(clients.map((opened) => opened.end().catch(() => {})));
    await testServices.close();
  });

  it('calls a deadlock a conflict', async () => {
    const [first, second] = [await client(), await client()];
    await first.query('begin');
    await second.query('begin');
    await first.query('update salestrace_error_rows set n = n + 1 where id = 1');
    await second.query('update salestrace_error_rows set n = n + 1 where id = 2');
    // Each now waits for the other's row: PostgreSQL fails one of them with deadlock_detected.
    const outcomes = await Promise.allSettled([
      first.query('update salestrace_error_rows set n = n + 1 where id = 2'),
      second.query('update salestrace_error_rows set n = n + 1 where id = 1'),
    ]);
    await Promise.all([first.query('rollback'), second.query('rollback')]);
    const failures = outcomes.filter((outcome) => outcome.status === 'rejected').map((outcome) => outcome.reason);
    expect(failures).toHaveLength(1);
    expect((failures[0] as { code?: string }).code).toBe('40P01');
    expectKind(failures[0], 'conflict');
  });

  it('calls a serialization failure a conflict', async () => {
    const [reader, writer] = [await client(), await client()];
    await reader.query('begin isolation level repeatable read');
    await reader.query('select n from salestrace_error_rows where id = 1');
    await writer.query('update salestrace_error_rows set n = n + 1 where id = 1');
    const failure = await thrownBy(() => reader.query('update salestrace_error_rows set n = n + 1 where id = 1'));
    await reader.query('rollback');
    expect((failure as { code?: string }).code).toBe('40001');
    expectKind(failure, 'conflict');
  });

  it('calls a row lock it would not wait for busy', async () => {
    const [holder, other] = [await client(), await client()];
    await holder.query('begin');
    await holder.query('select id from salestrace_error_rows where id = 1 for update');
    const failure = await thrownBy(() => other.query('select id from salestrace_error_rows where id = 1 for update nowait'));
    await holder.query('rollback');
    expectKind(failure, 'busy');
  });

  it('calls a connection that never came or broke lost, and the server ending a statement a failed statement', async () => {
    const refused = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:1/none' });
    expectKind(await thrownBy(() => refused.connect()), 'connectionLost');

    const [victim, killer] = [await client(), await client()];
    const { rows } = await victim.query('select pg_backend_pid() as pid');
    const running = thrownBy(() => victim.query('select pg_sleep(30)'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    await killer.query('select pg_terminate_backend($1)', [rows[0].pid]);
    // The server answered the running statement with admin_shutdown (57P01): core says "SQL query error!".
    expectKind(await running, 'statementFailed');
    expectKind(await thrownBy(() => victim.query('select 1')), 'connectionLost');
  });
});
