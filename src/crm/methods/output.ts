// How items and field lists look on the wire. Legacy methods print every value as a string
// ("ID": "1", "OPPORTUNITY": "1000.00") and empty dates as "" (crm-lead-get.md example);
// crm.item prints numbers as numbers, keeps camelCase names and lists multi-fields in `fm`.
import { formatDateC, formatDateOnly } from '../model/dates.js';
import { LINK_TARGETS, type CrmField } from '../model/fields/field.js';
import { FM_FIELD } from './input.js';
import type { Selection } from './listQuery.js';
import type { StoredItem } from '../store/itemList.js';
import type { CrmType } from '../model/types.js';

function isNumericType(f: CrmField): boolean {
  return ['integer', 'user', 'location', 'crm_category', 'double'].includes(f.type) || LINK_TARGETS[f.type] !== undefined;
}

function rawValue(item: StoredItem, f: CrmField): unknown {
  if (f.storage === 'utm') return item.utm[f.name as keyof StoredItem['utm']] ?? null;
  const value = item.row[f.column];
  return value === undefined ? null : value;
}

function legacyValue(item: StoredItem, f: CrmField): unknown {
  if (f.storage === 'multifield') {
    return item.multifields
      .filter((row) => row.typeId === f.name)
      .map((row) => ({ ID: String(row.id), VALUE_TYPE: row.valueType, VALUE: row.value, TYPE_ID: row.typeId }));
  }
  const value = rawValue(item, f);
  if (f.type === 'date') return value === null ? '' : formatDateOnly(String(value));
  if (f.type === 'datetime') return value === null ? '' : formatDateC(Number(value));
  if (value === null) return null;
  if (f.type === 'double') return f.money ? Number(value).toFixed(2) : String(Number(value));
  return String(value);
}

/** crm.{type}.get and the rows of crm.{type}.list. Multi-fields appear only when they have values. */
export function legacyItem(item: StoredItem, selection: Selection): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of selection.fields) {
    const value = legacyValue(item, f);
    if (f.storage === 'multifield' && (value as unknown[]).length === 0) continue;
    out[f.name] = value;
  }
  return out;
}

function itemValue(item: StoredItem, f: CrmField): unknown {
  if (f.storage === 'boundContacts') return [...item.contactIds];
  if (f.storage === 'boundCompanies') return [...item.companyIds];
  const value = rawValue(item, f);
  // crm.item prints an empty company or contact link as 0 (crm-item-get.md, crm-item-update.md).
  if (value === null) return f.name === 'COMPANY_ID' || f.name === 'CONTACT_ID' ? 0 : null;
  if (f.type === 'date') return formatDateOnly(String(value));
  if (f.type === 'datetime') return formatDateC(Number(value));
  if (isNumericType(f)) return Number(value);
  return value;
}

/** An item of crm.item.get / add / update / list. */
export function itemObject(type: CrmType, item: StoredItem, selection: Selection): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of selection.fields) out[f.itemName] = itemValue(item, f);
  if (selection.fm) {
    out.fm = item.multifields.map((row) => ({ id: row.id, valueType: row.valueType, value: row.value, typeId: row.typeId }));
  }
  if (selection.all) out.entityTypeId = type.id;
  return out;
}

function describe(f: CrmField, type: string, readOnly: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type,
    isRequired: f.required,
    isReadOnly: readOnly,
    isImmutable: f.immutable,
    isMultiple: f.multiple,
    isDynamic: false,
  };
  if (f.deprecated) out.isDeprecated = true;
  if (f.type === 'crm_status') out.statusType = f.statusType ?? '';
  out.title = f.title;
  if (f.settings) out.settings = { ...f.settings };
  return out;
}

/** crm.{type}.fields (CCrmRestHelper::prepareFieldInfos). */
export function legacyFields(type: CrmType): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of type.fields) out[f.name] = describe(f, f.type, f.readOnly !== false);
  return out;
}

/** crm.item.fields: camelCase keys, `upperName`, Y/N fields typed boolean and long text as text. */
export function itemFields(type: CrmType): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of type.fields) {
    if (f.storage === 'multifield') continue;
    const shown = f.type === 'char' ? 'boolean' : f.longText ? 'text' : f.type;
    out[f.itemName] = { ...describe(f, shown, f.readOnly === true), upperName: f.name };
  }
  if (type.hasMultifields) out.fm = { ...describe(FM_FIELD, 'crm_multifield', false), upperName: 'FM' };
  return out;
}
