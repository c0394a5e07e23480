// How much text each kind of field keeps, as Bitrix's columns do. Input refuses longer values
// and list filters cap their values with the same numbers.
import type { CrmField } from './fields/field.js';

/** b_crm_utm.VALUE is varchar(600) (sales-intelligence.md §1.11). */
export const UTM_VALUE_MAX = 600;

const MAX_STRING = 255;
const MAX_TEXT = 65535;
const MAX_MULTIFIELD_VALUE = 250;

/**
 * The longest text a field keeps, in UTF-16 units: Bitrix's varchar(255), its free-text
 * columns, b_crm_utm.VALUE and the multi-field values. Lists cap filter values with it too.
 */
export function storedTextLimit(f: CrmField): number {
  if (f.storage === 'utm') return UTM_VALUE_MAX;
  if (f.storage === 'multifield') return MAX_MULTIFIELD_VALUE;
  return f.longText ? MAX_TEXT : MAX_STRING;
}
