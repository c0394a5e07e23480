// The CRM service: items of the five types, written and read in transactions, with the
// permission checks and lifecycle hooks of the contract Sales Intelligence builds on
// (src/crm/contract.ts). What differs between the REST method families reaches it as plain
// options (WriteOptions); the families themselves live in src/crm/methods.
import type { Clock } from '../../clock.js';
import type { Db, Executor } from '../../db/schema.js';
import type { Caller } from '../../auth/caller.js';
import type { PhpMap } from '../../php/query.js';
import type {
  CallLeadInput,
  CrmCallItems,
  CrmItemAccess,
  CrmItemReading,
  CrmItemRef,
  CrmLifecycle,
  ItemAddedHook,
  ItemDeletedHook,
  ItemUpdatedHook,
  ItemUtmCopier,
  PhoneMatch,
} from '../contract.js';
import { phoneRowsWithDigit } from '../store/phoneSearch.js';
import { addDefaults } from '../model/defaults.js';
import { CrmInputError, CrmNameRequiredError } from '../model/errors.js';
import { LINK_TARGETS, type CrmField } from '../model/fields/field.js';
import type { ItemInput } from '../model/itemInput.js';
import type { CrmAction, PermissionLevel } from '../model/permissions.js';
import type { CrmEntityTypeId } from '../model/entityTypes.js';
import { levelCovers, permissionLevel } from './permissions.js';
import { applyStage } from './stages.js';
import {
  deleteItemRow,
  existingIds,
  holdItemRow,
  holdItemRows,
  holdItemRowsOfTypes,
  insertItemRow,
  itemColumns,
  loadAssignedBy,
  loadBoundCompanies,
  loadBoundContacts,
  loadItemRow,
  loadItemRows,
  lockItemForDelete,
  lockItemForUpdate,
  multifieldFlags,
  replaceBoundCompanies,
  replaceBoundContacts,
  syncContactPrimaryCompany,
  unlinkItem,
  updateItemRow,
  userExists,
  writeMultifields,
} from '../store/items.js';
import { ALL_PARTS, loadStoredItems, selectItemPage, type ItemPageQuery, type ItemParts, type StoredItem } from '../store/itemList.js';
import { crmTypeById, type CrmType } from '../model/types.js';
import { copyUtmToItemsWithoutAny, deleteItemUtm, writeItemUtm } from '../store/utm.js';

/**
 * The rules a write follows that differ between the REST method families: each family states
 * its own (src/crm/methods), so the service needs no idea of families.
 */
export interface WriteRules {
  /** An empty TITLE is refused, instead of becoming "{Type} #{id}". */
  readonly titleRequired: boolean;
  /** A contact must keep one of NAME, SECOND_NAME, LAST_NAME. */
  readonly contactNameRequired: boolean;
}

export interface WriteOptions extends WriteRules {
  /** OWN level: the caller stays the responsible user (Bitrix's "self" permission rule). */
  readonly assignToCaller: boolean;
}

export interface AddOptions extends WriteOptions {
  /** The `fields` parameter as sent, for the add hooks. */
  readonly rawFields: PhpMap;
  readonly viaTypedMethod: boolean;
  /** Runs last inside the item's transaction (a call's lead binds its trace and call there). */
  readonly within?: (db: Executor, id: number) => Promise<void>;
  /** The caller's open transaction (`inTransaction`) to add the item in; without it the add opens its own. */
  readonly transaction?: Executor;
}

export interface ListSpec extends ItemPageQuery {
  /** OWN read level: only items this user is responsible for. */
  readonly assignedTo?: number;
  readonly parts: ItemParts;
}

export interface CrmOptions {
  /** `serve --strict-fields`: links must name existing items and users, the pipeline must exist. */
  readonly strictFields: boolean;
}

const CONTACT = 3;
const COMPANY = 4;
const LEAD = 1;
const NAME_FIELDS = ['NAME', 'SECOND_NAME', 'LAST_NAME'];

function isEmpty(value: unknown): boolean {
  return value === null || value === undefined || value === '';
}

export class CrmService implements CrmItemAccess, CrmItemReading, CrmLifecycle, ItemUtmCopier, CrmCallItems {
  private readonly addedHooks: ItemAddedHook[] = [];
  private readonly deletedHooks: ItemDeletedHook[] = [];
  private readonly updatedHooks: ItemUpdatedHook[] = [];

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly options: CrmOptions = { strictFields: false },
  ) {}

  onItemAdded(hook: ItemAddedHook): void {
    this.addedHooks.push(hook);
  }

  onItemDeleted(hook: ItemDeletedHook): void {
    this.deletedHooks.push(hook);
  }

  onItemUpdated(hook: ItemUpdatedHook): void {
    this.updatedHooks.push(hook);
  }

  permission(caller: Caller, type: CrmType, action: CrmAction, db: Executor = this.db): Promise<PermissionLevel> {
    return permissionLevel(db, caller, type.id, action);
  }

  /** Whether the caller may act on this item; false for a missing item unless the level is ALL. */
  async may(caller: Caller, type: CrmType, id: number, action: CrmAction, db: Executor = this.db): Promise<boolean> {
    const level = await this.permission(caller, type, action, db);
    if (level === 'ALL') return true;
    if (level === 'NONE') return false;
    return levelCovers(level, await loadAssignedBy(db, type, id), caller);
  }

  canRead(entityTypeId: number, id: number, caller: Caller): Promise<boolean> {
    const type = crmTypeById(entityTypeId);
    if (!type) return Promise.resolve(caller.isAdmin);
    return this.may(caller, type, id, 'READ');
  }

  /** The item's responsible user: undefined for a missing item, null for an item without one. */
  assignedUser(type: CrmType, id: number): Promise<number | null | undefined> {
    return loadAssignedBy(this.db, type, id);
  }

  async canUpdate(entityTypeId: number, id: number, caller: Caller, db: Executor = this.db): Promise<boolean> {
    const type = crmTypeById(entityTypeId);
    if (!type) return caller.isAdmin;
    return this.may(caller, type, id, 'WRITE', db);
  }

  async itemExists(entityTypeId: number, id: number, db: Executor = this.db): Promise<boolean> {
    const type = crmTypeById(entityTypeId);
    if (!type || !Number.isSafeInteger(id) || id <= 0) return false;
    return (await existingIds(db, type, [id])).has(id);
  }

  copyTagsToItemsWithoutAny(db: Executor, items: readonly CrmItemRef[], tags: Record<string, string>): Promise<void> {
    return copyUtmToItemsWithoutAny(db, items, tags);
  }

  async holdItem(entityTypeId: number, id: number, db: Executor): Promise<boolean> {
    const type = crmTypeById(entityTypeId);
    if (!type || !Number.isSafeInteger(id) || id <= 0) return false;
    return holdItemRow(db, type, id);
  }

  async holdItems(items: readonly CrmItemRef[], db: Executor): Promise<Set<string>> {
    const byType = new Map<number, number[]>();
    for (const { entityTypeId, entityId } of items) {
      if (!crmTypeById(entityTypeId) || !Number.isSafeInteger(entityId) || entityId <= 0) continue;
      byType.set(entityTypeId, [...(byType.get(entityTypeId) ?? []), entityId]);
    }
    return holdItemRowsOfTypes(db, [...byType].map(([typeId, ids]) => ({ type: crmTypeById(typeId)!, ids })));
  }

  private now(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  /** Runs `work` in one transaction, committed when it returns and rolled back when it throws. */
  inTransaction<T>(work: (db: Executor) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(work);
  }

  async addItem(type: CrmType, input: ItemInput, caller: Caller, options: AddOptions): Promise<number> {
    const add = (trx: Executor) => this.addInside(trx, type, input, caller, options);
    return options.transaction ? add(options.transaction) : this.db.transaction().execute(add);
  }

  private async addInside(trx: Executor, type: CrmType, input: ItemInput, caller: Caller, options: AddOptions): Promise<number> {
    const now = this.now();
    const values = addDefaults(type, now);
    for (const [f, value] of input.values) {
      if (f.storage !== 'column' || (value === null && values.has(f.name))) continue;
      values.set(f.name, value);
    }
    const needsDefaultTitle = this.checkTitle(type, values, options);
    if (options.contactNameRequired && type.id === CONTACT) this.checkContactName(values);
    const category = values.get('CATEGORY_ID');
    // Only the general pipeline exists (stages.ts).
    if (category !== undefined && category !== null && category !== 0) {
      if (this.options.strictFields) throw new CrmInputError(type.byName('CATEGORY_ID')!, 'invalid');
      // An unknown pipeline: the item goes to the general one, its stage with it (COMPATIBILITY.md).
      values.set('CATEGORY_ID', 0);
    }
    if (category === null) values.set('CATEGORY_ID', 0);

    const assigned = values.get('ASSIGNED_BY_ID');
    values.set('ASSIGNED_BY_ID', options.assignToCaller || isEmpty(assigned) ? caller.userId : assigned);
    for (const [name, value] of [
      ['CREATED_BY_ID', caller.userId],
      ['MODIFY_BY_ID', caller.userId],
      ['DATE_CREATE', now],
      ['DATE_MODIFY', now],
      ['LAST_ACTIVITY_TIME', now],
      ['LAST_ACTIVITY_BY', caller.userId],
    ] as const) {
      // A company's LAST_ACTIVITY_* are writable (crm-company-fields.md): a given value stays.
      if (type.byName(name) && !(name.startsWith('LAST_ACTIVITY') && values.has(name))) values.set(name, value);
    }
    if (type.stages) applyStage(type, values, undefined, caller.userId, now);

    let contactIds = input.contactIds;
    let companyIds = input.companyIds;
    if (type.byName('CONTACT_ID')?.storage === 'column') {
      if (contactIds !== undefined) values.set('CONTACT_ID', contactIds[0] ?? null);
      else if (!isEmpty(values.get('CONTACT_ID'))) contactIds = [values.get('CONTACT_ID') as number];
    }
    if (type.id === CONTACT) {
      if (companyIds !== undefined) values.set('COMPANY_ID', companyIds[0] ?? null);
      else if (!isEmpty(values.get('COMPANY_ID'))) companyIds = [values.get('COMPANY_ID') as number];
    }
    // A lead with a client is a returning customer (crm-lead-add.md).
    if (type.name === 'LEAD') {
      const hasClient = !isEmpty(values.get('COMPANY_ID')) || !isEmpty(values.get('CONTACT_ID'));
      values.set('IS_RETURN_CUSTOMER', hasClient ? 'Y' : 'N');
    }

    await this.checkReferences(trx, type, values, contactIds, companyIds);
    const id = await insertItemRow(trx, type, itemColumns(type, values));
    const after: Record<string, unknown> = {};
    if (needsDefaultTitle) after.title = `${type.caption} #${id}`;
    if (type.byName('QUOTE_NUMBER')) after.quote_number = String(id);
    await updateItemRow(trx, type, id, after);

    await this.writeBindings(trx, type, id, contactIds, companyIds, [], caller);
    await this.writeMultifields(trx, type, id, input);
    await writeItemUtm(trx, type.id, id, this.utmValues(input));
    const event = {
      entityTypeId: type.id,
      id,
      fields: options.rawFields,
      caller,
      contactId: linkOrNull(values.get('CONTACT_ID')),
      companyId: linkOrNull(values.get('COMPANY_ID')),
      viaTypedMethod: options.viaTypedMethod,
    };
    for (const hook of this.addedHooks) await hook(trx, event);
    if (options.within) await options.within(trx, id);
    return id;
  }

  /** False when the item does not exist (any more). */
  async updateItem(type: CrmType, id: number, input: ItemInput, caller: Caller, options: WriteOptions): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // Locked first: a concurrent update of the same item waits and then reads what this one wrote.
      await lockItemForUpdate(trx, type, id);
      const current = await loadItemRow(trx, type, id);
      if (!current) return false;
      const now = this.now();
      const values = new Map<string, unknown>();
      for (const [f, value] of input.values) if (f.storage === 'column') values.set(f.name, value);

      if (values.has('TITLE') && isEmpty(values.get('TITLE'))) {
        if (this.checkTitle(type, values, options)) values.set('TITLE', `${type.caption} #${id}`);
      }
      if (options.contactNameRequired && type.id === CONTACT && NAME_FIELDS.some((name) => values.has(name))) {
        const merged = new Map(NAME_FIELDS.map((name) => [name, values.has(name) ? values.get(name) : current[name.toLowerCase()]]));
        this.checkContactName(merged);
      }
      if (values.has('ASSIGNED_BY_ID')) {
        const assigned = values.get('ASSIGNED_BY_ID');
        if (options.assignToCaller) values.set('ASSIGNED_BY_ID', caller.userId);
        else if (isEmpty(assigned)) values.delete('ASSIGNED_BY_ID');
      }
      if (type.stages) {
        const stage = values.get(type.stages.field);
        if (isEmpty(stage)) values.delete(type.stages.field);
        else if (stage !== current[type.stages.field.toLowerCase()]) applyStage(type, values, current, caller.userId, now);
      }
      values.set('MODIFY_BY_ID', caller.userId);
      values.set('DATE_MODIFY', now);

      let contactIds = input.contactIds;
      let companyIds = input.companyIds;
      if (type.byName('CONTACT_ID')?.storage === 'column') {
        if (contactIds === undefined && values.has('CONTACT_ID')) {
          const existing = (await loadBoundContacts(trx, type.id, [id])).get(id) ?? [];
          contactIds = movePrimary(existing, current.contact_id as number | null, values.get('CONTACT_ID') as number | null);
        }
        if (contactIds !== undefined) values.set('CONTACT_ID', contactIds[0] ?? null);
      }
      if (type.id === CONTACT) {
        if (companyIds === undefined && values.has('COMPANY_ID')) {
          const existing = (await loadBoundCompanies(trx, [id])).get(id) ?? [];
          companyIds = movePrimary(existing, current.company_id as number | null, values.get('COMPANY_ID') as number | null);
        }
        if (companyIds !== undefined) values.set('COMPANY_ID', companyIds[0] ?? null);
      }

      await this.checkReferences(trx, type, values, contactIds, companyIds);
      await updateItemRow(trx, type, id, itemColumns(type, values));
      const previousContacts = type.id === COMPANY ? ((await loadBoundContacts(trx, COMPANY, [id])).get(id) ?? []) : [];
      await this.writeBindings(trx, type, id, contactIds, companyIds, previousContacts, caller);
      await this.writeMultifields(trx, type, id, input);
      await writeItemUtm(trx, type.id, id, this.utmValues(input));
      for (const hook of this.updatedHooks) await hook(trx, type.id as CrmEntityTypeId, id, caller);
      return true;
    });
  }

  /** False when the item does not exist. Hooks run first, inside the same transaction; `caller` is who deletes it. */
  async deleteItem(type: CrmType, id: number, caller?: Caller): Promise<boolean> {
    return this.db.transaction().execute(async (trx) => {
      // Locked first: a binding being written to this item commits before the hooks look for it.
      if (!(await lockItemForDelete(trx, type, id))) return false;
      for (const hook of this.deletedHooks) await hook(trx, type.id, id, caller);
      await unlinkItem(trx, type, id);
      await deleteItemUtm(trx, type.id, id);
      await deleteItemRow(trx, type, id);
      return true;
    });
  }

  async getItem(type: CrmType, id: number, parts: ItemParts = ALL_PARTS): Promise<StoredItem | undefined> {
    const row = await loadItemRow(this.db, type, id);
    if (!row) return undefined;
    return (await loadStoredItems(this.db, type, [row], parts))[0];
  }

  async listItems(type: CrmType, spec: ListSpec): Promise<{ items: StoredItem[]; total: number | undefined }> {
    const { rows, total } = await selectItemPage(this.db, type, spec);
    return { items: await loadStoredItems(this.db, type, rows, spec.parts), total };
  }

  async findByPhone(lastDigit: string, sameNumber: (value: string) => boolean): Promise<PhoneMatch[]> {
    const order = [CONTACT, COMPANY, LEAD];
    const rows = (await phoneRowsWithDigit(this.db, order, lastDigit)).filter((row) => sameNumber(row.value));
    const matches: PhoneMatch[] = [];
    for (const typeId of order) {
      const type = crmTypeById(typeId)!;
      const ids = [...new Set(rows.filter((row) => row.entityTypeId === typeId).map((row) => row.entityId))];
      const items = await loadItemRows(this.db, type, ids);
      for (const id of ids) {
        const row = items.get(id);
        if (!row) continue;
        const person = [row.name, row.last_name].filter((part) => typeof part === 'string' && part !== '').join(' ');
        const name = typeId === COMPANY ? String(row.title ?? '') : typeId === LEAD && person === '' ? String(row.title ?? '') : person;
        matches.push({ entityTypeId: typeId, entityId: id, name, assignedById: (row.assigned_by_id as number | null) ?? null });
      }
    }
    return matches;
  }

  addCallLead(input: CallLeadInput, createdBy: number, within: (db: Executor, leadId: number) => Promise<void>): Promise<number> {
    const type = crmTypeById(LEAD)!;
    const values = new Map<CrmField, unknown>([
      [type.byName('TITLE')!, input.title],
      [type.byName('SOURCE_ID')!, input.sourceId],
      [type.byName('SOURCE_DESCRIPTION')!, input.sourceDescription],
      [type.byName('ASSIGNED_BY_ID')!, input.assignedById],
    ]);
    const caller: Caller = { userId: createdBy, isAdmin: true, authType: 'webhook', credentialId: 0, scopes: new Set() };
    return this.addItem(type, { values, multifields: { mode: 'merge', items: [{ typeId: 'PHONE', valueType: 'WORK', value: input.phone }] } }, caller, {
      titleRequired: false,
      contactNameRequired: false,
      assignToCaller: false,
      rawFields: {},
      viaTypedMethod: false,
      within,
    });
  }

  async reassign(items: readonly CrmItemRef[], userId: number, db: Executor = this.db): Promise<void> {
    for (const item of items) {
      const type = crmTypeById(item.entityTypeId);
      if (type?.byName('ASSIGNED_BY_ID')) await updateItemRow(db, type, item.entityId, { assigned_by_id: userId });
    }
  }

  /** True when TITLE is empty and the item should be titled "{Type} #{id}". */
  private checkTitle(type: CrmType, values: Map<string, unknown>, rules: WriteRules): boolean {
    if (!type.hasTitle || !isEmpty(values.get('TITLE'))) return false;
    if (rules.titleRequired) throw new CrmInputError(type.byName('TITLE')!, 'required');
    values.delete('TITLE');
    return true;
  }

  private checkContactName(values: Map<string, unknown>): void {
    if (NAME_FIELDS.every((name) => isEmpty(values.get(name)))) throw new CrmNameRequiredError();
  }

  /**
   * With `--strict-fields`, linked items and users must exist: a link to nothing is an invalid
   * value. A portal stores such a link, and so does Salestrace by default.
   */
  private async checkReferences(
    db: Executor,
    type: CrmType,
    values: Map<string, unknown>,
    contactIds: number[] | undefined,
    companyIds: number[] | undefined,
  ): Promise<void> {
    if (!this.options.strictFields) return;
    // Lists first: the deprecated single link is derived from them.
    const checkList = async (ids: number[] | undefined, targetId: number, storage: CrmField['storage']) => {
      if (!ids || ids.length === 0) return;
      const found = await holdItemRows(db, crmTypeById(targetId)!, ids);
      if (ids.some((id) => !found.has(id))) throw new CrmInputError(type.fields.find((f) => f.storage === storage)!, 'invalid');
    };
    await checkList(contactIds, CONTACT, 'boundContacts');
    await checkList(companyIds, COMPANY, 'boundCompanies');
    for (const f of type.fields) {
      if (!values.has(f.name) || f.storage !== 'column') continue;
      const value = values.get(f.name);
      if (typeof value !== 'number') continue;
      const target = LINK_TARGETS[f.type];
      if (target !== undefined) {
        const targetType = crmTypeById(target)!;
        if (!(await holdItemRows(db, targetType, [value])).has(value)) throw new CrmInputError(f, 'invalid');
      } else if (f.type === 'user') {
        if (!(await userExists(db, value))) throw new CrmInputError(f, 'invalid');
      }
    }
  }

  private utmValues(input: ItemInput): Record<string, string | null> {
    const utm: Record<string, string | null> = {};
    for (const [f, value] of input.values) if (f.storage === 'utm') utm[f.name] = value as string | null;
    return utm;
  }

  private async writeBindings(
    db: Executor,
    type: CrmType,
    id: number,
    contactIds: number[] | undefined,
    companyIds: number[] | undefined,
    previousContacts: number[],
    caller: Caller,
  ): Promise<void> {
    if (contactIds !== undefined && type.fields.some((f) => f.storage === 'boundContacts')) {
      await replaceBoundContacts(db, type.id, id, contactIds);
      // A company's contacts keep their deprecated COMPANY_ID pointing at a bound company, but
      // only those the caller may edit: the link is the company's, the field is the contact's.
      if (type.id === COMPANY) {
        for (const contactId of new Set([...previousContacts, ...contactIds])) {
          if (await this.canUpdate(CONTACT, contactId, caller, db)) await syncContactPrimaryCompany(db, contactId);
        }
      }
    }
    if (companyIds !== undefined && type.id === CONTACT) await replaceBoundCompanies(db, id, companyIds);
  }

  private async writeMultifields(db: Executor, type: CrmType, id: number, input: ItemInput): Promise<void> {
    if (!type.hasMultifields || !input.multifields) return;
    await writeMultifields(db, type.id, id, input.multifields);
    await updateItemRow(db, type, id, await multifieldFlags(db, type.id, id));
  }
}

function linkOrNull(value: unknown): number | null {
  return typeof value === 'number' && value > 0 ? value : null;
}

/**
 * The deprecated single link (CONTACT_ID, a contact's COMPANY_ID) set alone: the new value
 * becomes the first of the list, null drops the current first one; the rest stay.
 */
function movePrimary(list: number[], currentPrimary: number | null, next: number | null): number[] {
  if (next === null) return list.filter((id) => id !== currentPrimary);
  return [next, ...list.filter((id) => id !== next)];
}
