// The events module's rules: binding and unbinding handlers, the offline queue, and raising an
// event inside the transaction of the change that caused it, as one outbox row per online
// handler and one queue record per offline handler (events.md §2, §4).
import { createHash, randomBytes } from 'node:crypto';
import type { Caller } from '../auth/caller.js';
import type { Clock } from '../clock.js';
import type { ItemAddedHook, ItemDeletedHook, ItemUpdatedHook } from '../crm/contract.js';
import type { Db, Executor } from '../db/schema.js';
import { crmEventName } from './catalogue.js';
import { applicationTokenOf, portalMemberId } from './appToken.js';
import type { BindSpec, BoundHandler, EventRaiser, EventsPort, OfflineGetSpec, UnbindSpec } from './contract.js';
import { EventsError } from './errors.js';
import {
  clearOffline,
  deleteAppHandlers,
  deleteHandlers,
  appForDelivery,
  deleteWebhookHandlers,
  listWebhookHandlers,
  deleteOfflineRows,
  enqueueOffline,
  handlersOf,
  hasPendingDelivery,
  insertDeliveries,
  insertHandler,
  listAppHandlers,
  listOffline,
  markOfflineErrors,
  offlineBatch,
  reserveOffline,
  type HandlerRow,
  type NewDelivery,
  type OfflineCondition,
  type OfflineOrder,
} from './store.js';

/** PHP json_encode of the data, for MESSAGE_ID = md5(EVENT_NAME|json(EVENT_DATA)) (§2.6). */
function messageId(eventName: string, data: unknown): string {
  return createHash('md5').update(`${eventName}|${JSON.stringify(data)}`).digest('hex');
}

/** The change came from this handler's own app with the same auth_connector (§2.6 loop suppression). */
export function isOwnChange(handler: Pick<HandlerRow, 'app_id' | 'connector_id'>, caller: Caller | null): boolean {
  return (
    caller !== null &&
    caller.authType === 'oauth' &&
    handler.app_id !== 0 &&
    caller.credentialId === handler.app_id &&
    (caller.authConnector ?? '') === handler.connector_id
  );
}

export class EventService implements EventsPort, EventRaiser {
  /** Called after an event is written, so the sender looks soon (it also polls). */
  private wake: () => void = () => {};

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  onRaised(wake: () => void): void {
    this.wake = wake;
  }

  private nowSeconds(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  async raise(trx: Executor, eventName: string, data: unknown, caller: Caller | null): Promise<void> {
    const handlers = await handlersOf(trx, eventName);
    if (handlers.length === 0) return;
    const ts = this.nowSeconds();
    const deliveries: NewDelivery[] = [];
    const dataJson = JSON.stringify(data);
    const queuedApps = new Set<number>();
    for (const handler of handlers) {
      if (isOwnChange(handler, caller)) continue;
      const userId = handler.user_id > 0 ? handler.user_id : (caller?.userId ?? 0);
      if (handler.handler === '') {
        await enqueueOffline(trx, {
          appId: handler.app_id,
          connectorId: handler.connector_id,
          eventName,
          messageId: messageId(eventName, data),
          dataJson,
          additionalJson: JSON.stringify(userId > 0 ? { user_id: userId } : {}),
          nowMs: Math.floor(this.clock.now()),
        });
        queuedApps.add(handler.app_id);
      } else {
        deliveries.push({ handlerId: handler.id, eventName, dataJson, userId, ts });
      }
    }
    // ONOFFLINEEVENT tells a queued app to come and read; one waits undelivered at a time (§2.7).
    for (const appId of queuedApps) {
      for (const handler of await handlersOf(trx, 'ONOFFLINEEVENT')) {
        if (handler.app_id !== appId || handler.handler === '') continue;
        if (await hasPendingDelivery(trx, handler.id, 'ONOFFLINEEVENT')) continue;
        deliveries.push({ handlerId: handler.id, eventName: 'ONOFFLINEEVENT', dataJson: '[]', userId: handler.user_id, ts });
      }
    }
    await insertDeliveries(trx, deliveries);
    if (deliveries.length > 0) this.wake();
  }

  private raiseCrm(trx: Executor, entityTypeId: number, change: 'ADD' | 'UPDATE' | 'DELETE', id: number, caller: Caller | null): Promise<void> {
    const name = crmEventName(entityTypeId, change);
    if (name === undefined) return Promise.resolve();
    return this.raise(trx, name, { FIELDS: { ID: id } }, caller);
  }

  // The CRM lifecycle hooks (crm/contract.ts): every path that changes an item raises its event.
  readonly onItemAdded: ItemAddedHook = (trx, event) => this.raiseCrm(trx, event.entityTypeId, 'ADD', event.id, event.caller);
  readonly onItemUpdated: ItemUpdatedHook = (trx, entityTypeId, id, caller) => this.raiseCrm(trx, entityTypeId, 'UPDATE', id, caller);
  readonly onItemDeleted: ItemDeletedHook = (trx, entityTypeId, id, caller) => this.raiseCrm(trx, entityTypeId, 'DELETE', id, caller ?? null);

  /** `webhook outgoing add`: one handler row per event, sharing a new application token (§3). */
  async addOutgoingWebhook(handler: string, eventNames: readonly string[]): Promise<string> {
    const token = randomBytes(16).toString('hex');
    await this.db.transaction().execute(async (trx) => {
      for (const eventName of eventNames) {
        await insertHandler(trx, { appId: 0, eventName, handler, userId: 0, connectorId: '', applicationToken: token, options: {} }, this.nowSeconds());
      }
    });
    return token;
  }

  /** Outgoing webhooks, one per application token, with their events in binding order. */
  async listOutgoingWebhooks(): Promise<{ applicationToken: string; handler: string; events: string[]; handlerIds: number[] }[]> {
    const byToken = new Map<string, { applicationToken: string; handler: string; events: string[]; handlerIds: number[] }>();
    for (const row of await listWebhookHandlers(this.db)) {
      const entry = byToken.get(row.application_token) ?? { applicationToken: row.application_token, handler: row.handler, events: [], handlerIds: [] };
      entry.events.push(row.event_name);
      entry.handlerIds.push(row.id);
      byToken.set(row.application_token, entry);
    }
    return [...byToken.values()];
  }

  /** The number of handler rows removed (0: no such webhook). */
  deleteOutgoingWebhook(applicationToken: string): Promise<number> {
    return this.db.transaction().execute((trx) => deleteWebhookHandlers(trx, applicationToken));
  }

  /**
   * `app add --install-handler`: the handler is bound to ONAPPINSTALL and the event raised for
   * the installing user, whose fresh tokens (with a refresh token) it carries (§5.2).
   */
  async appInstalled(appId: number, handler: string, userId: number): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const spec = { appId, eventName: 'ONAPPINSTALL', handler, userId: 0, connectorId: '', applicationToken: '', options: {} };
      const id = (await insertHandler(trx, spec, this.nowSeconds())) ?? (await listAppHandlers(trx, appId, undefined)).find((h) => h.event_name === 'ONAPPINSTALL' && h.handler === handler)!.id;
      const data = { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' };
      await insertDeliveries(trx, [{ handlerId: id, eventName: 'ONAPPINSTALL', dataJson: JSON.stringify(data), userId, ts: this.nowSeconds() }]);
    });
    this.wake();
  }

  /**
   * `app remove`: ONAPPUNINSTALL to the app's handlers, then its handlers and offline queue go.
   * The delivery carries its URL and token itself, as the app is gone when it is sent (§5.2).
   */
  async appUninstalled(appId: number, clean: boolean): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const app = await appForDelivery(trx, appId);
      if (!app) return;
      const applicationToken = applicationTokenOf(await portalMemberId(trx), app.id, app.secretHash);
      const handlers = (await listAppHandlers(trx, appId, undefined)).filter((h) => h.event_name === 'ONAPPUNINSTALL' && h.handler !== '');
      const dataJson = JSON.stringify({ LANGUAGE_ID: 'en', CLEAN: clean ? 1 : 0 });
      await insertDeliveries(
        trx,
        handlers.map((h) => ({
          handlerId: h.id,
          eventName: 'ONAPPUNINSTALL',
          dataJson,
          userId: 0,
          ts: this.nowSeconds(),
          detachedJson: JSON.stringify({ url: h.handler, applicationToken }),
        })),
      );
      await deleteAppHandlers(trx, appId);
    });
    this.wake();
  }

  async bind(spec: BindSpec): Promise<void> {
    const id = await this.db.transaction().execute((trx) =>
      insertHandler(trx, { ...spec, applicationToken: '' }, this.nowSeconds()),
    );
    if (id === undefined) throw new EventsError('handlerAlreadyBound');
  }

  unbind(spec: UnbindSpec): Promise<number> {
    return this.db.transaction().execute((trx) => deleteHandlers(trx, spec));
  }

  async handlersOfApp(appId: number, userId: number | undefined): Promise<BoundHandler[]> {
    const rows = await listAppHandlers(this.db, appId, userId);
    return rows.map((row) => ({ eventName: row.event_name, handler: row.handler, userId: row.user_id, connectorId: row.connector_id }));
  }

  async raiseAppTest(caller: Caller, query: Record<string, unknown>): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const handlers = (await handlersOf(trx, 'ONAPPTEST')).filter((h) => h.app_id === caller.credentialId && h.handler !== '');
      const dataJson = JSON.stringify({ QUERY: query, LANGUAGE_ID: 'en' });
      const ts = this.nowSeconds();
      await insertDeliveries(
        trx,
        handlers.map((h) => ({ handlerId: h.id, eventName: 'ONAPPTEST', dataJson, userId: h.user_id > 0 ? h.user_id : caller.userId, ts })),
      );
    });
    this.wake();
  }

  offlineGet(spec: OfflineGetSpec) {
    return this.db.transaction().execute(async (trx) => {
      let processId = spec.processId;
      if (processId === undefined) {
        processId = randomBytes(16).toString('hex');
        await reserveOffline(trx, spec.appId, spec.connectorId, spec.error ? 1 : 0, spec.conditions, spec.order, spec.limit, processId);
      }
      const rows = await offlineBatch(trx, spec.appId, spec.connectorId, processId, spec.order);
      if (spec.clear && rows.length > 0) await deleteOfflineRows(trx, rows.map((r) => r.id));
      return { processId, rows };
    });
  }

  offlineClear(appId: number, connectorId: string, processId: string, only: { ids?: readonly number[]; messageIds?: readonly string[] }) {
    return this.db.transaction().execute((trx) => clearOffline(trx, appId, connectorId, processId, only));
  }

  offlineError(appId: number, connectorId: string, processId: string, messageIds: readonly string[]) {
    return this.db.transaction().execute((trx) => markOfflineErrors(trx, appId, connectorId, processId, messageIds));
  }

  offlineList(appId: number, connectorId: string, conditions: readonly OfflineCondition[], order: readonly OfflineOrder[], offset: number, limit: number) {
    return listOffline(this.db, appId, connectorId, conditions, order, offset, limit);
  }
}
