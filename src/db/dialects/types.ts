// What the rest of the code may know about the database engine: nothing but these helpers.
import type { ColumnDefinitionBuilder, Kysely } from 'kysely';

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
  /** Cheap connectivity probe for /healthz. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
