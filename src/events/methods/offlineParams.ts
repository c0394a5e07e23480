// The offline queue's parameters (events.md §2.6): the filter and order over its fields, the
// process and message IDs, and the rows as event.offline.get and .list print them.
import { isPhpArray, isPhpMap, phpIntval, phpString, phpValues } from '../../php/values.js';
import type { OfflineColumn, OfflineCondition, OfflineOperator, OfflineOrder, OfflineRow } from '../contract.js';
import { param } from './params.js';

const FIELDS: Record<string, OfflineColumn> = {
  ID: 'id',
  TIMESTAMP_X: 'timestamp_x',
  EVENT_NAME: 'event_name',
  MESSAGE_ID: 'message_id',
  PROCESS_ID: 'process_id',
  ERROR: 'error',
};

export const GET_FIELDS = ['ID', 'TIMESTAMP_X', 'EVENT_NAME', 'MESSAGE_ID'];

export const LIST_FIELDS = Object.keys(FIELDS);

const OPERATORS: [string, OfflineOperator][] = [['>=', '>='], ['<=', '<='], ['!=', '!='], ['=', '='], ['>', '>'], ['<', '<'], ['!', '!=']];

function filterValue(column: OfflineColumn, value: unknown): string | number {
  if (column === 'timestamp_x') {
    const ms = typeof value === 'number' ? value * 1000 : Date.parse(phpString(value));
    return Number.isFinite(ms) ? ms : 0;
  }
  if (column === 'id' || column === 'error') return phpIntval(value);
  return phpString(value);
}

/** `filter` over the allowed fields with `=`, `>`, `<`, `>=`, `<=`, `!` prefixes; unknown keys are ignored. */
export function conditions(params: Record<string, unknown>, allowed: readonly string[]): OfflineCondition[] {
  const filter = param(params, 'filter');
  if (!isPhpMap(filter)) return [];
  const result: OfflineCondition[] = [];
  for (const [rawKey, value] of Object.entries(filter)) {
    let key = rawKey.toUpperCase();
    let operator: OfflineOperator = '=';
    for (const [prefix, op] of OPERATORS) {
      if (key.startsWith(prefix)) {
        operator = op;
        key = key.slice(prefix.length);
        break;
      }
    }
    if (!allowed.includes(key) || typeof value === 'object') continue;
    result.push({ column: FIELDS[key]!, operator, value: filterValue(FIELDS[key]!, value) });
  }
  return result;
}

export function order(params: Record<string, unknown>, allowed: readonly string[], fallback: OfflineOrder): OfflineOrder[] {
  const given = param(params, 'order');
  if (!isPhpMap(given)) return [fallback];
  const result: OfflineOrder[] = [];
  for (const [rawKey, value] of Object.entries(given)) {
    const key = rawKey.toUpperCase();
    if (!allowed.includes(key)) continue;
    result.push({ column: FIELDS[key]!, direction: phpString(value).toUpperCase() === 'DESC' ? 'desc' : 'asc' });
  }
  return result.length > 0 ? result : [fallback];
}

/** Bitrix prints dates as ISO 8601 with the offset; Salestrace's offset is UTC's. */
function isoDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
}

export function offlineItem(row: OfflineRow, withState: boolean): Record<string, unknown> {
  const item: Record<string, unknown> = {
    ID: String(row.id),
    TIMESTAMP_X: isoDate(Number(row.timestamp_x)),
    EVENT_NAME: row.event_name,
    EVENT_DATA: JSON.parse(row.event_data),
    EVENT_ADDITIONAL: JSON.parse(row.event_additional),
    MESSAGE_ID: row.message_id,
  };
  if (withState) {
    item.PROCESS_ID = row.process_id;
    item.ERROR = String(row.error);
  }
  return item;
}

export function processIdParam(params: Record<string, unknown>): string | undefined {
  const value = param(params, 'process_id');
  return value === undefined || value === null || typeof value === 'object' ? undefined : phpString(value);
}

export function positiveIntegers(value: unknown): number[] | undefined {
  if (!isPhpArray(value)) return undefined;
  const ids = phpValues(value).map((v) => (typeof v === 'number' || typeof v === 'string' ? phpIntval(v) : 0));
  return ids.every((id) => id > 0) ? ids : undefined;
}

export function messageIds(value: unknown): string[] | undefined {
  if (!isPhpArray(value)) return undefined;
  const ids = phpValues(value).map((v) => (typeof v === 'string' ? v : ''));
  return ids.every((id) => id.length === 32) ? ids : undefined;
}
