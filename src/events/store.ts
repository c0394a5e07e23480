// The SQL of the events module: handlers, the outbox and the offline queue.
import { sql } from 'kysely';
import type { Executor } from '../db/schema.js';
import { HotStatement } from '../db/hotStatement.js';

export interface HandlerRow {
  readonly id: number;
  readonly app_id: number;
  readonly event_name: string;
  readonly handler: string;
  readonly user_id: number;
  readonly connector_id: string;
  readonly application_token: string;
  readonly options_json: string;
}

const HANDLER_COLUMNS = ['id', 'app_id', 'event_name', 'handler', 'user_id', 'connector_id', 'application_token', 'options_json'] as const;

export interface NewHandler {
  readonly appId: number;
  readonly eventName: string;
  readonly handler: string;
  readonly userId: number;
  readonly connectorId: string;
  readonly applicationToken: string;
  readonly options: Record<string, unknown>;
}

function sameHandler(db: Executor, spec: Omit<NewHandler, 'options'>) {
  return db
    .selectFrom('event_handlers')
    .select('id')
    .where('app_id', '=', spec.appId)
    .where('event_name', '=', spec.eventName)
    .where('handler', '=', spec.handler)
    .where('user_id', '=', spec.userId)
    .where('connector_id', '=', spec.connectorId)
    .where('application_token', '=', spec.applicationToken);
}

/** The new row's ID, or undefined when the same handler is bound already. */
export async function insertHandler(db: Executor, spec: NewHandler, nowSeconds: number): Promise<number | undefined> {
  if (await sameHandler(db, spec).executeTakeFirst()) return undefined;
  const row = await db
    .insertInto('event_handlers')
    .values({
      app_id: spec.appId,
      event_name: spec.eventName,
      handler: spec.handler,
      user_id: spec.userId,
      connector_id: spec.connectorId,
      application_token: spec.applicationToken,
      options_json: JSON.stringify(spec.options),
      created_at: Math.floor(nowSeconds),
    })
    .onConflict((c) => c.doNothing())
    .returning('id')
    .executeTakeFirst();
  return row?.id;
}

export interface HandlerFilter {
  readonly appId: number;
  readonly eventName: string;
  readonly handler: string;
  /** undefined: every user. */
  readonly userId?: number;
  /** undefined: any connector. */
  readonly connectorId?: string;
}

export async function deleteHandlers(db: Executor, filter: HandlerFilter): Promise<number> {
  let query = db
    .deleteFrom('event_handlers')
    .where('app_id', '=', filter.appId)
    .where('event_name', '=', filter.eventName)
    .where('handler', '=', filter.handler);
  if (filter.userId !== undefined) query = query.where('user_id', '=', filter.userId);
  if (filter.connectorId !== undefined) query = query.where('connector_id', '=', filter.connectorId);
  const result = await query.executeTakeFirst();
  return Number(result.numDeletedRows);
}

export function listAppHandlers(db: Executor, appId: number, userId: number | undefined): Promise<HandlerRow[]> {
  let query = db.selectFrom('event_handlers').select(HANDLER_COLUMNS).where('app_id', '=', appId);
  if (userId !== undefined) query = query.where('user_id', '=', userId);
  return query.orderBy('id').execute();
}

/**
 * The handlers of one event, of active apps and of outgoing webhooks, in binding order. Run
 * inside every CRM write: compiled once (src/db/hotStatement.ts).
 */
const handlersOfEvent = new HotStatement<HandlerRow>((db, $) =>
  db
    .selectFrom('event_handlers')
    .select(HANDLER_COLUMNS.map((c) => `event_handlers.${c}` as const))
    .where('event_handlers.event_name', '=', $(0))
    .where((eb) =>
      eb.or([
        eb('event_handlers.app_id', '=', 0),
        eb.exists(eb.selectFrom('oauth_apps').select('oauth_apps.id').whereRef('oauth_apps.id', '=', 'event_handlers.app_id').where('oauth_apps.active', '=', 1)),
      ]),
    )
    .orderBy('event_handlers.id'),
);

export function handlersOf(db: Executor, eventName: string): Promise<HandlerRow[]> {
  return handlersOfEvent.rows(db, [eventName]);
}

export function findHandler(db: Executor, id: number): Promise<HandlerRow | undefined> {
  return db.selectFrom('event_handlers').select(HANDLER_COLUMNS).where('id', '=', id).executeTakeFirst();
}

/** Uninstall: the app's handlers and its offline queue go (EventTable::deleteByApp). */
export async function deleteAppHandlers(db: Executor, appId: number): Promise<void> {
  await db.deleteFrom('event_handlers').where('app_id', '=', appId).execute();
  await db.deleteFrom('event_offline').where('app_id', '=', appId).execute();
}

/** Outgoing webhooks: the handlers that share one application token. */
export function listWebhookHandlers(db: Executor): Promise<HandlerRow[]> {
  return db.selectFrom('event_handlers').select(HANDLER_COLUMNS).where('app_id', '=', 0).orderBy('id').execute();
}

export async function deleteWebhookHandlers(db: Executor, applicationToken: string): Promise<number> {
  const result = await db.deleteFrom('event_handlers').where('app_id', '=', 0).where('application_token', '=', applicationToken).executeTakeFirst();
  return Number(result.numDeletedRows);
}

// ---- outbox

export interface NewDelivery {
  readonly handlerId: number;
  readonly eventName: string;
  readonly dataJson: string;
  readonly userId: number;
  readonly ts: number;
  readonly detachedJson?: string;
}

export async function insertDeliveries(db: Executor, rows: readonly NewDelivery[]): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insertInto('event_outbox')
    .values(rows.map((r) => ({ handler_id: r.handlerId, event_name: r.eventName, data_json: r.dataJson, user_id: r.userId, ts: r.ts, detached_json: r.detachedJson ?? null })))
    .execute();
}

export interface DeliveryRow {
  readonly id: number;
  readonly handler_id: number;
  readonly event_name: string;
  readonly data_json: string;
  readonly user_id: number;
  readonly ts: number;
  readonly attempts: number;
  readonly next_at: number;
  readonly detached_json: string | null;
}

/** The oldest deliveries, in order. */
export function pendingDeliveries(db: Executor, limit: number): Promise<DeliveryRow[]> {
  return db
    .selectFrom('event_outbox')
    .select(['id', 'handler_id', 'event_name', 'data_json', 'user_id', 'ts', 'attempts', 'next_at', 'detached_json'])
    .orderBy('id')
    .limit(limit)
    .execute();
}

export async function deleteDelivery(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('event_outbox').where('id', '=', id).execute();
}

export async function rescheduleDelivery(db: Executor, id: number, attempts: number, nextAt: number): Promise<void> {
  await db.updateTable('event_outbox').set({ attempts, next_at: nextAt }).where('id', '=', id).execute();
}

/** An undelivered delivery of this event to this handler exists (ONOFFLINEEVENT is sent once until delivered). */
export async function hasPendingDelivery(db: Executor, handlerId: number, eventName: string): Promise<boolean> {
  const row = await db
    .selectFrom('event_outbox')
    .select('id')
    .where('handler_id', '=', handlerId)
    .where('event_name', '=', eventName)
    .executeTakeFirst();
  return row !== undefined;
}

// ---- offline queue

export interface OfflineEntry {
  readonly appId: number;
  readonly connectorId: string;
  readonly eventName: string;
  readonly messageId: string;
  readonly dataJson: string;
  readonly additionalJson: string;
  readonly nowMs: number;
}

/** Enqueues, or refreshes an unreserved identical event (§2.6 MERGE). */
export async function enqueueOffline(db: Executor, entry: OfflineEntry): Promise<void> {
  const refreshed = await db
    .updateTable('event_offline')
    .set({ timestamp_x: entry.nowMs, event_data: entry.dataJson, event_additional: entry.additionalJson })
    .where('message_id', '=', entry.messageId)
    .where('app_id', '=', entry.appId)
    .where('connector_id', '=', entry.connectorId)
    .where('process_id', '=', '')
    .executeTakeFirst();
  if (Number(refreshed.numUpdatedRows) > 0) return;
  await db
    .insertInto('event_offline')
    .values({
      timestamp_x: entry.nowMs,
      message_id: entry.messageId,
      app_id: entry.appId,
      event_name: entry.eventName,
      event_data: entry.dataJson,
      event_additional: entry.additionalJson,
      connector_id: entry.connectorId,
    })
    .execute();
}

export interface OfflineRow {
  readonly id: number;
  readonly timestamp_x: number;
  readonly message_id: string;
  readonly event_name: string;
  readonly event_data: string;
  readonly event_additional: string;
  readonly process_id: string;
  readonly error: number;
}

export type OfflineColumn = 'id' | 'timestamp_x' | 'event_name' | 'message_id' | 'process_id' | 'error';
export type OfflineOperator = '=' | '!=' | '<' | '<=' | '>' | '>=';

export interface OfflineCondition {
  readonly column: OfflineColumn;
  readonly operator: OfflineOperator;
  readonly value: string | number;
}

export interface OfflineOrder {
  readonly column: OfflineColumn;
  readonly direction: 'asc' | 'desc';
}

const OFFLINE_COLUMNS = ['id', 'timestamp_x', 'message_id', 'event_name', 'event_data', 'event_additional', 'process_id', 'error'] as const;

function queueOf(db: Executor, appId: number, connectorId: string) {
  return db.selectFrom('event_offline').where('app_id', '=', appId).where('connector_id', '=', connectorId);
}

/** event.offline.get without process_id: reserves up to `limit` unreserved records. */
export async function reserveOffline(
  db: Executor,
  appId: number,
  connectorId: string,
  error: number,
  conditions: readonly OfflineCondition[],
  order: readonly OfflineOrder[],
  limit: number,
  processId: string,
): Promise<void> {
  let pick = queueOf(db, appId, connectorId).select('id').where('process_id', '=', '').where('error', '=', error);
  for (const c of conditions) pick = pick.where(c.column, c.operator, c.value);
  for (const o of order) pick = pick.orderBy(o.column, o.direction);
  const ids = (await pick.orderBy('id').limit(limit).execute()).map((row) => row.id);
  if (ids.length === 0) return;
  await db.updateTable('event_offline').set({ process_id: processId }).where('id', 'in', ids).where('process_id', '=', '').execute();
}

export function offlineBatch(db: Executor, appId: number, connectorId: string, processId: string, order: readonly OfflineOrder[]): Promise<OfflineRow[]> {
  let query = queueOf(db, appId, connectorId).select(OFFLINE_COLUMNS).where('process_id', '=', processId);
  for (const o of order) query = query.orderBy(o.column, o.direction);
  return query.orderBy('id').execute();
}

export async function deleteOfflineRows(db: Executor, ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  await db.deleteFrom('event_offline').where('id', 'in', ids).execute();
}

/** event.offline.clear: the batch, or the listed IDs or message IDs of it. */
export async function clearOffline(
  db: Executor,
  appId: number,
  connectorId: string,
  processId: string,
  only: { ids?: readonly number[]; messageIds?: readonly string[] },
): Promise<void> {
  let query = db.deleteFrom('event_offline').where('app_id', '=', appId).where('connector_id', '=', connectorId).where('process_id', '=', processId);
  if (only.messageIds) query = query.where('message_id', 'in', only.messageIds.length ? [...only.messageIds] : ['']);
  else if (only.ids) query = query.where('id', 'in', only.ids.length ? [...only.ids] : [0]);
  await query.execute();
}

/** event.offline.error: marks and releases those of the batch; drops their copies outside it. */
export async function markOfflineErrors(db: Executor, appId: number, connectorId: string, processId: string, messageIds: readonly string[]): Promise<void> {
  if (messageIds.length === 0) return;
  await db
    .deleteFrom('event_offline')
    .where('app_id', '=', appId)
    .where('connector_id', '=', connectorId)
    .where('process_id', '!=', processId)
    .where('message_id', 'in', [...messageIds])
    .execute();
  await db
    .updateTable('event_offline')
    .set({ error: 1, process_id: '' })
    .where('app_id', '=', appId)
    .where('connector_id', '=', connectorId)
    .where('process_id', '=', processId)
    .where('message_id', 'in', [...messageIds])
    .execute();
}

export async function listOffline(
  db: Executor,
  appId: number,
  connectorId: string,
  conditions: readonly OfflineCondition[],
  order: readonly OfflineOrder[],
  offset: number,
  limit: number,
): Promise<{ rows: OfflineRow[]; total: number }> {
  let base = queueOf(db, appId, connectorId);
  for (const c of conditions) base = base.where(c.column, c.operator, c.value);
  let page = base.select(OFFLINE_COLUMNS);
  for (const o of order) page = page.orderBy(o.column, o.direction);
  const rows = await page.orderBy('id').offset(offset).limit(limit).execute();
  const counted = await base.select(sql<number>`count(*)`.as('n')).executeTakeFirstOrThrow();
  return { rows, total: Number(counted.n) };
}

// ---- what a delivery needs to know of the app (the OAuth module's table, read only)

export interface AppForDelivery {
  readonly id: number;
  readonly scopes: string;
  readonly secretHash: string;
  readonly active: boolean;
}

export async function appForDelivery(db: Executor, appId: number): Promise<AppForDelivery | undefined> {
  const row = await db.selectFrom('oauth_apps').select(['id', 'scopes', 'client_secret_hash', 'active']).where('id', '=', appId).executeTakeFirst();
  return row && { id: row.id, scopes: row.scopes, secretHash: row.client_secret_hash, active: row.active === 1 };
}
