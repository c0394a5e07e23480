// What telephony refuses, by kind. No Bitrix text here: telephony/methods/errors.ts answers
// each kind (tracker-and-calls.md §4.6).
import { DomainError } from '../domainError.js';

export const TELEPHONY_ERROR_KINDS = [
  /** Neither USER_ID nor USER_PHONE_INNER. */
  'userRequired',
  /** TYPE is not 1 to 5. */
  'unknownType',
  /** CALL_START_DATE is not an ISO-8601 date. */
  'startDateFormat',
  /** PHONE_NUMBER has no digit. */
  'phoneFormat',
  /** The user is missing or deactivated (or named by an inner number no user has). */
  'userNotFound',
  /** No registered, unfinished call with this CALL_ID. */
  'callNotFound',
  /** The application (webhook) already has a line with this `number`. */
  'lineExists',
  /** The application (webhook) has no line with this `number`. */
  'lineNotFound',
] as const;

export type TelephonyErrorKind = (typeof TELEPHONY_ERROR_KINDS)[number];

export class TelephonyError extends DomainError<TelephonyErrorKind> {}
