// Rows of CRM items and what hangs off them: multi-fields, contact bindings and links from
// other items. Column names used here come from the field definitions only.
import type { Kysely } from 'kysely';
import { lockRows, lockRowsOfTables, tableRowKey, withRowLock } from '../../db/dialects/rowLocks.js';
import { HotStatement } from '../../db/hotStatement.js';
import type { Executor } from '../../db/schema.js';
import { LINK_TARGETS, MULTIFIELD_TYPES, fitsIntColumn, type MultifieldType } from '../model/fields/field.js';
import type { MultifieldInput } from '../model/itemInput.js';
import type { CrmType } from '../model/types.js';
import { CRM_TYPES } from '../model/types.js';

export type ItemRow = Record<string, unknown> & { id: number };

export interface MultifieldRow {
  readonly id: number;
  readonly typeId: MultifieldType;
  readonly valueType: string;
  readonly value: string;
}

const CONTACT_TYPE_ID = 3;
const COMPANY_TYPE_ID = 4;

/** Item tables are addressed by names from the type definitions, so the typed builder is bypassed here. */
function untyped(db: Executor): Kysely<any> {
  return db as unknown as Kysely<any>;
}

/** Field values by field name as the item table's columns (`salestrace seed` writes the same). */
export function itemColumns(type: CrmType, values: Map<string, unknown>): Record<string, unknown> {
  const columns: Record<string, unknown> = {};
  for (const [name, value] of values) {
    const f = type.byName(name);
    if (f && f.storage === 'column' && f.name !== 'ID') columns[f.column] = value;
  }
  return columns;
}

export async function insertItemRow(db: Executor, type: CrmType, columns: Record<string, unknown>): Promise<number> {
  const inserted = await untyped(db).insertInto(type.table).values(columns).returning('id').executeTakeFirstOrThrow();
  return Number(inserted.id);
}

export async function updateItemRow(db: Executor, type: CrmType, id: number, columns: Record<string, unknown>): Promise<void> {
  if (Object.keys(columns).length === 0) return;
  await untyped(db).updateTable(type.table).set(columns).where('id', '=', id).execute();
}

export async function loadItemRows(db: Executor, type: CrmType, ids: number[]): Promise<Map<number, ItemRow>> {
  const result = new Map<number, ItemRow>();
  ids = ids.filter(fitsIntColumn);
  if (ids.length === 0) return result;
  const rows = await untyped(db).selectFrom(type.table).selectAll().where('id', 'in', ids).execute();
  for (const row of rows) result.set(Number(row.id), row as ItemRow);
  return result;
}

export async function loadItemRow(db: Executor, type: CrmType, id: number): Promise<ItemRow | undefined> {
  return (await loadItemRows(db, type, [id])).get(id);
}

/** The responsible user of an item, or undefined when the item does not exist. */
export async function loadAssignedBy(db: Executor, type: CrmType, id: number): Promise<number | null | undefined> {
  if (!fitsIntColumn(id)) return undefined;
  const [row] = await assignedBy.rows(db, [id], type.table);
  return row === undefined ? undefined : row.assigned_by_id;
}

// Compiled once per table: permission checks on items read it on every trace.add by a non-administrator.
const assignedBy = new HotStatement<{ assigned_by_id: number | null }, string>((db, $, table) =>
  db.selectFrom(table).select('assigned_by_id').where('id', '=', $(0)),
);

/** IDs among `ids` that exist in the type's table. */
export async function existingIds(db: Executor, type: CrmType, ids: number[]): Promise<Set<number>> {
  ids = ids.filter(fitsIntColumn);
  if (ids.length === 0) return new Set();
  const rows = await untyped(db).selectFrom(type.table).select('id').where('id', 'in', ids).execute();
  return new Set(rows.map((row) => Number(row.id)));
}

/**
 * Whether the item exists, and if so, holds it against deletion until the transaction ends:
 * the key-share lock a foreign key check takes, so updates and other holders go on, and a delete
 * (lockItemForDelete) waits for the holder's commit.
 */
export async function holdItemRow(db: Executor, type: CrmType, id: number): Promise<boolean> {
  if (!fitsIntColumn(id)) return false;
  return (await heldItem.rows(db, [id], type.table)).length > 0;
}

// Compiled once per table: every crm.tracking.trace.add holds its items (src/db/hotStatement.ts).
const heldItem = new HotStatement<{ id: number }, string>((db, $, table) =>
  withRowLock(db, db.selectFrom(table).select('id').where('id', '=', $(0)), 'keyShare'),
);

/** Which of these items exist, each held against deletion as holdItemRow holds one (a link to them is being written). */
export async function holdItemRows(db: Executor, type: CrmType, ids: number[]): Promise<Set<number>> {
  return lockRows(untyped(db), type.table, ids, 'keyShare');
}

/**
 * holdItemRow for items of several types in one statement: which of them exist (as
 * `${entityTypeId}:${id}`), each held against deletion. Types are taken in the order given,
 * each type's rows in ID order.
 */
export async function holdItemRowsOfTypes(db: Executor, items: readonly { type: CrmType; ids: readonly number[] }[]): Promise<Set<string>> {
  const wanted = items.map(({ type, ids }) => ({ table: type.table, ids: ids.filter(fitsIntColumn) }));
  const held = await lockRowsOfTables(untyped(db), wanted, 'keyShare');
  const found = new Set<string>();
  for (const { type, ids } of items) for (const id of ids) if (held.has(tableRowKey(type.table, id))) found.add(`${type.id}:${id}`);
  return found;
}

/** Locks an item that is about to be rewritten: its delete and other rewriters wait (a no-op on SQLite). */
export async function lockItemForUpdate(db: Executor, type: CrmType, id: number): Promise<void> {
  await lockRows(untyped(db), type.table, [id], 'noKeyUpdate');
}

/** Whether the item exists, locked for its delete: writes holding it (holdItemRow) have committed. */
export async function lockItemForDelete(db: Executor, type: CrmType, id: number): Promise<boolean> {
  if (!fitsIntColumn(id)) return false;
  const query = untyped(db).selectFrom(type.table).select('id').where('id', '=', id);
  return (await withRowLock(untyped(db), query, 'update').executeTakeFirst()) !== undefined;
}

// Multi-fields (PHONE, EMAIL, …).

export async function loadMultifields(db: Executor, entityTypeId: number, ids: number[]): Promise<Map<number, MultifieldRow[]>> {
  const result = new Map<number, MultifieldRow[]>();
  if (ids.length === 0) return result;
  const rows = await db
    .selectFrom('crm_multifield')
    .select(['id', 'entity_id', 'type_id', 'value_type', 'value'])
    .where('entity_type_id', '=', entityTypeId)
    .where('entity_id', 'in', ids)
    .orderBy('id')
    .execute();
  for (const row of rows) {
    if (!(MULTIFIELD_TYPES as readonly string[]).includes(row.type_id)) continue;
    const list = result.get(row.entity_id) ?? [];
    list.push({ id: row.id, typeId: row.type_id as MultifieldType, valueType: row.value_type, value: row.value });
    result.set(row.entity_id, list);
  }
  return result;
}

export async function writeMultifields(db: Executor, entityTypeId: number, entityId: number, input: MultifieldInput): Promise<void> {
  const existing = (await loadMultifields(db, entityTypeId, [entityId])).get(entityId) ?? [];
  const existingIds = new Set(existing.map((row) => row.id));
  const kept = new Set<number>();
  for (const item of input.items) {
    // An ID of another item's value (or of nothing) is ignored, as Bitrix ignores unknown IDs.
    if (item.id !== undefined && existingIds.has(item.id)) {
      kept.add(item.id);
      if (item.value === '') {
        await db.deleteFrom('crm_multifield').where('id', '=', item.id).execute();
      } else {
        await db
          .updateTable('crm_multifield')
          .set({ type_id: item.typeId, value_type: item.valueType, value: item.value })
          .where('id', '=', item.id)
          .execute();
      }
    } else if (item.id === undefined && item.value !== '') {
      await db
        .insertInto('crm_multifield')
        .values({ entity_type_id: entityTypeId, entity_id: entityId, type_id: item.typeId, value_type: item.valueType, value: item.value })
        .execute();
    }
  }
  if (input.mode === 'replace') {
    const dropped = existing.filter((row) => !kept.has(row.id)).map((row) => row.id);
    if (dropped.length > 0) await db.deleteFrom('crm_multifield').where('id', 'in', dropped).execute();
  }
}

/** HAS_PHONE / HAS_EMAIL / HAS_IMOL as Bitrix derives them from the multi-fields. */
export async function multifieldFlags(db: Executor, entityTypeId: number, entityId: number): Promise<Record<string, string>> {
  const rows = (await loadMultifields(db, entityTypeId, [entityId])).get(entityId) ?? [];
  const has = (test: (row: MultifieldRow) => boolean) => (rows.some(test) ? 'Y' : 'N');
  return {
    has_phone: has((row) => row.typeId === 'PHONE'),
    has_email: has((row) => row.typeId === 'EMAIL'),
    has_imol: has((row) => row.typeId === 'IM' && (row.valueType === 'IMOL' || row.valueType === 'OPENLINE')),
  };
}

// Contact bindings: contacts of a lead, deal, quote or company, in the owner's order.

export async function loadBoundContacts(db: Executor, ownerTypeId: number, ownerIds: number[]): Promise<Map<number, number[]>> {
  const result = new Map<number, number[]>();
  if (ownerIds.length === 0) return result;
  const rows = await db
    .selectFrom('crm_contact_binding')
    .select(['owner_id', 'contact_id'])
    .where('owner_type_id', '=', ownerTypeId)
    .where('owner_id', 'in', ownerIds)
    .orderBy('owner_id')
    .orderBy('sort')
    .orderBy('contact_id')
    .execute();
  for (const row of rows) {
    const list = result.get(row.owner_id) ?? [];
    list.push(row.contact_id);
    result.set(row.owner_id, list);
  }
  return result;
}

/** Companies each contact is bound to, lowest company ID first. */
export async function loadBoundCompanies(db: Executor, contactIds: number[]): Promise<Map<number, number[]>> {
  const result = new Map<number, number[]>();
  if (contactIds.length === 0) return result;
  const rows = await db
    .selectFrom('crm_contact_binding')
    .select(['owner_id', 'contact_id'])
    .where('owner_type_id', '=', COMPANY_TYPE_ID)
    .where('contact_id', 'in', contactIds)
    .orderBy('contact_id')
    .orderBy('owner_id')
    .execute();
  for (const row of rows) {
    const list = result.get(row.contact_id) ?? [];
    list.push(row.owner_id);
    result.set(row.contact_id, list);
  }
  return result;
}

export async function replaceBoundContacts(db: Executor, ownerTypeId: number, ownerId: number, contactIds: number[]): Promise<void> {
  await db.deleteFrom('crm_contact_binding').where('owner_type_id', '=', ownerTypeId).where('owner_id', '=', ownerId).execute();
  for (const [index, contactId] of contactIds.entries()) {
    await db
      .insertInto('crm_contact_binding')
      .values({ owner_type_id: ownerTypeId, owner_id: ownerId, contact_id: contactId, sort: (index + 1) * 10 })
      .execute();
  }
}

/** Replaces the companies of a contact; a newly bound company lists the contact last. */
export async function replaceBoundCompanies(db: Executor, contactId: number, companyIds: number[]): Promise<void> {
  await lockRows(untyped(db), 'crm_contact', [contactId], 'noKeyUpdate');
  const current = (await loadBoundCompanies(db, [contactId])).get(contactId) ?? [];
  const removed = current.filter((id) => !companyIds.includes(id));
  if (removed.length > 0) {
    await db
      .deleteFrom('crm_contact_binding')
      .where('owner_type_id', '=', COMPANY_TYPE_ID)
      .where('contact_id', '=', contactId)
      .where('owner_id', 'in', removed)
      .execute();
  }
  for (const companyId of companyIds.filter((id) => !current.includes(id))) {
    const last = await db
      .selectFrom('crm_contact_binding')
      .select((eb) => eb.fn.max('sort').as('sort'))
      .where('owner_type_id', '=', COMPANY_TYPE_ID)
      .where('owner_id', '=', companyId)
      .executeTakeFirst();
    await db
      .insertInto('crm_contact_binding')
      .values({ owner_type_id: COMPANY_TYPE_ID, owner_id: companyId, contact_id: contactId, sort: Number(last?.sort ?? 0) + 10 })
      .execute();
  }
}

/**
 * Keeps a contact's deprecated COMPANY_ID pointing at one of its companies: unchanged while
 * still bound, otherwise the first remaining one (or null).
 */
export async function syncContactPrimaryCompany(db: Executor, contactId: number): Promise<void> {
  // Locked before its companies are read: another writer moving them waits, then reads again.
  await lockRows(untyped(db), 'crm_contact', [contactId], 'noKeyUpdate');
  const companies = (await loadBoundCompanies(db, [contactId])).get(contactId) ?? [];
  const row = await db.selectFrom('crm_contact').select('company_id').where('id', '=', contactId).executeTakeFirst();
  if (!row) return;
  const current = row.company_id;
  const next = current !== null && companies.includes(current) ? current : (companies[0] ?? null);
  if (next !== current) await db.updateTable('crm_contact').set({ company_id: next }).where('id', '=', contactId).execute();
}

/** Everything that points at an item that is being deleted lets go of it (crm-deal-delete.md). */
export async function unlinkItem(db: Executor, type: CrmType, id: number): Promise<void> {
  const any = untyped(db);
  // Contacts and owners whose primary link (CONTACT_ID, COMPANY_ID) must move on afterwards.
  const bindingsAsContact =
    type.id === CONTACT_TYPE_ID
      ? await db.selectFrom('crm_contact_binding').select(['owner_type_id', 'owner_id']).where('contact_id', '=', id).execute()
      : [];
  const contactsOfCompany =
    type.id === COMPANY_TYPE_ID
      ? (await loadBoundContacts(db, COMPANY_TYPE_ID, [id])).get(id) ?? []
      : [];

  // Single links held in other items' columns.
  for (const other of CRM_TYPES) {
    for (const f of other.fields) {
      if (f.storage !== 'column' || f.name === 'ID' || LINK_TARGETS[f.type] !== type.id) continue;
      await any.updateTable(other.table).set({ [f.column]: null }).where(f.column, '=', id).execute();
    }
  }
  await db.deleteFrom('crm_contact_binding').where('owner_type_id', '=', type.id).where('owner_id', '=', id).execute();
  if (type.id === CONTACT_TYPE_ID) {
    await db.deleteFrom('crm_contact_binding').where('contact_id', '=', id).execute();
    for (const owner of bindingsAsContact) {
      const ownerType = CRM_TYPES.find((t) => t.id === owner.owner_type_id);
      if (ownerType?.byName('CONTACT_ID')?.storage !== 'column') continue;
      await lockRows(any, ownerType.table, [owner.owner_id], 'noKeyUpdate');
      const next = (await loadBoundContacts(db, ownerType.id, [owner.owner_id])).get(owner.owner_id)?.[0] ?? null;
      await any.updateTable(ownerType.table).set({ contact_id: next }).where('id', '=', owner.owner_id).execute();
    }
  }
  for (const contactId of contactsOfCompany) await syncContactPrimaryCompany(db, contactId);
  await db.deleteFrom('crm_multifield').where('entity_type_id', '=', type.id).where('entity_id', '=', id).execute();
}

export async function deleteItemRow(db: Executor, type: CrmType, id: number): Promise<void> {
  await untyped(db).deleteFrom(type.table).where('id', '=', id).execute();
}

/**
 * Whether a user with this ID exists, for links to users (ASSIGNED_BY_ID, …). The users table is
 * auth's: this reads it directly until auth offers such a question through a contract.
 */
export async function userExists(db: Executor, id: number): Promise<boolean> {
  return (await db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}
