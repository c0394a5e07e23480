// The helpers of the dialect a Kysely instance (or one of its transactions) runs on, for code
// that is handed a database rather than the opened one's helpers (row locks, mostly), and the
// kind of a failure whichever driver raised it (an error reaches the answer without its database).
import { PostgresAdapter, type Kysely } from 'kysely';
import { postgresHelpers } from './postgresHelpers.js';
import { sqliteHelpers } from './sqliteHelpers.js';
import type { DatabaseErrorKind, DialectHelpers } from './types.js';

export function dialectOf(db: Kysely<any>): DialectHelpers {
  return db.getExecutor().adapter instanceof PostgresAdapter ? postgresHelpers : sqliteHelpers;
}

/** The kind of a failure raised by either driver; null: no database raised it (a bug, or anything else). */
export function classifyDatabaseError(error: unknown): DatabaseErrorKind | null {
  return sqliteHelpers.classifyError(error) ?? postgresHelpers.classifyError(error);
}

/** Whether a database reported this failure for a statement (rather than not answering at all). */
export function isDatabaseError(error: unknown): boolean {
  const kind = classifyDatabaseError(error);
  return kind !== null && kind !== 'connectionLost';
}
