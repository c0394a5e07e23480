// CRM item references as Sales Intelligence receives them: `{TYPE, ID}` in ENTITIES, IDs in
// item fields, numeric TRACE values.
import { fitsIntegerColumn } from '../db/integers.js';

/**
 * A positive integer ID given as a JSON integer or a plain digit string. Stricter than PHP's
 * is_numeric, which would take "1e3", " 7" or "7.0" (COMPATIBILITY.md).
 */
export function positiveIntegerId(value: unknown): number | null {
  let id: number;
  if (typeof value === 'number') id = value;
  else if (typeof value === 'string' && /^[1-9]\d{0,9}$/.test(value)) id = Number(value);
  else return null;
  // IDs are integer columns, signed 32-bit as in Bitrix's tables.
  return id > 0 && fitsIntegerColumn(id) ? id : null;
}
