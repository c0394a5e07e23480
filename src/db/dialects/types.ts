// What the rest of the code may know about the database engine: nothing but these helpers.
// Both dialects give the same answers to the same queries: text compares and sorts by code
// point, transactions behave as if run one at a time, and the SQL function
// salestrace_lower(text) lower-cases by Unicode rules (SQLite's and PostgreSQL's own lower()
// differ: ASCII only, or by the database's locale). One difference is left: a rolled-back write
// uses its ID up on PostgreSQL (a sequence) and not on SQLite.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { Durability } from '../durability.js';

export type DialectName = 'sqlite' | 'postgres';

export interface DialectHelpers {
  readonly name: DialectName;
  /** Column type for unix-second timestamps and other 64-bit integers. */
  readonly bigint: 'integer' | 'bigint';
  /** Column type for an auto-increment integer primary key. */
  readonly serial: 'integer' | 'serial';
  /** Applies the auto-increment primary key to an id column. */
  autoId(column: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
}

export interface OpenedDatabase<DB> {
  readonly db: Kysely<DB>;
  readonly helpers: DialectHelpers;
  /** What an answer that follows a write waits for (a no-op where COMMIT is durable). */
  readonly durability: Durability;
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
