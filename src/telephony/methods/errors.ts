// The telephony family's answers to telephony's error kinds (tracker-and-calls.md §4.6: every
// error is RestException(message), i.e. ERROR_CORE with the core's text).
import type { TelephonyErrorKind } from '../errors.js';
import type { TranslationTable } from '../../rest/translation.js';

export const TELEPHONY_ERRORS: TranslationTable<TelephonyErrorKind> = {
  userRequired: { key: 'TELEPHONY_USER_REQUIRED' },
  unknownType: { key: 'TELEPHONY_UNKNOWN_TYPE' },
  startDateFormat: { key: 'TELEPHONY_START_DATE_FORMAT' },
  phoneFormat: { key: 'TELEPHONY_PHONE_FORMAT' },
  userNotFound: { key: 'TELEPHONY_USER_NOT_FOUND' },
  callNotFound: { key: 'TELEPHONY_CALL_NOT_FOUND' },
  lineExists: { key: 'TELEPHONY_LINE_EXISTS' },
  lineNotFound: { key: 'TELEPHONY_LINE_NOT_FOUND' },
};
