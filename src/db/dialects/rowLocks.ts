// Row locks for read-then-write transactions. PostgreSQL runs transactions side by side (at READ
// COMMITTED: readCommitted.ts), so a transaction that decides what to write from what it read
// (an item exists, a trace is unused, an item has no UTM rows yet) first locks the rows that
// decision rests on; a writer that would change them waits for the commit and then reads again.
// SQLite runs one write transaction at a time (BEGIN IMMEDIATE), so there the lock is only the
// existence check. Each dialect says which it is (DialectHelpers.rowLocks, withRowLock). Callers
// lock several rows of one table in one call, which takes them in ID order, and take tables in
// the order their transaction reaches them.
import type { Kysely, SelectQueryBuilder } from 'kysely';
import { fitsIntegerColumn } from '../integers.js';
import { dialectOf } from './dialectOf.js';
import type { RowLock } from './types.js';

export type { RowLock };

/** Whether the database has row locks (PostgreSQL) or runs writers one at a time (SQLite). */
export function hasRowLocks(db: Kysely<any>): boolean {
  return dialectOf(db).rowLocks;
}

/** `query` (a select on `db`) holding the rows it finds with `lock` until the transaction ends, where the dialect has row locks. */
export function withRowLock<Q extends SelectQueryBuilder<any, any, any>>(db: Kysely<any>, query: Q, lock: RowLock): Q {
  return dialectOf(db).withRowLock(query, lock);
}

/** Locks the rows of `table` with these IDs, in ID order, and answers which of them exist. */
export async function lockRows(db: Kysely<any>, table: string, ids: Iterable<number>, lock: RowLock): Promise<Set<number>> {
  const wanted = [...new Set(ids)].filter(fitsIntegerColumn).sort((a, b) => a - b);
  if (wanted.length === 0) return new Set();
  const query = db.selectFrom(table).select('id').where('id', 'in', wanted).orderBy('id');
  const rows = await withRowLock(db, query, lock).execute();
  return new Set(rows.map((row) => Number(row.id)));
}
