// Reading items for answers: one page of rows in the asked order with its total, and the parts
// that hang off each row (UTM values, multi-fields, bindings), loaded only when printed.
import { sql, type Kysely } from 'kysely';
import type { Executor } from '../../db/schema.js';
import type { PageRequest } from '../../rest/paging.js';
import type { CrmField } from '../model/fields/field.js';
import type { FilterGroup, SortDirection } from '../model/listCriteria.js';
import type { CrmType } from '../model/types.js';
import { fieldExpression, filterSql } from './filterSql.js';
import { loadBoundCompanies, loadBoundContacts, loadMultifields, type ItemRow, type MultifieldRow } from './items.js';
import { loadUtm, type UtmValues } from './utm.js';

export interface StoredItem {
  readonly row: ItemRow;
  readonly utm: UtmValues;
  readonly multifields: readonly MultifieldRow[];
  readonly contactIds: readonly number[];
  readonly companyIds: readonly number[];
}

/** Which parts besides the row to load. */
export interface ItemParts {
  readonly utm: boolean;
  readonly multifields: boolean;
  readonly bindings: boolean;
}

export const ALL_PARTS: ItemParts = { utm: true, multifields: true, bindings: true };

export interface ItemPageQuery {
  readonly filter: FilterGroup;
  readonly order: readonly [CrmField, SortDirection][];
  readonly page: PageRequest;
  /** Only items this user is responsible for. */
  readonly assignedTo?: number;
}

const CONTACT_TYPE_ID = 3;

function isTextField(f: CrmField): boolean {
  return f.storage === 'utm' || ['string', 'char', 'crm_status', 'crm_currency'].includes(f.type);
}

/** One page of item rows; the total too when the page asks for it. */
export async function selectItemPage(db: Executor, type: CrmType, query: ItemPageQuery): Promise<{ rows: ItemRow[]; total: number | undefined }> {
  const any = db as unknown as Kysely<any>;
  let where = filterSql(type, query.filter);
  if (query.assignedTo !== undefined) where = sql`(${where}) and t.assigned_by_id = ${query.assignedTo}`;
  let select = any.selectFrom(`${type.table} as t`).selectAll('t').where(where as never);
  for (const [f, direction] of query.order) {
    // As Bitrix's MySQL does on every database: NULLs first ascending, text without regard to case
    // (salestrace_lower: the same Unicode folding on SQLite and PostgreSQL, db/dialects/types.ts).
    const expression = isTextField(f) ? sql`salestrace_lower(${fieldExpression(type, f)})` : fieldExpression(type, f);
    select = select.orderBy(sql`${expression} ${sql.raw(direction === 'desc' ? 'desc nulls last' : 'asc nulls first')}`);
  }
  if (!query.order.some(([f]) => f.name === 'ID')) select = select.orderBy(sql.ref('t.id'), 'asc');
  const rows = (await select.limit(query.page.limit).offset(query.page.offset).execute()) as ItemRow[];
  let total: number | undefined;
  if (query.page.countTotal) {
    const counted = await any
      .selectFrom(`${type.table} as t`)
      .select((eb) => eb.fn.countAll().as('count'))
      .where(where as never)
      .executeTakeFirst();
    total = Number(counted?.count ?? 0);
  }
  return { rows, total };
}

/** The rows with the parts asked for, in the rows' order. */
export async function loadStoredItems(db: Executor, type: CrmType, rows: ItemRow[], parts: ItemParts): Promise<StoredItem[]> {
  const ids = rows.map((row) => Number(row.id));
  const utm = parts.utm ? await loadUtm(db, type.id, ids) : new Map<number, UtmValues>();
  const multifields = parts.multifields && type.hasMultifields ? await loadMultifields(db, type.id, ids) : new Map<number, MultifieldRow[]>();
  const hasContacts = type.fields.some((f) => f.storage === 'boundContacts');
  const contacts = parts.bindings && hasContacts ? await loadBoundContacts(db, type.id, ids) : new Map<number, number[]>();
  const companies = parts.bindings && type.id === CONTACT_TYPE_ID ? await loadBoundCompanies(db, ids) : new Map<number, number[]>();
  return rows.map((row) => {
    const id = Number(row.id);
    return {
      row: { ...row, id },
      utm: utm.get(id) ?? {},
      multifields: multifields.get(id) ?? [],
      contactIds: contacts.get(id) ?? [],
      companyIds: companies.get(id) ?? [],
    };
  });
}
