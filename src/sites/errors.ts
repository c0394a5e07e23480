// What the website module refuses, by kind. No Bitrix text here: the salestrace.site.* and
// salestrace.form.* family answers each kind from its table (methods/errors.ts).
import { DomainError } from '../domainError.js';

export const SITE_ERROR_KINDS = [
  /** No site with this `id`. */
  'siteNotFound',
  /** A new site without ADDRESS. */
  'siteAddressRequired',
  /** ADDRESS `value` has no host name, or is not an http(s) address. */
  'siteAddressInvalid',
  /** Another site (`id`) already has this `host`. */
  'siteHostTaken',
  /** A PHONES entry that is not text or longer than `limit` characters. */
  'sitePhoneInvalid',
  /** An EMAILS `value` that is not an address. */
  'siteEmailInvalid',
  /** No form with this `id`. */
  'formNotFound',
  'formNameRequired',
  /** FIELDS is not a map of form field names to lead fields (`allowed`). */
  'formFieldsInvalid',
  /** SITE_ID names no own site. */
  'formSiteNotFound',
  /** RESPONSIBLE_ID names no user. */
  'formResponsibleInvalid',
  /** THANKS_URL `value` is not an http(s) address. */
  'formThanksUrlInvalid',
] as const;

export type SiteErrorKind = (typeof SITE_ERROR_KINDS)[number];

export class SiteError extends DomainError<SiteErrorKind> {}
