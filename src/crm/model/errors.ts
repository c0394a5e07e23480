// Input problems the CRM service finds while reading or checking fields, filters and orders.
// Each REST family turns their kinds into its own answer in one table: an empty-code legacy
// error for crm.{type}.*, a D7 code for crm.item.* (src/crm/methods/conventions.ts).
import { DomainError } from '../../domainError.js';
import type { CrmField } from './fields/field.js';

export const CRM_ERROR_KINDS = [
  /** The value cannot be a value of the field's type, or points at nothing. */
  'fieldInvalid',
  /** A required field is missing or empty. */
  'fieldRequired',
  /** crm.item.*: a multiple field got a scalar. */
  'fieldNotIterable',
  /** A legacy EMAIL value that is not an e-mail address. */
  'emailInvalid',
  /** A contact with none of NAME, SECOND_NAME, LAST_NAME. */
  'nameRequired',
  /** A filter names a field that cannot be filtered on. */
  'filterField',
  /** A filter value the field cannot take. */
  'filterValue',
  /** A filter value longer than its column keeps. */
  'filterValueTooLong',
  /** An order names a field that cannot be sorted on. */
  'orderField',
  /** An order direction other than ASC or DESC. */
  'orderDirection',
] as const;

export type CrmErrorKind = (typeof CRM_ERROR_KINDS)[number];

export class CrmError extends DomainError<CrmErrorKind> {}

export type InputProblem = 'invalid' | 'required' | 'notIterable';

const INPUT_KINDS: Record<InputProblem, CrmErrorKind> = {
  invalid: 'fieldInvalid',
  required: 'fieldRequired',
  notIterable: 'fieldNotIterable',
};

export class CrmInputError extends CrmError {
  constructor(
    readonly field: CrmField,
    readonly problem: InputProblem,
    /** For 'notIterable': the PHP type name of what arrived. */
    readonly actualType = '',
  ) {
    super(INPUT_KINDS[problem], { field: field.title, type: actualType });
    this.name = 'CrmInputError';
  }
}

/** A legacy EMAIL value that is not an e-mail address; `valueType` is its VALUE_TYPE (WORK, HOME …). */
export class CrmEmailError extends CrmError {
  constructor(readonly valueType: string) {
    super('emailInvalid', { valueType });
    this.name = 'CrmEmailError';
  }
}

/** Contacts need a name: the page marks NAME, SECOND_NAME and LAST_NAME required, meaning one of them. */
export class CrmNameRequiredError extends CrmError {
  constructor() {
    super('nameRequired');
    this.name = 'CrmNameRequiredError';
  }
}
