// `select` and `order` of list methods. Legacy methods keep what they know and ignore the rest;
// crm.item.list refuses unknown order fields and directions (crm-item-list.md errors).
import { isPhpArray, phpEntries, phpString, phpValues } from '../../php/values.js';
import type { CrmField } from '../model/fields/field.js';
import type { SortDirection } from '../model/listCriteria.js';
import type { CrmType } from '../model/types.js';
import type { Convention } from './input.js';
import { CrmError } from '../model/errors.js';

export interface Selection {
  /** Fields to return, in definition order. */
  readonly fields: readonly CrmField[];
  /** crm.item `fm` (only with `*`). */
  readonly fm: boolean;
  /** `*` or no select: crm.item then also prints entityTypeId. */
  readonly all: boolean;
}

export class OrderError extends CrmError {
  constructor(
    readonly reason: 'field' | 'direction',
    readonly fieldName: string,
    readonly direction = '',
  ) {
    super(reason === 'field' ? 'orderField' : 'orderDirection', { field: fieldName, value: direction });
    this.name = 'OrderError';
  }
}

function lookup(type: CrmType, name: string, convention: Convention): CrmField | undefined {
  if (convention === 'legacy') return type.byName(name.toUpperCase());
  return type.byItemName(name) ?? type.byName(name);
}

/**
 * Legacy `*` (and the default) is every single-valued field; PHONE, EMAIL, … come only when
 * named (crm-deal-list.md "select"). crm.item `*` (and the default) is everything, `fm` included.
 */
/** Everything: what get, add and update answer with (legacy get includes PHONE, EMAIL, …). */
export function fullSelection(type: CrmType, convention: Convention): Selection {
  if (convention === 'item') return parseSelect(type, undefined, convention);
  return { fields: type.fields.filter((f) => f.inLegacyRead), fm: false, all: true };
}

export function parseSelect(type: CrmType, select: unknown, convention: Convention): Selection {
  const names = isPhpArray(select) ? phpValues(select).filter((v): v is string => typeof v === 'string') : [];
  const all = names.length === 0 || names.includes('*');
  const wanted = new Set<CrmField>();
  for (const name of names) {
    const f = lookup(type, name, convention);
    if (f) wanted.add(f);
  }
  const fields = type.fields.filter((f) => {
    if (convention === 'legacy') {
      if (f.storage === 'multifield') return wanted.has(f);
      return f.inLegacyRead && (all || wanted.has(f));
    }
    if (f.storage === 'multifield') return false;
    return all || wanted.has(f);
  });
  // Legacy lists always carry ID (crm-company-list.md's example): Bitrix adds it to the query's
  // select, so it follows the named columns and comes before the multi-fields.
  const id = type.byName('ID');
  if (convention === 'legacy' && !all && id && !fields.includes(id)) {
    const firstMultifield = fields.findIndex((f) => f.storage === 'multifield');
    fields.splice(firstMultifield === -1 ? fields.length : firstMultifield, 0, id);
  }
  return { fields, fm: convention === 'item' && all && type.hasMultifields, all };
}

function isSortable(f: CrmField): boolean {
  return f.storage === 'column' || f.storage === 'utm';
}

export function parseOrder(type: CrmType, order: unknown, convention: Convention): [CrmField, SortDirection][] {
  if (!isPhpArray(order)) return [];
  const result: [CrmField, SortDirection][] = [];
  for (const [name, raw] of phpEntries(order)) {
    const f = lookup(type, name, convention);
    if (!f || !isSortable(f)) {
      if (convention === 'item') throw new OrderError('field', name);
      continue;
    }
    const direction = typeof raw === 'string' ? raw.toUpperCase() : '';
    if (direction !== 'ASC' && direction !== 'DESC') {
      // The message prints the value as PHP would: an array (a batch reference can make one) is "Array".
      if (convention === 'item') throw new OrderError('direction', name, phpString(raw));
    }
    if (!result.some(([seen]) => seen === f)) result.push([f, direction === 'DESC' ? 'desc' : 'asc']);
  }
  return result;
}
