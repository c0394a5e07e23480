// The answers of the two Sales Intelligence families to tracking's error kinds: crm.tracking.*
// (Bitrix's ERROR_CORE texts) and Salestrace's own salestrace.* (ERROR_ARGUMENT naming the
// parameter, and codes of its own). Applied once around each family's methods (index.ts).
import type { TrackingErrorKind } from '../errors.js';
import { NOT_MET, type TranslationTable } from '../../rest/translation.js';

const field = (details: { readonly [name: string]: string | number }) => String(details.field);

/** crm.tracking.trace.{add,delete}. */
export const CRM_TRACKING_ERRORS: TranslationTable<TrackingErrorKind> = {
  traceInvalidJson: { key: 'TRACE_INVALID_JSON' },
  traceTooLarge: { key: 'TRACE_TOO_LARGE' },
  traceTooDeep: { key: 'TRACE_TOO_DEEP' },
  // Sources are changed only by salestrace.source.*.
  sourceNotFound: NOT_MET,
  sourceBuiltIn: NOT_MET,
  sourceValueTooLong: NOT_MET,
  sourceDomainInvalid: NOT_MET,
  sourcePhoneInvalid: NOT_MET,
  sourceEmailInvalid: NOT_MET,
  sourceNameEmpty: NOT_MET,
  sourceNameTooLong: NOT_MET,
  sourceNameRequired: NOT_MET,
};

/** salestrace.trace.* and salestrace.source.*. */
export const SALESTRACE_ERRORS: TranslationTable<TrackingErrorKind> = {
  // Reading traces parses no TRACE.
  traceInvalidJson: NOT_MET,
  traceTooLarge: NOT_MET,
  traceTooDeep: NOT_MET,
  sourceNotFound: { key: 'SOURCE_NOT_FOUND' },
  sourceBuiltIn: { key: 'SOURCE_IS_BUILT_IN' },
  sourceValueTooLong: { key: 'SOURCE_VALUE_TOO_LONG', argument: field },
  sourceDomainInvalid: { key: 'SOURCE_DOMAIN_INVALID', argument: field },
  sourcePhoneInvalid: { key: 'SOURCE_PHONE_INVALID', argument: field },
  sourceEmailInvalid: { key: 'SOURCE_EMAIL_INVALID', argument: field },
  sourceNameEmpty: { key: 'SOURCE_NAME_EMPTY', argument: field },
  sourceNameTooLong: { key: 'SOURCE_NAME_TOO_LONG', argument: field },
  sourceNameRequired: { key: 'SOURCE_NAME_REQUIRED', argument: field },
};
