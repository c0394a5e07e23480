// What the CRM module promises the rest of the server, chiefly Sales Intelligence: entity type
// IDs, Bitrix's CheckUpdatePermission, and hooks that run inside the item's own transaction.
import type { Executor } from '../db/schema.js';
import type { Caller } from '../auth/caller.js';
import type { PhpMap } from '../php/query.js';

/** CRM object types (bitrix24-docs/api-reference/crm/data-types.md "CRM Object Types"). */
export const CRM_ENTITY_TYPES = { LEAD: 1, DEAL: 2, CONTACT: 3, COMPANY: 4, QUOTE: 7 } as const;

export type CrmEntityTypeName = keyof typeof CRM_ENTITY_TYPES;
export type CrmEntityTypeId = (typeof CRM_ENTITY_TYPES)[CrmEntityTypeName];

export function entityTypeName(id: number): CrmEntityTypeName | undefined {
  return (Object.keys(CRM_ENTITY_TYPES) as CrmEntityTypeName[]).find((name) => CRM_ENTITY_TYPES[name] === id);
}

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
export type ItemDeletedHook = (trx: Executor, entityTypeId: CrmEntityTypeId, id: number) => Promise<void>;

export interface CrmLifecycle {
  onItemAdded(hook: ItemAddedHook): void;
  onItemDeleted(hook: ItemDeletedHook): void;
}
