// A driver's own error on demand, for tests of how the server answers one it did not expect.
import { sql } from 'kysely';
import type { Executor } from './schema.js';

export interface DatabaseFaults {
  /** Runs a query on a table that does not exist, so the driver throws. */
  queryMissingTable(): Promise<void>;
}

export function databaseFaults(db: Executor): DatabaseFaults {
  return {
    async queryMissingTable() {
      await sql`select * from salestrace_no_such_table`.execute(db);
    },
  };
}
