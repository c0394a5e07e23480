// Reads the `fields` parameter of add/update into typed values. Names are looked up in the
// type's field list (legacy UPPER_CASE or crm.item camelCase); unknown names, read-only fields
// and, on update, immutable fields are dropped as Bitrix does (restservice.php
// internalizeFields: "An incorrect field in fields will be ignored"). A value that cannot be
// a value of its field's type is refused with CrmInputError.
import { isPhpArray, isPhpMap, phpEntries, phpIntval, phpIsNumeric, phpString, phpValues, type PhpArray } from '../../php/values.js';
import { parseDateOnly, parseDateTime } from '../model/dates.js';
import { isEmailAddress } from '../model/email.js';
import { CrmEmailError, CrmInputError } from '../model/errors.js';
import { LINK_TARGETS, MULTIFIELD_TYPES, field, fitsIntColumn, isReadOnlyFor, type CrmField, type MultifieldType } from '../model/fields/field.js';
import { findStage } from '../model/stages.js';
import type { ItemInput, MultifieldInput, MultifieldValue } from '../model/itemInput.js';
import { storedTextLimit } from '../model/textLimits.js';
import type { CrmType } from '../model/types.js';

export type Convention = 'legacy' | 'item';
export type WriteMode = 'add' | 'update';

export interface InputOptions {
  /**
   * `serve --strict-fields`: refuse an unparseable date or an unknown stage. Otherwise the value is
   * dropped, as a portal drops it (the docs pages' examples send placeholders).
   */
  readonly strict: boolean;
}

/** crm.item's `fm` (crm-item-get.md): all multi-fields of an item as one list. */
export const FM_FIELD: CrmField = field('FM', 'crm_multifield', 'Multi-fields', { itemName: 'fm' });

/** Value types per multi-field (crm/data-types.md crm_multifield). */
export const MULTIFIELD_VALUE_TYPES: Record<MultifieldType, readonly string[]> = {
  PHONE: ['WORK', 'MOBILE', 'FAX', 'HOME', 'PAGER', 'MAILING', 'OTHER'],
  EMAIL: ['WORK', 'HOME', 'MAILING', 'OTHER'],
  WEB: ['WORK', 'HOME', 'VK', 'LIVEJOURNAL', 'TWITTER', 'FACEBOOK', 'INSTAGRAM', 'OTHER'],
  IM: ['TELEGRAM', 'VK', 'SKYPE', 'VIBER', 'BITRIX24', 'OPENLINE', 'IMOL', 'ICQ', 'MSN', 'JABBER', 'FACEBOOK', 'INSTAGRAM', 'WHATSAPP', 'OTHER'],
  LINK: ['USER', 'OTHER'],
};

const DEFAULT_VALUE_TYPE: Record<MultifieldType, string> = {
  PHONE: 'WORK',
  EMAIL: 'WORK',
  WEB: 'WORK',
  IM: 'OTHER',
  LINK: 'USER',
};

/** PHP's gettype() names, for the "Expected iterable value" message. */
function phpTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'boolean') return 'boolean';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'double';
  if (typeof value === 'string') return 'string';
  return 'array';
}

function isInteger(raw: unknown): number | undefined {
  let n: number | undefined;
  if (typeof raw === 'number') n = raw;
  else if (typeof raw === 'string' && /^\s*[+-]?\d{1,15}\s*$/.test(raw)) n = Number(raw.trim());
  return n !== undefined && fitsIntColumn(n) ? n : undefined;
}

function parseInteger(f: CrmField, raw: unknown): number | null {
  if (raw === null || raw === '') return null;
  const n = isInteger(raw);
  if (n === undefined) throw new CrmInputError(f, 'invalid');
  if (f.type === 'user') {
    if (n <= 0) throw new CrmInputError(f, 'invalid');
    return n;
  }
  if (LINK_TARGETS[f.type] !== undefined) {
    if (n < 0) throw new CrmInputError(f, 'invalid');
    return n === 0 ? null : n;
  }
  return n;
}

function parseDouble(f: CrmField, raw: unknown): number | null {
  if (raw === null || raw === '') return f.money ? 0 : null;
  const text = typeof raw === 'string' ? raw.replace(',', '.') : raw;
  if (!phpIsNumeric(text)) throw new CrmInputError(f, 'invalid');
  const n = Number(typeof text === 'string' ? text.trim() : text);
  if (!Number.isFinite(n) || Math.abs(n) >= 1e16) throw new CrmInputError(f, 'invalid');
  return Math.round(n * 100) / 100;
}

function parseChar(f: CrmField, raw: unknown): string | null {
  if (raw === null) return null;
  if (raw === true || raw === 1 || raw === 'Y' || raw === 'y' || raw === '1') return 'Y';
  if (raw === false || raw === 0 || raw === 'N' || raw === 'n' || raw === '0' || raw === '') return 'N';
  throw new CrmInputError(f, 'invalid');
}

function parseString(f: CrmField, raw: unknown): string | null {
  if (raw === null) return null;
  let text: string;
  if (typeof raw === 'string') text = raw;
  else if (typeof raw === 'number' && Number.isFinite(raw)) text = String(raw);
  else throw new CrmInputError(f, 'invalid');
  if (text.length > storedTextLimit(f)) throw new CrmInputError(f, 'invalid');
  return text;
}

function parseCurrency(f: CrmField, raw: unknown): string | null {
  if (raw === null || raw === '') return null;
  if (typeof raw !== 'string' || !/^[A-Z]{3}$/.test(raw)) throw new CrmInputError(f, 'invalid');
  return raw;
}

/** undefined: a date that cannot be read, dropped unless strict. */
function parseDateValue(f: CrmField, raw: unknown, options: InputOptions): string | number | null | undefined {
  if (raw === null || raw === '') return null;
  const parsed = typeof raw !== 'string' ? undefined : f.type === 'date' ? parseDateOnly(raw) : parseDateTime(raw);
  if (parsed === undefined && options.strict) throw new CrmInputError(f, 'invalid');
  return parsed;
}

/** UTM values follow UtmTable's upsert rules (sales-intelligence.md §1.11): non-strings are ignored. */
function parseUtm(f: CrmField, raw: unknown): string | null | undefined {
  if (raw === null || raw === '' || raw === false) return null;
  if (typeof raw !== 'string') return undefined;
  if (raw.length > storedTextLimit(f)) throw new CrmInputError(f, 'invalid');
  return raw;
}

/** The value of a column or UTM field; undefined when it is dropped (the field stays as it is). */
export function parseScalar(type: CrmType, f: CrmField, raw: unknown, options: InputOptions): unknown {
  if (isPhpArray(raw)) throw new CrmInputError(f, 'invalid');
  if (f.storage === 'utm') return parseUtm(f, raw);
  switch (f.type) {
    case 'integer':
    case 'user':
    case 'location':
    case 'crm_category':
    case 'crm_lead':
    case 'crm_deal':
    case 'crm_contact':
    case 'crm_company':
    case 'crm_quote':
      return parseInteger(f, raw);
    case 'double':
      return parseDouble(f, raw);
    case 'char':
      return parseChar(f, raw);
    case 'crm_currency':
      return parseCurrency(f, raw);
    case 'date':
    case 'datetime':
      return parseDateValue(f, raw, options);
    case 'crm_status': {
      const text = parseString(f, raw);
      if (type.stages && type.stages.field === f.name && text !== null && text !== '') {
        if (!findStage(type.stages, text)) {
          if (options.strict) throw new CrmInputError(f, 'invalid');
          return undefined;
        }
      }
      return text === '' && type.stages?.field === f.name ? null : text;
    }
    default:
      return parseString(f, raw);
  }
}

/** A multiple link (CONTACT_IDS, COMPANY_IDS): positive IDs in order, without repeats. */
function parseIdList(f: CrmField, raw: unknown, convention: Convention): number[] {
  if (raw === null || raw === '' || raw === undefined) return [];
  let values: unknown[];
  if (isPhpArray(raw)) values = phpValues(raw);
  else if (convention === 'item') throw new CrmInputError(f, 'notIterable', phpTypeName(raw));
  else values = [raw];
  const ids: number[] = [];
  for (const value of values) {
    if (value === '' || value === null) continue;
    const n = isInteger(value);
    if (n === undefined || n < 0) throw new CrmInputError(f, 'invalid');
    if (n > 0 && !ids.includes(n)) ids.push(n);
  }
  return ids;
}

function multifieldValue(f: CrmField, typeId: MultifieldType, id: number | undefined, rawValueType: unknown, rawValue: unknown, deleted: boolean): MultifieldValue | undefined {
  // VALUE and VALUE_TYPE are text: an array is not a value of the field (as for any string field).
  if (isPhpArray(rawValue) || isPhpArray(rawValueType)) throw new CrmInputError(f, 'invalid');
  const value = phpString(rawValue).trim();
  if (id === undefined && value === '') return undefined;
  if (value.length > storedTextLimit(f)) throw new CrmInputError(f, 'invalid');
  const valueTypeText = phpString(rawValueType).trim();
  const valueType = valueTypeText === '' ? DEFAULT_VALUE_TYPE[typeId] : valueTypeText.toUpperCase();
  if (!MULTIFIELD_VALUE_TYPES[typeId].includes(valueType)) throw new CrmInputError(f, 'invalid');
  return { id, typeId, valueType, value: deleted ? '' : value };
}

/** Legacy PHONE/EMAIL/…: a list of {VALUE, VALUE_TYPE[, ID][, DELETE]} (restservice.php tryInternalizeMultiFields). */
function parseLegacyMultifield(f: CrmField, raw: unknown): MultifieldValue[] {
  if (!isPhpArray(raw)) throw new CrmInputError(f, 'invalid');
  const typeId = f.name as MultifieldType;
  const items: MultifieldValue[] = [];
  for (const entry of phpValues(raw)) {
    if (!isPhpMap(entry)) continue;
    const id = phpIntval(entry.ID ?? 0);
    const deleted = id > 0 && phpString(entry.DELETE).toUpperCase() === 'Y';
    const item = multifieldValue(f, typeId, id > 0 ? id : undefined, entry.VALUE_TYPE, entry.VALUE, deleted);
    if (item && typeId === 'EMAIL' && item.value !== '' && !isEmailAddress(item.value)) throw new CrmEmailError(item.valueType);
    if (item) items.push(item);
  }
  return items;
}

/** crm.item `fm`: a list of {typeId, valueType, value[, id]}. */
function parseFm(raw: unknown): MultifieldValue[] {
  if (raw === null || raw === '') return [];
  if (!isPhpArray(raw)) throw new CrmInputError(FM_FIELD, 'notIterable', phpTypeName(raw));
  const items: MultifieldValue[] = [];
  for (const entry of phpValues(raw)) {
    if (!isPhpMap(entry)) throw new CrmInputError(FM_FIELD, 'invalid');
    const typeId = phpString(entry.typeId).toUpperCase() as MultifieldType;
    if (!MULTIFIELD_TYPES.includes(typeId)) throw new CrmInputError(FM_FIELD, 'invalid');
    const id = entry.id === undefined || entry.id === null || entry.id === '' ? undefined : isInteger(entry.id);
    if (id !== undefined && id <= 0) throw new CrmInputError(FM_FIELD, 'invalid');
    const item = multifieldValue(FM_FIELD, typeId, id, entry.valueType, entry.value, false);
    if (item && item.value !== '') items.push(item);
  }
  return items;
}

function lookup(type: CrmType, name: string, convention: Convention): CrmField | undefined {
  return convention === 'legacy' ? type.byName(name) : type.byItemName(name);
}

export function readItemInput(type: CrmType, fields: PhpArray, convention: Convention, mode: WriteMode, options: InputOptions): ItemInput {
  const values = new Map<CrmField, unknown>();
  let contactIds: number[] | undefined;
  let companyIds: number[] | undefined;
  let multifields: MultifieldInput | undefined;
  const legacyMultifields: MultifieldValue[] = [];
  let sawLegacyMultifield = false;

  for (const [name, raw] of phpEntries(fields)) {
    if (convention === 'item' && name === 'fm' && type.hasMultifields) {
      multifields = { mode: 'replace', items: parseFm(raw) };
      continue;
    }
    const f = lookup(type, name, convention);
    if (!f || isReadOnlyFor(f, convention) || (mode === 'update' && f.immutable)) continue;
    switch (f.storage) {
      case 'multifield':
        // crm.item writes multi-fields through `fm` only.
        if (convention === 'legacy') {
          legacyMultifields.push(...parseLegacyMultifield(f, raw));
          sawLegacyMultifield = true;
        }
        break;
      case 'boundContacts':
        contactIds = parseIdList(f, raw, convention);
        break;
      case 'boundCompanies':
        companyIds = parseIdList(f, raw, convention);
        break;
      default: {
        const value = parseScalar(type, f, raw, options);
        if (value !== undefined) values.set(f, value);
      }
    }
  }
  if (sawLegacyMultifield) multifields = { mode: 'merge', items: legacyMultifields };
  return { values, contactIds, companyIds, multifields };
}
