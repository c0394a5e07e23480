// What the rest of the code may know about the database engine: nothing but these helpers.
// Both dialects give the same answers to the same queries: text compares and sorts by code
// point, transactions behave as if run one at a time, and the SQL function
// salestrace_lower(text) lower-cases by Unicode rules (SQLite's and PostgreSQL's own lower()
// differ: ASCII only, or by the database's locale). One difference is left: a rolled-back write
// uses its ID up on PostgreSQL (a sequence) and not on SQLite. Both have RETURNING (SQLite since
// 3.35), so code uses it freely; whether a batch runs in one held transaction depends on how
// the database was opened, not on the dialect (OpenedDatabase.inOneTransaction).
import type { ColumnDefinitionBuilder, Kysely, SelectQueryBuilder } from 'kysely';
import type { Durability } from '../durability.js';

export type DialectName = 'sqlite' | 'postgres';

/**
 * How strongly a row is held (PostgreSQL's FOR … clauses):
 * - `keyShare`: it must keep existing (a link or binding to it is being written); only its delete waits;
 * - `noKeyUpdate`: this transaction rewrites what hangs off it; other such writers and its delete wait;
 * - `update`: it may be deleted; everyone else who locks it waits.
 */
export type RowLock = 'keyShare' | 'noKeyUpdate' | 'update';

/**
 * What went wrong in a database call, whichever driver raised it:
 * - `uniqueViolation`, `foreignKeyViolation`, `notNullViolation`: a constraint refused the write;
 * - `conflict`: a deadlock or serialization failure; the transaction changed nothing and may run again;
 * - `busy`: another connection holds a lock this statement would not wait for (any longer);
 * - `connectionLost`: the statement got no answer (the connection was refused, broken or closed);
 * - `statementFailed`: any other error the database reported for a statement (bad SQL, a missing
 *   table, or the server ending the session while answering).
 */
export type DatabaseErrorKind =
  | 'uniqueViolation'
  | 'foreignKeyViolation'
  | 'notNullViolation'
  | 'conflict'
  | 'busy'
  | 'connectionLost'
  | 'statementFailed';

/** The numbers a column type holds. */
export interface IntegerRange {
  readonly min: number;
  readonly max: number;
}

export interface ChangeToken {
  /**
   * An opaque value that differs after every committed change to a watched table; null: do not
   * cache. With `after` (a `mark()`), any read issued after that mark may answer, even one
   * another caller asked for: it too saw every change committed before the mark was taken.
   */
  read(after?: number): Promise<string | null>;
  /**
   * Where reads cost a round trip (PostgreSQL): a mark of this moment, for `read(after)`. A
   * request takes one when it arrives, so that its later reads can reuse its first.
   */
  mark?(): number;
}

/**
 * Builds a change token over `tables` on the server's connection. `insideOneTransaction` says
 * whether the caller runs inside a batch's held transaction (OpenedDatabase).
 */
export type ChangeWatcher = (db: Kysely<any>, tables: readonly string[], insideOneTransaction: () => boolean) => Promise<ChangeToken>;

export interface DialectHelpers {
  readonly name: DialectName;
  /** Column type for unix-second timestamps and other 64-bit integers. */
  readonly bigint: 'integer' | 'bigint';
  /** Column type for an auto-increment integer primary key. */
  readonly serial: 'integer' | 'serial';
  /** Applies the auto-increment primary key to an id column. */
  autoId(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
  /** The numbers an `integer` column holds (and a query may compare it with). */
  readonly integerColumn: IntegerRange;
  /** Whether writers run side by side and take row locks (true), or run one at a time (false). */
  readonly rowLocks: boolean;
  /**
   * The join keyword that keeps the order a query writes its tables in: SQLite's planner keeps
   * CROSS JOIN's order; PostgreSQL rejects CROSS JOIN … ON and plans a plain JOIN from statistics.
   */
  readonly orderedJoin: 'cross join' | 'join';
  /**
   * What follows a table (and its alias) to read it through `index`: SQLite without statistics
   * (nothing runs ANALYZE) may otherwise pick the table; '' where the index does not exist.
   */
  throughIndex(index: string): string;
  /** `query` with the lock clause for `lock`; unchanged where writers run one at a time. */
  withRowLock<Q extends SelectQueryBuilder<any, any, any>>(query: Q, lock: RowLock): Q;
  /**
   * Where the database re-parses every unnamed statement (PostgreSQL): marks a text the server
   * sends again and again, so that each connection prepares it once (namedStatements.ts).
   */
  keepPrepared?(sqlText: string): void;
  /** The kind of a failure this dialect's driver raised; null for anything else. */
  classifyError(error: unknown): DatabaseErrorKind | null;
  /**
   * Whether several server processes may serve one database (`serve --workers`, several
   * machines): then the rate and operating-time limits are kept in the database, not in memory.
   */
  readonly sharedByProcesses: boolean;
  /**
   * An exact, cheap signal that watched tables changed, or null where there is none (then nothing
   * is cached). PostgreSQL's needs the connection URL, so its opened database supplies it
   * (OpenedDatabase.watchChanges); code asks the opened database.
   */
  readonly watchChanges: ChangeWatcher | null;
}

export interface OpenedDatabase<DB> {
  readonly db: Kysely<DB>;
  readonly helpers: DialectHelpers;
  /** What an answer that follows a write waits for (a no-op where COMMIT is durable). */
  readonly durability: Durability;
  /** This database's change signal (the dialect's, with what it needs to connect); null: do not cache. */
  readonly watchChanges: ChangeWatcher | null;
  /**
   * Runs `work` (a batch's rows) in one physical transaction where that is cheaper and safe:
   * SQLite in group-commit mode (heldTransaction.ts). Elsewhere it simply runs `work`.
   */
  inOneTransaction<T>(work: () => Promise<T>): Promise<T>;
  /** Whether the caller runs inside such a held transaction. */
  insideOneTransaction(): boolean;
  /** Cheap connectivity probe for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
