// Items found by a phone number (telephony: who is calling). Multi-field values are stored as
// written, so the store narrows by the number's last digit and the caller compares normalised.
import type { Executor } from '../../db/schema.js';

export interface PhoneRow {
  readonly entityTypeId: number;
  readonly entityId: number;
  readonly value: string;
}

/** PHONE values of the given entity types that contain `lastDigit`, oldest first. */
export async function phoneRowsWithDigit(db: Executor, entityTypeIds: readonly number[], lastDigit: string): Promise<PhoneRow[]> {
  const rows = await db
    .selectFrom('crm_multifield')
    .select(['entity_type_id', 'entity_id', 'value'])
    .where('type_id', '=', 'PHONE')
    .where('entity_type_id', 'in', [...entityTypeIds])
    .where('value', 'like', `%${lastDigit}%`)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({ entityTypeId: row.entity_type_id, entityId: row.entity_id, value: row.value }));
}
