// PostgreSQL's integer columns hold 32 bits and its bigint columns 64, and it refuses a query
// that compares a column with a number outside the column's range; SQLite's columns take any
// integer and such a comparison simply finds nothing. Code that looks rows up by a number it
// was given checks the number here first, so that both databases answer "not found".

export const INTEGER_COLUMN_MIN = -2147483648;
export const INTEGER_COLUMN_MAX = 2147483647;

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
