// Which failures are the database's own (core answers them with ERROR_CORE "SQL query error!",
// status 500): the errors the real driver of the backend under test throws, and nothing else.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isDatabaseError } from '../../src/db/dialects/dialectOf.js';
import { unexpectedErrorAnswer } from '../../src/rest/databaseError.js';
import { restError } from '../../src/rest/errors.js';
import { startTestServices, type TestServices } from '../helpers/server.js';

let testServices: TestServices;
beforeAll(async () => {
  testServices = await startTestServices();
});
afterAll(async () => {
  await testServices.close();
});

async function thrownBy(run: () => Promise<unknown>): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected a failure');
}

describe('isDatabaseError', () => {
  it('recognises what the driver throws for bad SQL, a missing table and a broken constraint', async () => {
    const db = testServices.services.db;
    const user = { id: 77, login: 'twice', created_at: 0 };
    await db.insertInto('users').values(user).execute();
    const failures = [
      await thrownBy(() => sql`select * from salestrace_no_such_table`.execute(db)),
      await thrownBy(() => sql`selec 1`.execute(db)),
      await thrownBy(() => db.insertInto('users').values(user).execute()),
      await thrownBy(() => db.insertInto('users').values({ login: null, created_at: 0 } as never).execute()),
    ];
    for (const failure of failures) {
      expect(isDatabaseError(failure), String(failure)).toBe(true);
      expect(unexpectedErrorAnswer(failure).toBody()).toEqual({ error: 'ERROR_CORE', error_description: 'SQL query error!' });
      expect(unexpectedErrorAnswer(failure).status).toBe(500);
    }
  });

  it('leaves everything else to INTERNAL_SERVER_ERROR', () => {
    const others: unknown[] = [
      new Error('boom'),
      new TypeError('x is not a function'),
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:1'), { code: 'ECONNREFUSED' }),
      restError('ERROR_CORE', { message: 'x' }),
      { code: 'SQLITE_ERROR', name: 'SqliteError' },
      'SQLITE_ERROR',
      null,
      undefined,
    ];
    for (const other of others) {
      expect(isDatabaseError(other), String(other)).toBe(false);
      expect(unexpectedErrorAnswer(other).toBody()).toEqual({ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' });
    }
  });
});
