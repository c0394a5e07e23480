// What PostgreSQL is, for the code that must know: writers side by side at READ COMMITTED (so a
// read-then-write transaction locks the rows it decides on: rowLocks.ts), 32-bit integer
// columns and pg's errors. The change signal needs the connection URL, so openPostgres (postgres.ts)
// supplies it (postgresChangeSignal.ts).
import { keepPrepared } from './namedStatements.js';
import { classifyPostgresError } from './postgresErrors.js';
import type { DialectHelpers } from './types.js';

export const postgresHelpers: DialectHelpers = {
  name: 'postgres',
  bigint: 'bigint',
  serial: 'serial',
  autoId: (column) => column.primaryKey(),
  integerColumn: { min: -(2 ** 31), max: 2 ** 31 - 1 },
  rowLocks: true,
  orderedJoin: 'join',
  // The SQLite-only indexes that SQLite is told to use have no counterpart here (migration 0460).
  throughIndex: () => '',
  withRowLock: (query, lock) =>
    (lock === 'keyShare' ? query.forKeyShare() : lock === 'noKeyUpdate' ? query.forNoKeyUpdate() : query.forUpdate()) as typeof query,
  keepPrepared,
  classifyError: classifyPostgresError,
  sharedByProcesses: true,
  watchChanges: null,
};
