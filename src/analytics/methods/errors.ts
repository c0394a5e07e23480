// The salestrace.* analytics family's answers to the analytics module's error kinds.
import type { AnalyticsErrorKind } from '../errors.js';
import type { TranslationTable } from '../../rest/translation.js';

const field = (details: { readonly [name: string]: string | number }) => String(details.field);

export const ANALYTICS_ERRORS: TranslationTable<AnalyticsErrorKind> = {
  sourceNotFound: { key: 'SOURCE_NOT_FOUND', argument: field },
  currencyNoRate: { key: 'EXPENSE_CURRENCY_NO_RATE', argument: field },
  packNotFound: { key: 'EXPENSE_PACK_NOT_FOUND' },
  periodTooLong: { key: 'ANALYTICS_PERIOD_TOO_LONG', argument: field },
};
