// What the CRM module promises the rest of the server, chiefly Sales Intelligence: entity type
// IDs, Bitrix's CheckUpdatePermission, which items a user may read, and hooks that run inside
// the item's own transaction. Other modules import CRM only from here; the re-exports below
// name what the CLI and the seed use of crm's inner layers.
import type { SelectQueryBuilder } from 'kysely';
import type { Executor } from '../db/schema.js';
import type { Caller } from '../auth/caller.js';
import type { PhpMap } from '../php/query.js';
import type { CrmEntityTypeId } from './model/entityTypes.js';

export { CRM_ENTITY_TYPES, entityTypeName, type CrmEntityTypeId, type CrmEntityTypeName } from './model/entityTypes.js';

// Roles, for the `salestrace role` and `user` commands.
export { CRM_ACTIONS, isCrmAction, isPermissionLevel, type CrmAction, type PermissionLevel } from './model/permissions.js';
export { assignRole, createRole, findRole, grantRole, listRoles } from './store/roles.js';

// For `salestrace seed`, which writes item rows in bulk the way CrmService.addItem writes them.
export { addDefaults } from './model/defaults.js';
export { crmTypeById, type CrmType } from './model/types.js';
export { applyStage } from './services/stages.js';
export { itemColumns } from './store/items.js';
export { copyableTags } from './store/utm.js';

export interface CrmItemAccess {
  /**
   * Bitrix's CCrmAuthorizationHelper::CheckUpdatePermission: may the caller modify this item?
   * For an item that does not exist, true only when the caller may modify every item of the type.
   */
  canUpdate(entityTypeId: number, id: number, caller: Caller, db?: Executor): Promise<boolean>;
  itemExists(entityTypeId: number, id: number, db?: Executor): Promise<boolean>;
  /**
   * Whether the item exists, and if so, keeps it from being deleted until the transaction `db`
   * ends (an item delete waits). For writes that must not point at a deleted item.
   */
  holdItem(entityTypeId: number, id: number, db: Executor): Promise<boolean>;
  /**
   * holdItem for several items in one statement: the keys (`${entityTypeId}:${id}`) of those that
   * exist. Types are held in the order the items first name them, each type's items in ID order.
   */
  holdItems(items: readonly CrmItemRef[], db: Executor): Promise<Set<string>>;
}

export interface CrmItemReading {
  /** What crm.*.get decides: may the caller read this item? For a missing item, true only with READ on every item of the type. */
  canRead(entityTypeId: number, id: number, caller: Caller): Promise<boolean>;
}

export interface CrmItemRef {
  readonly entityTypeId: number;
  readonly entityId: number;
}

/**
 * Bitrix's TraceEntityTable::addEntity step 4 (sales-intelligence.md §1.2, §1.11): binding a
 * trace to an item that has no UTM values gives the item the trace's tags. Called by Sales
 * Intelligence inside its own transaction, which `db` is.
 */
export interface ItemUtmCopier {
  /** Gives each item, in the order given, the tags if it has no UTM values yet. */
  copyTagsToItemsWithoutAny(db: Executor, items: readonly CrmItemRef[], tags: Record<string, string>): Promise<void>;
}

export interface ItemAddedEvent {
  readonly entityTypeId: CrmEntityTypeId;
  readonly id: number;
  /** The `fields` parameter as the caller sent it (UPPER_CASE for typed methods, incl. TRACE and UTM_*). */
  readonly fields: PhpMap;
  readonly caller: Caller;
  /**
   * The primary contact and company (CONTACT_ID, COMPANY_ID) as the add stored them, null when
   * none: CONTACT_ID also when only CONTACT_IDS was sent, as Bitrix's CCrmDeal::Add writes it back
   * into the fields its REST hook reads (sales-intelligence.md §5.2 step 4).
   */
  readonly contactId: number | null;
  readonly companyId: number | null;
  /** True for crm.{lead,deal,contact,company,quote}.add; false for crm.item.add (which creates no trace). */
  readonly viaTypedMethod: boolean;
}

/**
 * The refusals an add hook may throw, as DomainError kinds: Sales Intelligence refuses a TRACE
 * over its limits. crm.{type}.add answers each of them (crm/methods/conventions.ts); any other
 * error from a hook is an unexpected failure.
 */
export const ITEM_HOOK_ERROR_KINDS = ['traceTooLarge', 'traceTooDeep'] as const;
export type ItemHookErrorKind = (typeof ITEM_HOOK_ERROR_KINDS)[number];

/** Runs after the item row is written, in the same transaction. */
export type ItemAddedHook = (trx: Executor, event: ItemAddedEvent) => Promise<void>;

/**
 * Runs before the item row is deleted, in the same transaction, with the item locked: writes that
 * held it (holdItem) have committed and are visible.
 */
export type ItemDeletedHook = (trx: Executor, entityTypeId: CrmEntityTypeId, id: number, caller?: Caller) => Promise<void>;

/** Runs after the item row is updated, in the same transaction (the outbound events, events.md §5.1). */
export type ItemUpdatedHook = (trx: Executor, entityTypeId: CrmEntityTypeId, id: number, caller: Caller) => Promise<void>;

export interface CrmLifecycle {
  onItemAdded(hook: ItemAddedHook): void;
  onItemUpdated(hook: ItemUpdatedHook): void;
  onItemDeleted(hook: ItemDeletedHook): void;
}

/**
 * crm.{type}.add inside a transaction the caller holds, so that the items share it with the
 * caller's other writes: a site form's contact, lead, trace and events commit together or not at all.
 */
export interface CrmTypedAdds {
  /** Runs `work` in one transaction, committed when it returns and rolled back when it throws. */
  inTransaction<T>(work: (db: Executor) => Promise<T>): Promise<T>;
  /**
   * What crm.{type}.add does with these `fields` (its checks, defaults and add hooks, TRACE
   * included), inside the open transaction `db`. Throws the RestError that method answers.
   */
  addTyped(db: Executor, entityTypeId: CrmEntityTypeId, fields: PhpMap, caller: Caller): Promise<number>;
}

/** The caller may read some items of the type: those whose IDs the subquery gives. */
export interface PartialReadScope {
  readonly kind: 'SOME';
  /** `select <alias>.id from …`: `alias` names the item table, so the subquery can sit at any depth of the caller's query. */
  itemIds(alias: string): SelectQueryBuilder<any, any, { id: number }>;
}

/**
 * Which items of one type a caller may read. SOME gives their IDs as a subquery, so that a
 * caller can compose it into a statement of its own and the database still runs one statement.
 */
export type ItemReadScope = { readonly kind: 'ALL' } | { readonly kind: 'NONE' } | PartialReadScope;

export interface ItemReadScopes {
  /**
   * The caller's read scope for every CRM entity type, by entity type ID, in the types' order.
   * `db` is the open transaction when there is one (on SQLite a second connection would wait for it).
   */
  readScopes(caller: Caller, db?: Executor): Promise<ReadonlyMap<number, ItemReadScope>>;
}

// Telephony (src/telephony): the caller's items found by number, the lead a call creates, and
// the items a finished call hands to the user who answered.

/** An item that has the number among its PHONE values. */
export interface PhoneMatch {
  readonly entityTypeId: number;
  readonly entityId: number;
  /** Contact: first and last name; company: its title; lead: its name, else its title. */
  readonly name: string;
  readonly assignedById: number | null;
}

export interface CallLeadInput {
  readonly title: string;
  readonly phone: string;
  readonly sourceId: string;
  readonly sourceDescription: string;
  readonly assignedById: number;
}

export interface CrmCallItems {
  /**
   * Contacts, then companies, then leads with a PHONE value that `sameNumber` accepts; each
   * type oldest first. `lastDigit` narrows the search (values are stored as written).
   */
  findByPhone(lastDigit: string, sameNumber: (value: string) => boolean): Promise<PhoneMatch[]>;
  /**
   * Adds a lead with a WORK phone, created by `createdBy`, and runs `within` inside the lead's
   * transaction (no typed-add hook runs: the call binds its own trace).
   */
  addCallLead(input: CallLeadInput, createdBy: number, within: (db: Executor, leadId: number) => Promise<void>): Promise<number>;
  /** Makes `userId` responsible for the items that still exist. */
  reassign(items: readonly CrmItemRef[], userId: number, db?: Executor): Promise<void>;
}
