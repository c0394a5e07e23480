// PHP value semantics. Bitrix24 is written in PHP, and its REST contract leaks PHP's
// notions of "empty", "numeric" and "array" into every method. Parameters arrive either
// as strings (query, form) or as JSON natives, so every check has to accept both.

/** A decoded PHP array: a JS array (JSON list) or a plain object (map, possibly null-prototype). */
export type PhpArray = unknown[] | Record<string, unknown>;

export function isPhpArray(value: unknown): value is PhpArray {
  return typeof value === 'object' && value !== null;
}

/** Plain object check that also accepts null-prototype objects made by the decoder. */
export function isPhpMap(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The values of a PHP array in iteration order (`foreach ($arr as $v)`). */
export function phpValues(value: PhpArray): unknown[] {
  return Array.isArray(value) ? value : Object.values(value);
}

/** The entries of a PHP array, with string keys as PHP would print them. */
export function phpEntries(value: PhpArray): [string, unknown][] {
  return Array.isArray(value) ? value.map((v, i) => [String(i), v]) : Object.entries(value);
}

export function phpCount(value: PhpArray): number {
  return Array.isArray(value) ? value.length : Object.keys(value).length;
}

/** PHP `empty()`: null, false, 0, 0.0, "", "0" and [] are empty. */
export function phpEmpty(value: unknown): boolean {
  if (value === undefined || value === null || value === false) return true;
  if (typeof value === 'number') return value === 0;
  if (typeof value === 'string') return value === '' || value === '0';
  if (typeof value === 'object') return phpCount(value as PhpArray) === 0;
  return false;
}

/** PHP boolean conversion (`(bool)$v`), so "false" is true, as in PHP. */
export function phpTruthy(value: unknown): boolean {
  return !phpEmpty(value);
}

const NUMERIC = /^[ \t\n\r\v\f]*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?[ \t\n\r\v\f]*$/;

/** PHP 8 `is_numeric()`: numbers, and strings that look like decimal numbers (whitespace allowed). */
export function phpIsNumeric(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'string') return NUMERIC.test(value);
  return false;
}

/**
 * PHP `(int)` / `intval()`: leading whitespace, an optional sign and the leading digits of a
 * string; floats truncate; booleans give 0/1; arrays give 0/1 by emptiness.
 */
export function phpIntval(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return 0;
    return clampInt(Math.trunc(value));
  }
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    if (phpIsNumeric(value)) {
      const n = Math.trunc(Number(value.trim()));
      return Number.isFinite(n) ? clampInt(n) : 0;
    }
    const match = /^[ \t\n\r\v\f]*([+-]?\d+)/.exec(value);
    return match ? clampInt(Number(match[1])) : 0;
  }
  if (typeof value === 'object' && value !== null) return phpCount(value as PhpArray) > 0 ? 1 : 0;
  return 0;
}

function clampInt(n: number): number {
  // PHP saturates out-of-range numeric strings at PHP_INT_MAX/MIN.
  if (n > Number.MAX_SAFE_INTEGER) return Number.MAX_SAFE_INTEGER;
  if (n < Number.MIN_SAFE_INTEGER) return Number.MIN_SAFE_INTEGER;
  return n;
}

/** PHP string conversion of a scalar: true → "1", false/null → "". */
export function phpString(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value === true) return '1';
  if (typeof value === 'number') return phpNumberString(value);
  if (typeof value === 'string') return value;
  return 'Array';
}

function phpNumberString(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return String(value);
}

/**
 * Case-insensitive lookup of a top-level parameter, as Bitrix does for `cmd`/`halt` and
 * `FILTER`/`filter` with `array_change_key_case`: when several spellings are present, the last
 * one in parameter order wins.
 */
export function paramCaseInsensitive(params: Record<string, unknown>, name: string): unknown {
  const lower = name.toLowerCase();
  let found: unknown = undefined;
  for (const key of Object.keys(params)) {
    if (key.toLowerCase() === lower) found = params[key];
  }
  return found;
}
