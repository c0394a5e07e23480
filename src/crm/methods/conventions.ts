// The CRM families' answers to the CRM module's error kinds, one table each: an empty-code
// message for crm.{type}.*, a D7 code for crm.item.*. Each table names every kind, so a new
// kind does not compile until both families say what becomes of it.
import { NOT_MET, withTranslation, type TranslationTable } from '../../rest/translation.js';
import type { ItemHookErrorKind } from '../contract.js';
import type { CrmErrorKind } from '../model/errors.js';

/** How the error names an e-mail value by its type; only "Work e-mail" is on the pages. */
const EMAIL_CAPTIONS: Record<string, string> = {
  WORK: 'Work e-mail',
  HOME: 'Personal e-mail',
  MAILING: 'Newsletter e-mail',
  OTHER: 'Other e-mail',
};

/** crm.{lead,deal,contact,company,quote}.*; an add also meets the add hooks' refusals. */
export const LEGACY_ERRORS: TranslationTable<CrmErrorKind | ItemHookErrorKind> = {
  fieldInvalid: { key: 'LEGACY_FIELD_INVALID' },
  fieldRequired: { key: 'LEGACY_FIELD_REQUIRED' },
  // Raised only for crm.item's `fm`; the legacy wording, should a legacy field raise it.
  fieldNotIterable: { key: 'LEGACY_FIELD_INVALID' },
  emailInvalid: { key: 'CRM_EMAIL_INVALID', args: ({ valueType }) => ({ field: EMAIL_CAPTIONS[valueType] ?? 'E-mail' }) },
  nameRequired: { key: 'LEGACY_NAME_REQUIRED' },
  // The only filter error legacy lists raise: they drop unknown fields and values, and orders too.
  filterField: NOT_MET,
  filterValue: NOT_MET,
  filterValueTooLong: { key: 'LEGACY_FILTER_VALUE_TOO_LONG' },
  orderField: NOT_MET,
  orderDirection: NOT_MET,
  traceTooLarge: { key: 'TRACE_TOO_LARGE' },
  traceTooDeep: { key: 'TRACE_TOO_DEEP' },
};

/** crm.item.*: it creates no trace, so the add hooks refuse nothing (sales-intelligence.md §5.4). */
export const ITEM_ERRORS: TranslationTable<CrmErrorKind> = {
  fieldInvalid: { key: 'CRM_FIELD_INVALID' },
  fieldRequired: { key: 'CRM_FIELD_REQUIRED' },
  fieldNotIterable: { key: 'CRM_FIELD_NOT_ITERABLE' },
  // EMAIL and the contact's name are legacy fields; crm.item.* checks them as any other field.
  emailInvalid: NOT_MET,
  nameRequired: NOT_MET,
  filterField: { key: 'CRM_FILTER_FIELD' },
  filterValue: { key: 'CRM_FILTER_VALUE' },
  filterValueTooLong: { key: 'CRM_FILTER_VALUE_TOO_LONG' },
  orderField: { key: 'CRM_ORDER_FIELD' },
  orderDirection: { key: 'CRM_ORDER_DIRECTION' },
};

export function withLegacyErrors<T>(run: () => Promise<T>): Promise<T> {
  return withTranslation(LEGACY_ERRORS, run);
}

export function withItemErrors<T>(run: () => Promise<T>): Promise<T> {
  return withTranslation(ITEM_ERRORS, run);
}
