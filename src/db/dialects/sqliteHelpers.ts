// What SQLite is, for the code that must know: one writer at a time (so no row locks), integer
// columns of 64 bits, an exact change signal, and better-sqlite3's errors.
import { sqliteChangeToken } from './sqliteChangeSignal.js';
import { classifySqliteError } from './sqliteErrors.js';
import type { DialectHelpers } from './types.js';

export const sqliteHelpers: DialectHelpers = {
  name: 'sqlite',
  bigint: 'integer',
  serial: 'integer',
  autoId: (column) => column.primaryKey().autoIncrement(),
  // 64-bit columns, of which a JavaScript number holds the exact part.
  integerColumn: { min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER },
  // BEGIN IMMEDIATE: write transactions take turns, so what one read stays true until it commits.
  rowLocks: false,
  orderedJoin: 'cross join',
  throughIndex: (index) => `indexed by ${index}`,
  withRowLock: (query) => query,
  classifyError: classifySqliteError,
  sharedByProcesses: false,
  watchChanges: sqliteChangeToken,
};
