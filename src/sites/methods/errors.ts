// The salestrace.site.* and salestrace.form.* family's answers to the website module's error
// kinds: ERROR_ARGUMENT naming the field, and codes of Salestrace's own.
import type { SiteErrorKind } from '../errors.js';
import type { TranslationTable } from '../../rest/translation.js';

const field = (details: { readonly [name: string]: string | number }) => String(details.field);

export const SITE_ERRORS: TranslationTable<SiteErrorKind> = {
  siteNotFound: { key: 'SITE_NOT_FOUND' },
  siteAddressRequired: { key: 'SITE_ADDRESS_REQUIRED', argument: field },
  siteAddressInvalid: { key: 'SITE_ADDRESS_INVALID', argument: field },
  siteHostTaken: { key: 'SITE_HOST_TAKEN', argument: field },
  sitePhoneInvalid: { key: 'SITE_PHONE_INVALID', argument: field },
  siteEmailInvalid: { key: 'SITE_EMAIL_INVALID', argument: field },
  formNotFound: { key: 'FORM_NOT_FOUND' },
  formNameRequired: { key: 'FORM_NAME_REQUIRED', argument: field },
  formFieldsInvalid: { key: 'FORM_FIELDS_INVALID', argument: field },
  formSiteNotFound: { key: 'FORM_SITE_NOT_FOUND', argument: field },
  formResponsibleInvalid: { key: 'FORM_RESPONSIBLE_INVALID', argument: field },
  formThanksUrlInvalid: { key: 'FORM_THANKS_URL_INVALID', argument: field },
};
