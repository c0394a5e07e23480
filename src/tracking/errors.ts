// What Sales Intelligence refuses, by kind: a TRACE it cannot use, a source change it cannot
// make. No Bitrix text here; the REST families answer each kind from their tables
// (tracking/methods/errors.ts, and crm.{type}.add for a TRACE given with an item).
import { DomainError } from '../domainError.js';

export const TRACKING_ERROR_KINDS = [
  /** TRACE is not JSON as PHP's json_decode reads it. */
  'traceInvalidJson',
  /** TRACE is larger than `limit` bytes. */
  'traceTooLarge',
  /** TRACE nests `previous` deeper than `limit` levels. */
  'traceTooDeep',
  /** No source with this `id`. */
  'sourceNotFound',
  /** The source with this `code` is built in: it is archived, not deleted. */
  'sourceBuiltIn',
  /** A value of kind `field` is longer than `limit` characters. */
  'sourceValueTooLong',
  /** A REF_DOMAIN `value` that is not a domain name. */
  'sourceDomainInvalid',
  /** A PHONE `value` without digits. */
  'sourcePhoneInvalid',
  /** An EMAIL `value` that is not an address. */
  'sourceEmailInvalid',
  'sourceNameEmpty',
  /** NAME is longer than `limit` characters. */
  'sourceNameTooLong',
  'sourceNameRequired',
] as const;

export type TrackingErrorKind = (typeof TRACKING_ERROR_KINDS)[number];

export class TrackingError extends DomainError<TrackingErrorKind> {}
