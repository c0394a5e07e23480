// Input problems the CRM service finds while reading or checking fields. Each REST convention
// turns them into its own answer: an empty-code legacy error for crm.{type}.*, a D7 code for
// crm.item.* (src/crm/methods/*).
import type { CrmField } from './fields/field.js';

export type InputProblem =
  /** The value cannot be a value of the field's type, or points at nothing. */
  | 'invalid'
  /** A required field is missing or empty. */
  | 'required'
  /** crm.item.*: a multiple field got a scalar. */
  | 'notIterable';

export class CrmInputError extends Error {
  constructor(
    readonly field: CrmField,
    readonly problem: InputProblem,
    /** For 'notIterable': the PHP type name of what arrived. */
    readonly actualType = '',
  ) {
    super(`${field.name}: ${problem}`);
    this.name = 'CrmInputError';
  }
}

/** A legacy EMAIL value that is not an e-mail address; `valueType` is its VALUE_TYPE (WORK, HOME …). */
export class CrmEmailError extends Error {
  constructor(readonly valueType: string) {
    super(`EMAIL ${valueType}: not an e-mail address`);
    this.name = 'CrmEmailError';
  }
}

/** Contacts need a name: the page marks NAME, SECOND_NAME and LAST_NAME required, meaning one of them. */
export class CrmNameRequiredError extends Error {
  constructor() {
    super('one of NAME, SECOND_NAME, LAST_NAME is required');
    this.name = 'CrmNameRequiredError';
  }
}
