// What the analytics module refuses, by kind; the salestrace.* analytics family answers each
// kind from its table (analytics/methods/errors.ts). No Bitrix text here.
import { DomainError } from '../domainError.js';

export const ANALYTICS_ERROR_KINDS = [
  /** No source with this `id` (the parameter is `field`). */
  'sourceNotFound',
  /** Amounts in `currency` cannot be converted to the `account` currency: no rate is set. */
  'currencyNoRate',
  /** No expense pack with this `id`. */
  'packNotFound',
  /** A period from `from` to `to` longer than `limit` days. */
  'periodTooLong',
] as const;

export type AnalyticsErrorKind = (typeof ANALYTICS_ERROR_KINDS)[number];

export class AnalyticsError extends DomainError<AnalyticsErrorKind> {}
