// The rules a site form's definition follows: a name, a map of form fields to lead fields,
// an existing own site (or none), an existing responsible user, an http(s) thank-you page.
import { randomInt } from 'node:crypto';
import { FORM_LEAD_FIELDS, type FormChanges, type FormRecord } from './contract.js';
import { SiteError } from './errors.js';

const CODE_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const FORM_NAME_MAX = 255;
const FORM_FIELD_NAME = /^[A-Za-z0-9_.[\]-]{1,64}$/;

export function newFormCode(): string {
  let code = '';
  for (let i = 0; i < 16; i++) code += CODE_ALPHABET[randomInt(CODE_ALPHABET.length)];
  return code;
}

function checkFieldMap(fields: Readonly<Record<string, unknown>>): Record<string, string> {
  const refused = () => new SiteError('formFieldsInvalid', { field: 'FIELDS', allowed: FORM_LEAD_FIELDS.join(', ') });
  const map: Record<string, string> = {};
  for (const [name, target] of Object.entries(fields)) {
    if (!FORM_FIELD_NAME.test(name) || name === 'trace' || typeof target !== 'string') throw refused();
    if (!(FORM_LEAD_FIELDS as readonly string[]).includes(target)) throw refused();
    map[name] = target;
  }
  if (Object.keys(map).length === 0) throw refused();
  return map;
}

function checkThanksUrl(url: string | null): string | null {
  if (url === null || url.trim() === '') return null;
  const text = url.trim();
  try {
    const parsed = new URL(text);
    if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname !== '') return text;
  } catch {
    // refused below
  }
  throw new SiteError('formThanksUrlInvalid', { field: 'THANKS_URL', value: url });
}

/** The form a change gives, from the current one or a new one's defaults; references are checked by the caller. */
export function applyFormChanges(current: FormRecord | undefined, changes: FormChanges, nowSeconds: number): Omit<FormRecord, 'id'> {
  const name = changes.name !== undefined ? changes.name.trim() : current?.name;
  if (name === undefined || name === '' || name.length > FORM_NAME_MAX) throw new SiteError('formNameRequired', { field: 'NAME' });
  const fields = changes.fields !== undefined ? checkFieldMap(changes.fields) : current?.fields;
  if (fields === undefined) throw new SiteError('formFieldsInvalid', { field: 'FIELDS', allowed: FORM_LEAD_FIELDS.join(', ') });
  return {
    code: current?.code ?? newFormCode(),
    name,
    siteId: changes.siteId !== undefined ? changes.siteId : (current?.siteId ?? null),
    fields,
    createContact: changes.createContact ?? current?.createContact ?? false,
    responsibleId: changes.responsibleId ?? current?.responsibleId ?? 1,
    thanksUrl: changes.thanksUrl !== undefined ? checkThanksUrl(changes.thanksUrl) : (current?.thanksUrl ?? null),
    active: changes.active ?? current?.active ?? true,
    createdAt: current?.createdAt ?? Math.floor(nowSeconds),
  };
}
