// CRM item references as Sales Intelligence receives them: `{TYPE, ID}` in ENTITIES, IDs in
// item fields, numeric TRACE values.

/** IDs are signed 32-bit integers in Bitrix's tables. */
export const MAX_ITEM_ID = 2147483647;

/**
 * A positive integer ID given as a JSON integer or a plain digit string. Stricter than PHP's
 * is_numeric, which would take "1e3", " 7" or "7.0" (COMPATIBILITY.md).
 */
export function positiveIntegerId(value: unknown): number | null {
  let id: number;
  if (typeof value === 'number') id = value;
  else if (typeof value === 'string' && /^[1-9]\d{0,9}$/.test(value)) id = Number(value);
  else return null;
  return Number.isInteger(id) && id > 0 && id <= MAX_ITEM_ID ? id : null;
}
