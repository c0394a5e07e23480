// List filters: `{">=OPPORTUNITY": 100, "@STAGE_ID": ["NEW", "WON"], "0": {"logic": "OR", …}}`.
// A key is an operator prefix and a field name (rest-protocol.md §6: the leading non-letters);
// the prefixes are those of crm-item-list.md. Field names are looked up in the type's field
// list and values are converted to the field's type, so only known columns and bound values
// reach SQL. Legacy methods drop what they cannot use, as Bitrix's CCrm*::GetListEx does;
// crm.item.list answers INVALID_ARG_VALUE.
import { isPhpArray, isPhpMap, phpEntries, phpIntval, phpIsNumeric, phpString, phpValues } from '../../php/values.js';
import { parseDateOnly, parseDateTime } from '../model/dates.js';
import { INT_MAX, INT_MIN, LINK_TARGETS, fitsIntColumn, type CrmField } from '../model/fields/field.js';
import type { FilterCondition, FilterGroup, FilterNode, FilterOperator, FilterScalar } from '../model/listCriteria.js';
import { storedTextLimit } from '../model/textLimits.js';
import type { CrmType } from '../model/types.js';
import type { Convention } from './input.js';
import { CrmError } from '../model/errors.js';

const OPERATORS: Record<string, FilterOperator> = {
  '': 'eq',
  '=': 'eq',
  '!': 'neq',
  '!=': 'neq',
  '>': 'gt',
  '<': 'lt',
  '>=': 'gte',
  '<=': 'lte',
  '@': 'in',
  '!@': 'notIn',
  '%': 'contains',
  '!%': 'notContains',
  '=%': 'like',
  '%=': 'like',
  '!=%': 'notLike',
  '!%=': 'notLike',
};

/**
 * Why a list refuses a filter. crm.item.list refuses every kind; legacy lists drop unknown
 * fields and unusable values as Bitrix does, and refuse only a value that is too long.
 */
const FILTER_KINDS = { field: 'filterField', value: 'filterValue', tooLong: 'filterValueTooLong' } as const;

export class FilterError extends CrmError {
  constructor(
    readonly reason: 'field' | 'value' | 'tooLong',
    readonly fieldName: string,
    /** For 'tooLong': the most characters the value may have. */
    readonly limit = 0,
  ) {
    super(FILTER_KINDS[reason], { field: fieldName, limit });
    this.name = 'FilterError';
  }
}

/**
 * The longest value a LIKE operator takes (`%`, `=%`, `%=`, their negations, and the patterns
 * of legacy PHONE/EMAIL/…). Both databases match a LIKE pattern in up to (pattern length ×
 * value length) steps per row, and a free-text value may hold 65 535 characters: this cap keeps
 * the worst such row near 30 ms on either database, where a pattern the size of the column
 * would take seconds. 255 is a string field's own size: only free-text and UTM searches get less.
 */
export const LIKE_VALUE_MAX = 255;

const LIKE_OPERATORS: ReadonlySet<FilterOperator> = new Set(['contains', 'notContains', 'like', 'notLike']);

/** The most characters a filter value may have: what the column keeps, less for a LIKE search. */
function valueLimit(f: CrmField, operator: FilterOperator): number {
  // A plain value on PHONE/EMAIL/… is a LIKE pattern too (multifieldCondition).
  const likes = LIKE_OPERATORS.has(operator) || (f.storage === 'multifield' && (operator === 'eq' || operator === 'neq'));
  return likes ? Math.min(storedTextLimit(f), LIKE_VALUE_MAX) : storedTextLimit(f);
}

/**
 * A value longer than the column keeps can never be equal to, or inside, a stored value; both
 * databases would still scan with it, and SQLite refuses LIKE patterns over 50 000 bytes.
 * Refused on both conventions (COMPATIBILITY.md, "Filter values: lengths and LIKE escaping").
 */
function checkLength(f: CrmField, name: string, operator: FilterOperator, value: FilterScalar): void {
  const limit = valueLimit(f, operator);
  if (typeof value === 'string' && value.length > limit) throw new FilterError('tooLong', name, limit);
}

const MAX_DEPTH = 10;

function isFilterable(f: CrmField, convention: Convention): boolean {
  if (f.storage === 'column' || f.storage === 'utm') return true;
  // Legacy lists search PHONE/EMAIL/… (CCrmEntityHelper::PrepareMultiFieldFilter).
  return convention === 'legacy' && f.storage === 'multifield';
}

function lookupField(type: CrmType, name: string, convention: Convention): CrmField | undefined {
  if (convention === 'legacy') return type.byName(name.toUpperCase());
  return type.byItemName(name) ?? type.byName(name);
}

function isIntegerField(f: CrmField): boolean {
  return ['integer', 'user', 'location', 'crm_category'].includes(f.type) || LINK_TARGETS[f.type] !== undefined;
}

/** Converts one filter value to what the column holds; undefined when it cannot be one. */
function convertValue(f: CrmField, raw: unknown, convention: Convention): FilterScalar | undefined {
  if (raw === null) return null;
  if (isPhpArray(raw)) return undefined;
  if (f.storage === 'column' && isIntegerField(f)) {
    if (typeof raw === 'string' && raw.trim() === '') return '';
    // Legacy lists compare PHP's intval, held to the column's range.
    if (convention === 'legacy') return Math.min(INT_MAX, Math.max(INT_MIN, phpIntval(raw)));
    const n = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\s*[+-]?\d{1,15}\s*$/.test(raw) ? Number(raw) : undefined;
    return n !== undefined && fitsIntColumn(n) ? n : undefined;
  }
  if (f.storage === 'column' && f.type === 'double') {
    if (typeof raw === 'string' && raw.trim() === '') return '';
    if (!phpIsNumeric(raw)) return convention === 'legacy' ? 0 : undefined;
    return Number(typeof raw === 'string' ? raw.trim() : raw);
  }
  if (f.storage === 'column' && (f.type === 'date' || f.type === 'datetime')) {
    if (raw === '') return '';
    if (typeof raw !== 'string') return undefined;
    return (f.type === 'date' ? parseDateOnly(raw) : parseDateTime(raw)) ?? undefined;
  }
  if (typeof raw === 'boolean') return raw ? 'Y' : 'N';
  return phpString(raw);
}

function isAsciiLetter(code: number): boolean {
  return (code >= 0x41 && code <= 0x5a) || (code >= 0x61 && code <= 0x7a);
}

/**
 * Core's `^([^a-zA-Z]*)(.*)$`: the operator is everything before the first letter. An index
 * scan: the pattern backtracks quadratically on a long prefix, and finds no match at all (a
 * crash here) when the name holds a line break.
 */
function splitFilterKey(key: string): { prefix: string; name: string } {
  let letter = 0;
  while (letter < key.length && !isAsciiLetter(key.charCodeAt(letter))) letter++;
  return { prefix: key.slice(0, letter), name: key.slice(letter) };
}

function parseCondition(
  type: CrmType,
  key: string,
  raw: unknown,
  convention: Convention,
): FilterCondition | undefined {
  const { prefix, name } = splitFilterKey(key);
  const refuse = (reason: 'field' | 'value', fieldName: string): undefined => {
    if (convention === 'item') throw new FilterError(reason, fieldName);
    return undefined;
  };
  let operator = OPERATORS[prefix];
  if (operator === undefined) return refuse('field', key);
  const f = name === '' ? undefined : lookupField(type, name, convention);
  if (!f || !isFilterable(f, convention)) return refuse('field', name);

  // Bitrix does not LIKE-search status and link fields: it compares them (internalizeFilterFields).
  if (convention === 'legacy' && (f.type === 'crm_status' || f.type === 'crm_company' || f.type === 'crm_contact')) {
    if (operator === 'contains' || operator === 'like') operator = 'eq';
  }

  const wantsList = operator === 'in' || operator === 'notIn' || ((operator === 'eq' || operator === 'neq') && isPhpArray(raw));
  if (wantsList) {
    const list: FilterScalar[] = [];
    for (const item of isPhpArray(raw) ? phpValues(raw) : [raw]) {
      const value = convertValue(f, item, convention);
      if (value === undefined) return refuse('value', name);
      list.push(value);
    }
    const listOperator = operator === 'neq' || operator === 'notIn' ? 'notIn' : 'in';
    for (const value of list) checkLength(f, name, listOperator, value);
    return { kind: 'condition', field: f, operator: listOperator, value: list };
  }
  const value = convertValue(f, raw, convention);
  if (value === undefined) return refuse('value', name);
  checkLength(f, name, operator, value);
  return { kind: 'condition', field: f, operator, value };
}

function parseGroup(type: CrmType, filter: unknown, convention: Convention, depth: number): FilterGroup {
  const children: FilterNode[] = [];
  let logic: 'AND' | 'OR' = 'AND';
  if (!isPhpArray(filter)) return { kind: 'group', logic, children };
  for (const [key, raw] of phpEntries(filter)) {
    if (key.toUpperCase() === 'LOGIC') {
      // PHP reads an array here as the text "Array" (with a notice): not OR, so AND, as any
      // other word is (COMPATIBILITY.md, "Text parameters given as arrays").
      logic = phpString(raw).toUpperCase() === 'OR' ? 'OR' : 'AND';
      continue;
    }
    if (/^\d+$/.test(key) && isPhpMap(raw)) {
      if (depth >= MAX_DEPTH) {
        if (convention === 'item') throw new FilterError('field', key);
        continue;
      }
      children.push(parseGroup(type, raw, convention, depth + 1));
      continue;
    }
    const condition = parseCondition(type, key, raw, convention);
    if (condition) children.push(condition);
  }
  return { kind: 'group', logic, children };
}

export function parseFilter(type: CrmType, filter: unknown, convention: Convention): FilterGroup {
  return parseGroup(type, filter, convention, 0);
}
