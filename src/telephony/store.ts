// Telephony's SQL: external lines, live calls, statistics records and call activities.
import type { Insertable, Selectable } from 'kysely';
import type { Executor } from '../db/schema.js';
import type { CallActivitiesTable, TelephonyCallsTable, TelephonyLinesTable, TelephonyStatisticsTable } from './tables.js';

export type LineRow = Selectable<TelephonyLinesTable>;
export type CallRow = Selectable<TelephonyCallsTable>;
export type StatisticsRow = Selectable<TelephonyStatisticsTable>;
export type ActivityRow = Selectable<CallActivitiesTable>;

export interface ItemKey {
  readonly entityTypeId: number;
  readonly entityId: number;
}

// External lines.

export function findLine(db: Executor, owner: string, number: string): Promise<LineRow | undefined> {
  return db.selectFrom('telephony_lines').selectAll().where('owner', '=', owner).where('number', '=', number).executeTakeFirst();
}

export function listLines(db: Executor, owner: string): Promise<LineRow[]> {
  return db.selectFrom('telephony_lines').selectAll().where('owner', '=', owner).orderBy('id').execute();
}

/** Every line of every application: they all belong to the phone pool (§4.2). */
export function allLines(db: Executor): Promise<LineRow[]> {
  return db.selectFrom('telephony_lines').selectAll().orderBy('id').execute();
}

export async function insertLine(db: Executor, line: Insertable<TelephonyLinesTable>): Promise<number> {
  const row = await db.insertInto('telephony_lines').values(line).returning('id').executeTakeFirstOrThrow();
  return row.id;
}

export async function updateLine(db: Executor, id: number, changes: { name?: string; crm_auto_create?: string }): Promise<void> {
  await db.updateTable('telephony_lines').set(changes).where('id', '=', id).execute();
}

export async function deleteLine(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('telephony_lines').where('id', '=', id).execute();
}

// Live calls.

export interface RepeatKeys {
  readonly owner: string;
  readonly userId: number;
  readonly phoneNumber: string;
  readonly type: number;
  readonly lineNumber: string | undefined;
  readonly externalCallId: string | undefined;
}

/** The newest unfinished call with the same keys registered after `since` (unix seconds). */
export function findRepeatCall(db: Executor, keys: RepeatKeys, since: number): Promise<CallRow | undefined> {
  let query = db
    .selectFrom('telephony_calls')
    .selectAll()
    .where('owner', '=', keys.owner)
    .where('user_id', '=', keys.userId)
    .where('phone_number', '=', keys.phoneNumber)
    .where('type', '=', keys.type)
    .where('registered_at', '>', since);
  if (keys.lineNumber !== undefined) query = query.where('line_number', '=', keys.lineNumber);
  if (keys.externalCallId !== undefined) query = query.where('external_call_id', '=', keys.externalCallId);
  return query.orderBy('id', 'desc').executeTakeFirst();
}

export async function insertCall(db: Executor, call: Insertable<TelephonyCallsTable>): Promise<void> {
  await db.insertInto('telephony_calls').values(call).execute();
}

export function findCall(db: Executor, callId: string): Promise<CallRow | undefined> {
  return db.selectFrom('telephony_calls').selectAll().where('call_id', '=', callId).executeTakeFirst();
}

/** False when another finish took the call first. */
export async function deleteCall(db: Executor, id: number): Promise<boolean> {
  const result = await db.deleteFrom('telephony_calls').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

// Statistics.

export async function insertStatistics(db: Executor, row: Insertable<TelephonyStatisticsTable>): Promise<StatisticsRow> {
  return db.insertInto('telephony_statistics').values(row).returningAll().executeTakeFirstOrThrow();
}

// Call activities.

export async function insertActivity(db: Executor, row: Insertable<CallActivitiesTable>, items: readonly ItemKey[]): Promise<number> {
  const { id } = await db.insertInto('call_activities').values(row).returning('id').executeTakeFirstOrThrow();
  const seen = new Set<string>();
  for (const item of items) {
    const key = `${item.entityTypeId}:${item.entityId}`;
    if (seen.has(key)) continue;
    seen.add(key);
    await db.insertInto('call_activity_bindings').values({ activity_id: id, owner_type_id: item.entityTypeId, owner_id: item.entityId }).execute();
  }
  return id;
}

export function findActivity(db: Executor, id: number): Promise<ActivityRow | undefined> {
  return db.selectFrom('call_activities').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function activityBindings(db: Executor, ids: readonly number[]): Promise<Map<number, ItemKey[]>> {
  const result = new Map<number, ItemKey[]>();
  if (ids.length === 0) return result;
  const rows = await db.selectFrom('call_activity_bindings').selectAll().where('activity_id', 'in', [...ids]).orderBy('activity_id').orderBy('owner_type_id').orderBy('owner_id').execute();
  for (const row of rows) {
    const list = result.get(row.activity_id) ?? [];
    list.push({ entityTypeId: row.owner_type_id, entityId: row.owner_id });
    result.set(row.activity_id, list);
  }
  return result;
}

export async function deleteActivity(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('call_activity_bindings').where('activity_id', '=', id).execute();
  await db.deleteFrom('call_activities').where('id', '=', id).execute();
  await db.updateTable('telephony_statistics').set({ crm_activity_id: null }).where('crm_activity_id', '=', id).execute();
}
