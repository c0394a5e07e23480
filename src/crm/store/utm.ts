// UTM values of CRM items, kept apart from the item rows as Bitrix keeps them in b_crm_utm
// (sales-intelligence.md §1.11). Sales Intelligence writes here too: binding a trace to an item
// that has no UTM rows copies the trace's tags (§1.2 step 4).
import { hasRowLocks, lockRowsOfTables } from '../../db/dialects/rowLocks.js';
import { HotStatement } from '../../db/hotStatement.js';
import type { Executor } from '../../db/schema.js';
import { UTM_CODES, type UtmCode } from '../model/fields/field.js';
import { UTM_VALUE_MAX } from '../model/textLimits.js';
import { crmTypeById } from '../model/types.js';

export type UtmValues = Partial<Record<UtmCode, string>>;

export function isUtmCode(code: string): code is UtmCode {
  return (UTM_CODES as readonly string[]).includes(code);
}

export async function readItemUtm(db: Executor, entityTypeId: number, entityId: number): Promise<UtmValues> {
  const rows = await db
    .selectFrom('crm_utm')
    .select(['code', 'value'])
    .where('entity_type_id', '=', entityTypeId)
    .where('entity_id', '=', entityId)
    .execute();
  const values: UtmValues = {};
  for (const row of rows) if (isUtmCode(row.code)) values[row.code] = row.value;
  return values;
}

/** UTM values of many items at once, for lists. */
export async function loadUtm(db: Executor, entityTypeId: number, entityIds: number[]): Promise<Map<number, UtmValues>> {
  const result = new Map<number, UtmValues>();
  if (entityIds.length === 0) return result;
  const rows = await db
    .selectFrom('crm_utm')
    .select(['entity_id', 'code', 'value'])
    .where('entity_type_id', '=', entityTypeId)
    .where('entity_id', 'in', entityIds)
    .execute();
  for (const row of rows) {
    if (!isUtmCode(row.code)) continue;
    const values = result.get(row.entity_id) ?? {};
    values[row.code] = row.value;
    result.set(row.entity_id, values);
  }
  return result;
}

/**
 * UtmTable's upsert rules: a code that is absent is left alone, an empty value (null or '')
 * deletes it, any other string is inserted or replaced. Codes outside the five are ignored.
 */
export async function writeItemUtm(
  db: Executor,
  entityTypeId: number,
  entityId: number,
  values: Partial<Record<string, string | null>>,
): Promise<void> {
  for (const [code, value] of Object.entries(values)) {
    if (!isUtmCode(code) || value === undefined) continue;
    await db
      .deleteFrom('crm_utm')
      .where('entity_type_id', '=', entityTypeId)
      .where('entity_id', '=', entityId)
      .where('code', '=', code)
      .execute();
    if (value !== null && value !== '') {
      await db.insertInto('crm_utm').values({ entity_type_id: entityTypeId, entity_id: entityId, code, value }).execute();
    }
  }
}

/**
 * Sales Intelligence's copy on binding (§1.2 step 4): an item without any UTM row gets the
 * trace's tags; an item with one keeps what it has. Values are cut to the column's length, as
 * MySQL stores them for Bitrix. A row another transaction has just written wins. One query
 * finds which items already have UTM rows; items are written in the order given, and one
 * item's rows never change whether another has any.
 */
export async function copyUtmToItemsWithoutAny(
  db: Executor,
  items: readonly { entityTypeId: number; entityId: number }[],
  tags: Record<string, unknown>,
): Promise<void> {
  const copied = copyableTags(tags);
  if (items.length === 0 || copied.length === 0) return;
  const key = (item: { entityTypeId: number; entityId: number }) => `${item.entityTypeId}:${item.entityId}`;
  const itemsHavingUtm = async (of: readonly { entityTypeId: number; entityId: number }[]) =>
    new Set((await itemsWithUtm.rows(db, of.flatMap((item) => [item.entityTypeId, item.entityId]), of.length)).map((row) => `${row.entity_type_id}:${row.entity_id}`));
  const withUtm = await itemsHavingUtm(items);
  let lacking = items.filter((item) => !withUtm.has(key(item)));
  // An item whose UTM rows are committed keeps them, as if this copy ran just after their writer;
  // only an item without any is locked and read again, so that two copies (or a copy and an
  // item update) to it run one after the other instead of mixing their values. Where several
  // writers run at once (PostgreSQL), the common case, an item that has its UTM already, then
  // takes no lock, and traces bound to one busy item do not queue behind each other's commits.
  if (lacking.length > 0 && hasRowLocks(db)) {
    await lockItemsForUtm(db, lacking);
    const nowWithUtm = await itemsHavingUtm(lacking);
    lacking = lacking.filter((item) => !nowWithUtm.has(key(item)));
  }
  for (const item of lacking) {
    for (const [code, value] of copied) {
      await db
        .insertInto('crm_utm')
        .values({ entity_type_id: item.entityTypeId, entity_id: item.entityId, code, value })
        .onConflict((conflict) => conflict.columns(['entity_type_id', 'entity_id', 'code']).doNothing())
        .execute();
    }
  }
}

// Compiled once per item count: every binding of a trace to items asks it (src/db/hotStatement.ts).
const itemsWithUtm = new HotStatement<{ entity_type_id: number; entity_id: number }>((db, $, count) =>
  db
    .selectFrom('crm_utm')
    .select(['entity_type_id', 'entity_id'])
    .distinct()
    .where((eb) => eb.or(Array.from({ length: count }, (_, at) => eb.and([eb('entity_type_id', '=', $(2 * at)), eb('entity_id', '=', $(2 * at + 1))])))),
);

/** Locks the item rows for a UTM write, in one statement: type by type, each type's rows in ID order. */
async function lockItemsForUtm(db: Executor, items: readonly { entityTypeId: number; entityId: number }[]): Promise<void> {
  const byType = new Map<number, number[]>();
  for (const item of items) byType.set(item.entityTypeId, [...(byType.get(item.entityTypeId) ?? []), item.entityId]);
  const tables = [...byType]
    .sort(([a], [b]) => a - b)
    .flatMap(([typeId, ids]) => {
      const type = crmTypeById(typeId);
      return type ? [{ table: type.table, ids }] : [];
    });
  await lockRowsOfTables(db, tables, 'noKeyUpdate');
}

/** The trace tags copied to an item: UTM codes with a value, cut to the column's length. */
export function copyableTags(tags: Record<string, unknown>): [UtmCode, string][] {
  const copied: [UtmCode, string][] = [];
  for (const [code, value] of Object.entries(tags)) {
    if (isUtmCode(code) && typeof value === 'string' && value !== '') copied.push([code, value.slice(0, UTM_VALUE_MAX)]);
  }
  return copied;
}

export async function deleteItemUtm(db: Executor, entityTypeId: number, entityId: number): Promise<void> {
  await db
    .deleteFrom('crm_utm')
    .where('entity_type_id', '=', entityTypeId)
    .where('entity_id', '=', entityId)
    .execute();
}
