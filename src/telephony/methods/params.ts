// Reading the telephony methods' parameters the way the core's vi_rest.php does.
import { phpEmpty, phpIntval, phpString } from '../../php/values.js';
import { TelephonyError } from '../errors.js';

/** A scalar parameter as a trimmed string; undefined when absent, empty or not a scalar. */
export function textParam(value: unknown): string | undefined {
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') return undefined;
  const text = phpString(value).trim();
  return text === '' ? undefined : text;
}

/** USER_ID / USER_PHONE_INNER: one is required; only USER_ID names a user here. */
export function userParam(params: Record<string, unknown>): number | undefined {
  const hasId = !phpEmpty(params.USER_ID);
  if (!hasId && phpEmpty(params.USER_PHONE_INNER)) throw new TelephonyError('userRequired');
  return hasId ? phpIntval(params.USER_ID) : undefined;
}

const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?$/i;

/** CALL_START_DATE in unix seconds; undefined when absent (now). */
export function startDateParam(value: unknown): number | undefined {
  if (phpEmpty(value)) return undefined;
  const text = typeof value === 'string' ? value.trim() : '';
  const ms = ISO_8601.test(text) ? Date.parse(text.replace(' ', 'T')) : NaN;
  if (!Number.isFinite(ms)) throw new TelephonyError('startDateFormat');
  return Math.floor(ms / 1000);
}
