// What an add or update asks to change, once the request's `fields` are decoded
// (src/crm/methods/input.ts): typed values the service checks and the store writes.
import type { CrmField, MultifieldType } from './fields/field.js';

export interface MultifieldValue {
  /** Existing row to change or delete; undefined for a new value. */
  readonly id?: number;
  readonly typeId: MultifieldType;
  readonly valueType: string;
  /** Empty means "delete this row" for an existing id. */
  readonly value: string;
}

export interface MultifieldInput {
  /**
   * 'merge' (crm.{type}.*): rows with an ID are changed or deleted, rows without are added,
   * other rows stay. 'replace' (crm.item `fm`): the list becomes exactly the given values.
   */
  readonly mode: 'merge' | 'replace';
  readonly items: readonly MultifieldValue[];
}

export interface ItemInput {
  /** Column and UTM fields with their parsed values (null clears). */
  readonly values: Map<CrmField, unknown>;
  /** New CONTACT_IDS (or a company's contacts), in order. */
  readonly contactIds?: number[];
  /** New COMPANY_IDS of a contact, in order. */
  readonly companyIds?: number[];
  readonly multifields?: MultifieldInput;
}
