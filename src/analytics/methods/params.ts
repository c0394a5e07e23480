// Parameter checks shared by the analytics methods: each refusal is ERROR_ARGUMENT naming the
// parameter (`argument`), from the registry's ANALYTICS_* keys.
import type { Caller } from '../../auth/caller.js';
import { isPhpArray, paramCaseInsensitive, phpValues } from '../../php/values.js';
import { argumentError, restError } from '../../rest/errors.js';
import { isCurrencyCode } from '../currency.js';
import { parseDay } from '../days.js';
import { toCents } from '../expenseSplit.js';

export const MAX_CENTS = 100_000_000_000_000; // decimal(18,2): below 10^16 cents
export const MAX_COUNT = 1_000_000_000_000;
export const MAX_COMMENT = 255;

/** Expenses and reports are Sales Intelligence settings: administrators only, as in Bitrix24. */
export function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw restError('ACCESS_DENIED');
}

export function param(params: Record<string, unknown>, name: string): unknown {
  return paramCaseInsensitive(params, name);
}

function given(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

function scalarText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

export function requiredDay(value: unknown, field: string): string {
  if (!given(value)) throw argumentError('ANALYTICS_PARAMETER_REQUIRED', field, { field });
  return optionalDay(value, field)!;
}

export function optionalDay(value: unknown, field: string): string | undefined {
  if (!given(value)) return undefined;
  const text = scalarText(value);
  const day = text === undefined ? undefined : parseDay(text);
  if (day === undefined) throw argumentError('ANALYTICS_PARAMETER_DATE', field, { field });
  return day;
}

export function sourceIdParam(value: unknown, field: string, allowOrganic: boolean): number {
  const text = scalarText(value)?.trim();
  if (allowOrganic && text !== undefined && text.toLowerCase() === 'organic') return 0;
  const pattern = allowOrganic ? /^\d{1,9}$/ : /^0*[1-9]\d{0,8}$/;
  if (text === undefined || !pattern.test(text)) throw argumentError('ANALYTICS_PARAMETER_SOURCE', field, { field });
  return Number(text);
}

export function requiredSourceId(value: unknown, field: string): number {
  if (!given(value)) throw argumentError('ANALYTICS_PARAMETER_REQUIRED', field, { field });
  return sourceIdParam(value, field, false);
}

/** Money: a decimal number from 0, in cents. */
export function amountParam(value: unknown, field: string, required: boolean): number {
  if (!given(value)) {
    if (required) throw argumentError('ANALYTICS_PARAMETER_REQUIRED', field, { field });
    return 0;
  }
  const text = scalarText(value);
  const cents = text === undefined ? undefined : toCents(text);
  if (cents === undefined || cents >= MAX_CENTS) throw argumentError('ANALYTICS_PARAMETER_AMOUNT', field, { field, limit: MAX_CENTS / 100 - 0.01 });
  return cents;
}

export function countParam(value: unknown, field: string): number {
  if (!given(value)) return 0;
  const text = scalarText(value)?.trim();
  if (text === undefined || !/^\d{1,13}$/.test(text) || Number(text) > MAX_COUNT) {
    throw argumentError('ANALYTICS_PARAMETER_COUNT', field, { field, limit: MAX_COUNT });
  }
  return Number(text);
}

export function currencyParam(value: unknown, field: string): string {
  if (!given(value)) throw argumentError('ANALYTICS_PARAMETER_REQUIRED', field, { field });
  const text = scalarText(value)?.trim().toUpperCase();
  if (text === undefined || !isCurrencyCode(text)) throw argumentError('ANALYTICS_PARAMETER_CURRENCY', field, { field });
  return text;
}

export function textParam(value: unknown, field: string, limit = MAX_COMMENT): string {
  if (value === undefined || value === null) return '';
  const text = scalarText(value);
  if (text === undefined || text.length > limit) throw argumentError('ANALYTICS_PARAMETER_TEXT', field, { field, limit });
  return text;
}

/** A list parameter: a PHP array's values, or one scalar as a list of one. */
export function listParam(value: unknown): unknown[] {
  if (!given(value)) return [];
  return isPhpArray(value) ? phpValues(value) : [value];
}
