// Each dialect states the numbers its integer columns hold (dialects/*Helpers.ts): PostgreSQL's
// hold 32 bits, as Bitrix's int(11) IDs do, SQLite's 64. PostgreSQL refuses a query that
// compares a column with a number outside the column's range, where SQLite simply finds nothing.
// So that both answer alike, every ID and integer field value is held to the range every dialect
// can store, and code that looks rows up by a number it was given checks the number here first:
// both databases then answer "not found".
import { postgresHelpers } from './dialects/postgresHelpers.js';
import { sqliteHelpers } from './dialects/sqliteHelpers.js';

const DIALECT_RANGES = [sqliteHelpers.integerColumn, postgresHelpers.integerColumn];

export const INTEGER_COLUMN_MIN = Math.max(...DIALECT_RANGES.map((range) => range.min));
export const INTEGER_COLUMN_MAX = Math.min(...DIALECT_RANGES.map((range) => range.max));

/** Whether an integer column (every ID) can hold this number. */
export function fitsIntegerColumn(value: number): boolean {
  return Number.isSafeInteger(value) && value >= INTEGER_COLUMN_MIN && value <= INTEGER_COLUMN_MAX;
}

/**
 * A bound compared with a bigint column (unix seconds), moved into the range where numbers are
 * exact. Every stored value is far inside it, so the comparison's answer does not change.
 */
export function boundForBigintColumn(value: number): number {
  return Math.min(Math.max(value, Number.MIN_SAFE_INTEGER), Number.MAX_SAFE_INTEGER);
}
