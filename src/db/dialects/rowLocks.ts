// Row locks for read-then-write transactions. PostgreSQL runs transactions side by side (at READ
// COMMITTED: readCommitted.ts), so a transaction that decides what to write from what it read
// (an item exists, a trace is unused, an item has no UTM rows yet) first locks the rows that
// decision rests on; a writer that would change them waits for the commit and then reads again.
// SQLite runs one write transaction at a time (BEGIN IMMEDIATE), so there the lock is only the
// existence check. Each dialect says which it is (DialectHelpers.rowLocks, withRowLock). Callers
// lock several rows of one table in one call, which takes them in ID order, and take tables in
// the order their transaction reaches them.
import { sql, type Kysely, type SelectQueryBuilder } from 'kysely';
import { HotStatement } from '../hotStatement.js';
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

/** Rows of one table to lock together: `lockRowsOfTables`. */
export interface RowsOfTable {
  readonly table: string;
  readonly ids: Iterable<number>;
}

/** `table:id`, the key `lockRowsOfTables` answers with. */
export const tableRowKey = (table: string, id: number) => `${table}:${id}`;

// Compiled once per lock and list of (table, row count) (src/db/hotStatement.ts). The shape is
// `lock|table:count|table:count…`; each table's rows are one common table expression, selected
// in the order given (an Append runs its inputs in turn), so the locks are taken table by table.
const lockedRowsOfTables = new HotStatement<{ t: number; id: number }, string>((db, $, shape) => {
  const [lock, ...groups] = shape.split('|');
  let next = 0;
  const parts = groups.map((group, at) => {
    const [table, count] = group.split(':');
    const ids = Array.from({ length: Number(count) }, () => $(next++));
    return { name: `locked_${at}`, query: withRowLock(db, db.selectFrom(table).select('id').where('id', 'in', ids).orderBy('id'), lock as RowLock) };
  });
  let withs: any = db;
  for (const part of parts) withs = withs.with(part.name, () => part.query);
  // The common table expressions belong to the whole statement: only its first select carries them.
  const selects = parts.map((part, at) => (at === 0 ? withs : db).selectFrom(part.name).select([sql<number>`${sql.lit(at)}`.as('t'), 'id']));
  return selects.slice(1).reduce((all: any, select: any) => all.unionAll(select), selects[0]);
});

/**
 * lockRows for the rows of several tables in one statement (one round trip instead of one per
 * table): the tables in the order given, each one's rows in ID order. Answers which rows exist,
 * as `tableRowKey(table, id)`.
 */
export async function lockRowsOfTables(db: Kysely<any>, tables: readonly RowsOfTable[], lock: RowLock): Promise<Set<string>> {
  const groups = tables
    .map(({ table, ids }) => ({ table, ids: [...new Set(ids)].filter(fitsIntegerColumn).sort((a, b) => a - b) }))
    .filter((group) => group.ids.length > 0);
  if (groups.length === 0) return new Set();
  if (groups.length === 1) {
    const [{ table, ids }] = groups;
    return new Set([...(await lockRows(db, table, ids, lock))].map((id) => tableRowKey(table, id)));
  }
  const shape = [lock, ...groups.map((group) => `${group.table}:${group.ids.length}`)].join('|');
  const rows = await lockedRowsOfTables.rows(db, groups.flatMap((group) => group.ids), shape);
  return new Set(rows.map((row) => tableRowKey(groups[Number(row.t)].table, Number(row.id))));
}
