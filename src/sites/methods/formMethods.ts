// salestrace.form.{add,get,list,update,delete}: site forms for sites without a back end. A form
// maps its HTML fields to lead fields; posted to /pub/form/{CODE} it creates the lead (and a
// contact) with the visitor's trace. Administrators only, as own sites.
import { argumentError, restError } from '../../rest/errors.js';
import { defineMethod } from '../../rest/method.js';
import { pageRequest, pagedResult } from '../../rest/paging.js';
import { isPhpMap, paramCaseInsensitive, phpEmpty } from '../../php/values.js';
import { formatDateC } from '../../rest/time.js';
import { positiveIntegerId } from '../../tracking/itemRefs.js';
import type { FormChanges, FormRecord } from '../contract.js';
import type { SitesPorts } from './ports.js';
import { flagField, requireAdmin, requiredId } from './siteMethods.js';

export function formView(form: FormRecord): Record<string, unknown> {
  return {
    ID: form.id,
    CODE: form.code,
    NAME: form.name,
    SITE_ID: form.siteId,
    FIELDS: { ...form.fields },
    CREATE_CONTACT: form.createContact ? 'Y' : 'N',
    RESPONSIBLE_ID: form.responsibleId,
    THANKS_URL: form.thanksUrl,
    ACTIVE: form.active ? 'Y' : 'N',
    DATE_CREATE: formatDateC(form.createdAt),
    URL: `/pub/form/${form.code}`,
  };
}

const FIELD_NAMES = ['NAME', 'SITE_ID', 'FIELDS', 'CREATE_CONTACT', 'RESPONSIBLE_ID', 'THANKS_URL', 'ACTIVE'];

function formChanges(params: Record<string, unknown>): FormChanges {
  const fields = paramCaseInsensitive(params, 'fields');
  if (!isPhpMap(fields)) throw argumentError('SOURCE_FIELDS_NOT_OBJECT', 'fields');
  for (const key of Object.keys(fields)) {
    if (!FIELD_NAMES.includes(key)) throw argumentError('SOURCE_FIELD_UNKNOWN', key, { key, allowed: FIELD_NAMES.join(', ') });
  }
  const changes: { -readonly [K in keyof FormChanges]: FormChanges[K] } = {};
  if ('NAME' in fields) {
    if (typeof fields.NAME !== 'string') throw argumentError('FORM_NAME_REQUIRED', 'NAME');
    changes.name = fields.NAME;
  }
  if ('SITE_ID' in fields) {
    if (phpEmpty(fields.SITE_ID)) changes.siteId = null;
    else {
      const id = positiveIntegerId(fields.SITE_ID);
      if (id === null) throw argumentError('FORM_SITE_NOT_FOUND', 'SITE_ID');
      changes.siteId = id;
    }
  }
  if ('FIELDS' in fields) {
    if (!isPhpMap(fields.FIELDS)) throw argumentError('FORM_FIELDS_INVALID', 'FIELDS', { allowed: 'see salestrace.form.add' });
    changes.fields = fields.FIELDS;
  }
  if ('RESPONSIBLE_ID' in fields) {
    const id = positiveIntegerId(fields.RESPONSIBLE_ID);
    if (id === null) throw argumentError('FORM_RESPONSIBLE_INVALID', 'RESPONSIBLE_ID');
    changes.responsibleId = id;
  }
  if ('THANKS_URL' in fields) {
    const url = fields.THANKS_URL;
    if (url !== null && typeof url !== 'string') throw argumentError('FORM_THANKS_URL_INVALID', 'THANKS_URL');
    changes.thanksUrl = url;
  }
  changes.createContact = flagField(fields, 'CREATE_CONTACT');
  changes.active = flagField(fields, 'ACTIVE');
  return changes;
}

export const formAddMethod = defineMethod<SitesPorts>({
  name: 'salestrace.form.add',
  scope: 'crm',
  async handler({ params, caller, ports: { forms } }) {
    requireAdmin(caller);
    return forms.addForm(formChanges(params));
  },
});

export const formGetMethod = defineMethod<SitesPorts>({
  name: 'salestrace.form.get',
  scope: 'crm',
  async handler({ params, caller, ports: { forms } }) {
    requireAdmin(caller);
    const id = requiredId(params.id);
    const form = await forms.getForm(id);
    if (form === undefined) throw restError('FORM_NOT_FOUND', { id });
    return formView(form);
  },
});

export const formListMethod = defineMethod<SitesPorts>({
  name: 'salestrace.form.list',
  scope: 'crm',
  async handler({ start, caller, ports: { forms } }) {
    requireAdmin(caller);
    const all = (await forms.listForms()).map(formView);
    const page = pageRequest(start);
    const rows = all.slice(page.offset, page.offset + page.limit);
    return pagedResult(rows, rows.length, page, all.length, 'legacy');
  },
});

export const formUpdateMethod = defineMethod<SitesPorts>({
  name: 'salestrace.form.update',
  scope: 'crm',
  async handler({ params, caller, ports: { forms } }) {
    requireAdmin(caller);
    const id = requiredId(params.id);
    await forms.updateForm(id, formChanges(params));
    return true;
  },
});

export const formDeleteMethod = defineMethod<SitesPorts>({
  name: 'salestrace.form.delete',
  scope: 'crm',
  async handler({ params, caller, ports: { forms } }) {
    requireAdmin(caller);
    const id = requiredId(params.id);
    await forms.deleteForm(id);
    return true;
  },
});
