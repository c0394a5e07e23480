// Row locks for read-then-write transactions. PostgreSQL runs transactions side by side (at READ
// COMMITTED: readCommitted.ts), so a transaction that decides what to write from what it read
// (an item exists, a trace is unused, an item has no UTM rows yet) first locks the rows that
// decision rests on; a writer that would change them waits for the commit and then reads again.
// SQLite runs one write transaction at a time (BEGIN IMMEDIATE), so there the lock is only the
// existence check. Callers lock several rows of one table in one call, which takes them in ID
// order, and take tables in the order their transaction reaches them.
import { PostgresAdapter, type Kysely } from 'kysely';
import { fitsIntegerColumn } from '../integers.js';

/**
 * How strongly a row is held (PostgreSQL's FOR … clauses):
 * - `keyShare`: it must keep existing (a link or binding to it is being written); only its delete waits;
 * - `noKeyUpdate`: this transaction rewrites what hangs off it; other such writers and its delete wait;
 * - `update`: it may be deleted; everyone else who locks it waits.
 */
export type RowLock = 'keyShare' | 'noKeyUpdate' | 'update';

/** Whether the database has row locks (PostgreSQL) or runs writers one at a time (SQLite). */
export function hasRowLocks(db: Kysely<any>): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

/** Locks the rows of `table` with these IDs, in ID order, and answers which of them exist. */
export async function lockRows(db: Kysely<any>, table: string, ids: Iterable<number>, lock: RowLock): Promise<Set<number>> {
  const wanted = [...new Set(ids)].filter(fitsIntegerColumn).sort((a, b) => a - b);
  if (wanted.length === 0) return new Set();
  let query = db.selectFrom(table).select('id').where('id', 'in', wanted).orderBy('id');
  if (hasRowLocks(db)) {
    query = lock === 'keyShare' ? query.forKeyShare() : lock === 'noKeyUpdate' ? query.forNoKeyUpdate() : query.forUpdate();
  }
  const rows = await query.execute();
  return new Set(rows.map((row) => Number(row.id)));
}
