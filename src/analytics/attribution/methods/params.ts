// Parameters of the attribution methods: the period, the lookback and the half-life, each
// refused with an ERROR_ARGUMENT that names it.
import { argumentError } from '../../../rest/errors.js';
import { paramCaseInsensitive } from '../../../php/values.js';
import type { PhpMap } from '../../../php/query.js';
import type { Period } from '../contract.js';

const DAY = 86_400;
export const DEFAULT_PERIOD_DAYS = 30;
export const DEFAULT_LOOKBACK_DAYS = 90;
export const DEFAULT_HALF_LIFE_DAYS = 7;

function present(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/**
 * Unix seconds from unix seconds, an ISO 8601 date-time, or a `YYYY-MM-DD` date in the server's
 * zone: its midnight, or the next one with `endOfDay` (a `to` date includes that whole day).
 */
function parseInstant(value: unknown, name: string, endOfDay: boolean): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') {
    if (/^-?\d+$/.test(value)) return Number(value);
    const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (day) {
      const [year, month, date] = [Number(day[1]), Number(day[2]) - 1, Number(day[3])];
      const midnight = new Date(year, month, date);
      if (midnight.getFullYear() === year && midnight.getMonth() === month && midnight.getDate() === date) {
        return new Date(year, month, date + (endOfDay ? 1 : 0)).getTime() / 1000;
      }
    }
    if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
      const ms = Date.parse(value);
      if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
    }
  }
  throw argumentError('ATTRIBUTION_DATE_INVALID', name, { name });
}

/** `from` and `to`; by default the 30 days up to now. */
export function periodParam(params: PhpMap, nowSeconds: number): Period {
  const fromValue = paramCaseInsensitive(params, 'from');
  const toValue = paramCaseInsensitive(params, 'to');
  const to = present(toValue) ? parseInstant(toValue, 'to', true) : Math.floor(nowSeconds) + 1;
  const from = present(fromValue) ? parseInstant(fromValue, 'from', false) : to - DEFAULT_PERIOD_DAYS * DAY;
  if (to <= from) throw argumentError('ATTRIBUTION_PERIOD_EMPTY', 'to');
  return { from, to };
}

/** A number of days within [min, max] (fractions allowed), the default when absent. */
export function daysParam(params: PhpMap, name: string, fallback: number, min: number, max: number): number {
  const value = paramCaseInsensitive(params, name);
  if (!present(value)) return fallback;
  const days = typeof value === 'number' ? value : typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : NaN;
  if (!Number.isFinite(days) || days < min || days > max) throw argumentError('ATTRIBUTION_DAYS_INVALID', name, { name, min, max });
  return days;
}

export const LOOKBACK = { name: 'lookbackDays', fallback: DEFAULT_LOOKBACK_DAYS, min: 1, max: 3650 } as const;
export const HALF_LIFE = { name: 'halfLifeDays', fallback: DEFAULT_HALF_LIFE_DAYS, min: 0.01, max: 365 } as const;

export function lookbackAndHalfLife(params: PhpMap): { lookbackDays: number; halfLifeDays: number } {
  return {
    lookbackDays: daysParam(params, LOOKBACK.name, LOOKBACK.fallback, LOOKBACK.min, LOOKBACK.max),
    halfLifeDays: daysParam(params, HALF_LIFE.name, HALF_LIFE.fallback, HALF_LIFE.min, HALF_LIFE.max),
  };
}

export { DAY };
