// Turns the CRM module's own errors into each convention's answer: an empty-code message for
// crm.{type}.* (legacyError), a D7 code for crm.item.*.
import { RestError, legacyError, restError } from '../../rest/errors.js';
import { CrmEmailError, CrmInputError, CrmNameRequiredError } from '../model/errors.js';
import { FilterError } from './filter.js';
import { OrderError } from './listQuery.js';

function legacyMessage(error: unknown): string | undefined {
  if (error instanceof CrmInputError) {
    return error.problem === 'required'
      ? `Field "${error.field.title}" is required.`
      : `Invalid value for the "${error.field.title}" field`;
  }
  if (error instanceof CrmNameRequiredError) {
    return 'One of the fields must be filled in: "First Name", "Middle Name", "Last Name".';
  }
  return undefined;
}

function itemError(error: unknown): RestError | undefined {
  if (error instanceof CrmInputError) {
    if (error.problem === 'notIterable') return restError('CRM_FIELD_NOT_ITERABLE', { type: error.actualType });
    if (error.problem === 'required') return restError('CRM_FIELD_REQUIRED', { field: error.field.title });
    return restError('CRM_FIELD_INVALID', { field: error.field.title });
  }
  if (error instanceof FilterError) {
    if (error.reason === 'tooLong') return restError('CRM_FILTER_VALUE_TOO_LONG', { field: error.fieldName, limit: error.limit });
    return restError(error.reason === 'field' ? 'CRM_FILTER_FIELD' : 'CRM_FILTER_VALUE', { field: error.fieldName });
  }
  if (error instanceof OrderError) {
    return error.reason === 'field'
      ? restError('CRM_ORDER_FIELD', { field: error.fieldName })
      : restError('CRM_ORDER_DIRECTION', { field: error.fieldName, value: error.direction });
  }
  return undefined;
}

/** How the error names an e-mail value by its type; only "Work e-mail" is on the pages. */
const EMAIL_CAPTIONS: Record<string, string> = {
  WORK: 'Work e-mail',
  HOME: 'Personal e-mail',
  MAILING: 'Newsletter e-mail',
  OTHER: 'Other e-mail',
};

export async function withLegacyErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    // The only filter error legacy lists raise: they drop unknown fields and values.
    if (error instanceof FilterError && error.reason === 'tooLong') {
      throw restError('LEGACY_FILTER_VALUE_TOO_LONG', { field: error.fieldName, limit: error.limit });
    }
    if (error instanceof CrmEmailError) throw restError('CRM_EMAIL_INVALID', { field: EMAIL_CAPTIONS[error.valueType] ?? 'E-mail' });
    const message = legacyMessage(error);
    throw message === undefined ? error : legacyError(message);
  }
}

export async function withItemErrors<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw itemError(error) ?? error;
  }
}
