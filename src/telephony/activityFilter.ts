// crm.activity.list's filter and order, decoded: which values a condition compares, and the
// rules by which one value meets it. activityList.ts writes the same rules as SQL for the stored
// columns; the fields with a fixed value (or two) are decided here, value by value.
import { phpIsNumeric, phpString } from '../php/values.js';

/** A field's value as filters and orders compare it: dates in unix seconds, nothing as null. */
export type Comparable = string | number | null;

const OPERATORS = ['>=', '<=', '!@', '!=', '!%', '=%', '%=', '>', '<', '@', '%', '!', '='] as const;
export type FilterOperator = (typeof OPERATORS)[number];

export type ActivityCondition =
  | { readonly kind: 'field'; readonly field: string; readonly operator: FilterOperator; readonly values: readonly Comparable[] }
  /** BINDINGS: some binding matches some entry; a side left out matches any. */
  | { readonly kind: 'bindings'; readonly entries: readonly { readonly typeId?: number; readonly id?: number }[] };

export interface ActivityListQuery {
  readonly conditions: readonly ActivityCondition[];
  /** Fields with 1 (ascending) or -1 (descending), first decides; ID ascending settles ties. */
  readonly order: readonly (readonly [string, 1 | -1])[];
}

export const DATE_FIELDS = new Set(['START_TIME', 'END_TIME', 'DEADLINE', 'CREATED', 'LAST_UPDATED']);

/** The values every call activity has alike (crm.activity.list compares them as any other). */
export const FIXED_VALUES: Readonly<Record<string, string | number | null>> = {
  TYPE_ID: 2,
  PROVIDER_ID: 'VOXIMPLANT_CALL',
  PROVIDER_TYPE_ID: 'CALL',
  PROVIDER_GROUP_ID: null,
  ASSOCIATED_ENTITY_ID: 0,
  PRIORITY: 2,
  NOTIFY_TYPE: 0,
  NOTIFY_VALUE: 0,
  DESCRIPTION_TYPE: 1,
  LOCATION: '',
  ORIGINATOR_ID: null,
  RESULT_STATUS: 0,
  RESULT_STREAM: 0,
  RESULT_SOURCE_ID: null,
  PROVIDER_DATA: null,
  RESULT_MARK: 0,
  RESULT_VALUE: null,
  RESULT_SUM: null,
  RESULT_CURRENCY_ID: null,
  AUTOCOMPLETE_RULE: 0,
};

/** COMPLETED and STATUS: [missed call, any other]. */
export const MISSED_VALUES: Readonly<Record<string, readonly [string | number, string | number]>> = {
  COMPLETED: ['N', 'Y'],
  STATUS: [1, 2],
};

export function splitKey(key: string): { operator: FilterOperator; field: string } {
  const operator = OPERATORS.find((candidate) => key.startsWith(candidate)) ?? '=';
  return { operator, field: key.startsWith(operator) ? key.slice(operator.length) : key };
}

export function comparable(field: string, value: unknown): Comparable {
  if (value === null || value === undefined || value === '') return null;
  if (DATE_FIELDS.has(field)) {
    if (phpIsNumeric(value)) return Number(value);
    const ms = Date.parse(phpString(value));
    return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
  }
  if (typeof value === 'number') return value;
  return phpString(value);
}

function equal(a: Comparable | undefined, b: Comparable): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'number' || typeof b === 'number') return phpIsNumeric(b) && phpIsNumeric(a) ? Number(a) === Number(b) : String(a) === String(b);
  return a!.toLowerCase() === b.toLowerCase();
}

/** Numbers by value; anything else by its text, code unit by code unit; nothing first. */
function order(a: Comparable | undefined, b: Comparable): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

/** `%` and `!%` look for the text anywhere; `=%` and `%=` read `%` and `_` as wildcards. */
export function isSubstringSearch(operator: FilterOperator): boolean {
  return operator === '%' || operator === '!%';
}

function likePattern(text: string, substring: boolean): RegExp {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const body = substring ? `.*${escaped}.*` : escaped.replace(/%/g, '.*').replace(/_/g, '.');
  return new RegExp(`^${body}$`, 'is');
}

/** Whether a field whose value is `value` meets the condition (undefined: a field with no value to compare). */
export function holds(value: Comparable | undefined, operator: FilterOperator, values: readonly Comparable[]): boolean {
  const first = values[0] ?? null;
  switch (operator) {
    case '=':
    case '@':
      return values.some((candidate) => equal(value, candidate));
    case '!':
    case '!=':
    case '!@':
      return !values.some((candidate) => equal(value, candidate));
    case '>':
      return value !== null && order(value, first) > 0;
    case '>=':
      return value !== null && order(value, first) >= 0;
    case '<':
      return value !== null && order(value, first) < 0;
    case '<=':
      return value !== null && order(value, first) <= 0;
    case '%':
    case '=%':
    case '%=':
      return value !== null && likePattern(String(first ?? ''), isSubstringSearch(operator)).test(String(value));
    case '!%':
      return value === null || !likePattern(String(first ?? ''), true).test(String(value));
  }
}
