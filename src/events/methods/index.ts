// event.bind, event.unbind, event.get, events, event.test and event.offline.* (events.md §2).
import type { Caller } from '../../auth/caller.js';
import { isPhpMap, phpEmpty, phpIntval, phpString, phpTruthy, phpValues, isPhpArray } from '../../php/values.js';
import { argumentError, restError } from '../../rest/errors.js';
import { defineMethod, ListResult, type MethodDeclaration } from '../../rest/method.js';
import { pageRequest } from '../../rest/paging.js';
import { translatingMethods } from '../../rest/translation.js';
import { EVENT_CATALOGUE, eventSpec, eventVisible } from '../catalogue.js';
import type { EventsPort, OfflineColumn, OfflineCondition, OfflineOperator, OfflineOrder, OfflineRow } from '../contract.js';
import { EVENT_ERRORS } from './errors.js';
import { checkHandlerUrl, eventType, param, requireApplication, requiredText } from './params.js';

export interface EventPorts {
  readonly events: EventsPort;
}

type Ports = Pick<EventPorts, 'events'>;

const eventBind = defineMethod<Ports>({
  name: 'event.bind',
  scope: null,
  handler: async ({ params, caller, ports }) => {
    requireApplication(caller);
    const authType = param(params, 'auth_type');
    let userId = phpIntval(authType);
    if (userId > 0 && !caller.isAdmin && userId !== caller.userId) throw restError('EVENT_BIND_AUTH_TYPE_DENIED');
    if (!caller.isAdmin && userId <= 0) userId = caller.userId;
    if (userId < 0) userId = 0;
    const eventName = requiredText(params, 'event').toUpperCase();
    const type = eventType(params);
    let handler = '';
    if (type === 'offline') {
      if (!caller.isAdmin) throw restError('EVENT_BIND_OFFLINE_DENIED');
      userId = 0;
    } else {
      handler = checkHandlerUrl(requiredText(params, 'handler'));
    }
    const spec = eventSpec(eventName);
    if (!spec || !eventVisible(spec, caller.scopes)) throw restError('ERROR_EVENT_NOT_FOUND');
    if (type === 'offline' && spec.disableOffline) throw argumentError('EVENT_OFFLINE_NOT_ALLOWED', 'EVENT_TYPE');
    // Only the options the event declares are kept: ONOFFLINEEVENT's minTimeout (§2.7).
    const given = param(params, 'options');
    const options: Record<string, unknown> = {};
    if (eventName === 'ONOFFLINEEVENT' && isPhpMap(given) && given.minTimeout !== undefined) options.minTimeout = phpIntval(given.minTimeout);
    await ports.events.bind({
      appId: caller.credentialId,
      eventName,
      handler,
      userId,
      connectorId: type === 'offline' ? (caller.authConnector ?? '') : '',
      options,
    });
    return true;
  },
});

const eventUnbind = defineMethod<Ports>({
  name: 'event.unbind',
  scope: null,
  handler: async ({ params, caller, ports }) => {
    requireApplication(caller);
    const eventName = requiredText(params, 'event').toUpperCase();
    const type = eventType(params);
    if (type === 'offline') {
      if (!caller.isAdmin) throw restError('EVENT_UNBIND_OFFLINE_DENIED');
      const count = await ports.events.unbind({ appId: caller.credentialId, eventName, handler: '', connectorId: caller.authConnector ?? '' });
      return { count };
    }
    const handler = requiredText(params, 'handler');
    const authType = param(params, 'auth_type');
    let userId: number | undefined;
    if (authType !== undefined) {
      // Core compares a string to an integer here, refusing a non-admin's own ID sent in a form (COMPATIBILITY.md).
      userId = phpIntval(authType);
      if (!caller.isAdmin && userId !== caller.userId) throw restError('EVENT_UNBIND_AUTH_TYPE_DENIED');
    } else if (!caller.isAdmin) {
      userId = caller.userId;
    }
    const count = await ports.events.unbind({ appId: caller.credentialId, eventName, handler, userId });
    return { count };
  },
});

const eventGet = defineMethod<Ports>({
  name: 'event.get',
  scope: null,
  handler: async ({ caller, ports }) => {
    requireApplication(caller);
    const handlers = await ports.events.handlersOfApp(caller.credentialId, caller.isAdmin ? undefined : caller.userId);
    return handlers.map((h) =>
      h.handler === ''
        ? { event: h.eventName, connector_id: h.connectorId, offline: 1 }
        : { event: h.eventName, handler: h.handler, auth_type: String(h.userId), offline: 0 },
    );
  },
});

const eventsList = defineMethod<Ports>({
  name: 'events',
  scope: null,
  handler: ({ params, caller }) => {
    requireApplication(caller);
    const scope = param(params, 'scope');
    const full = param(params, 'full');
    if (!phpEmpty(scope)) {
      const code = phpString(scope).toLowerCase();
      // The global scope's events have no scope code; `SCOPE` names one of the others.
      return EVENT_CATALOGUE.filter((e) => e.scope === code).map((e) => e.name);
    }
    if (phpTruthy(full)) return EVENT_CATALOGUE.map((e) => e.name);
    return EVENT_CATALOGUE.filter((e) => eventVisible(e, caller.scopes)).map((e) => e.name);
  },
});

const eventTest = defineMethod<Ports>({
  name: 'event.test',
  scope: null,
  handler: async ({ params, caller, ports }) => {
    requireApplication(caller);
    await ports.events.raiseAppTest(caller, { ...params });
    return 1;
  },
});

// ---- the offline queue

function requireAdministrator(caller: Caller): void {
  requireApplication(caller);
  if (!caller.isAdmin) throw restError('ACCESS_DENIED');
}

const FIELDS: Record<string, OfflineColumn> = {
  ID: 'id',
  TIMESTAMP_X: 'timestamp_x',
  EVENT_NAME: 'event_name',
  MESSAGE_ID: 'message_id',
  PROCESS_ID: 'process_id',
  ERROR: 'error',
};
const GET_FIELDS = ['ID', 'TIMESTAMP_X', 'EVENT_NAME', 'MESSAGE_ID'];
const LIST_FIELDS = Object.keys(FIELDS);
const OPERATORS: [string, OfflineOperator][] = [['>=', '>='], ['<=', '<='], ['!=', '!='], ['=', '='], ['>', '>'], ['<', '<'], ['!', '!=']];

function filterValue(column: OfflineColumn, value: unknown): string | number {
  if (column === 'timestamp_x') {
    const ms = typeof value === 'number' ? value * 1000 : Date.parse(phpString(value));
    return Number.isFinite(ms) ? ms : 0;
  }
  if (column === 'id' || column === 'error') return phpIntval(value);
  return phpString(value);
}

/** `filter` over the allowed fields with `=`, `>`, `<`, `>=`, `<=`, `!` prefixes; unknown keys are ignored. */
function conditions(params: Record<string, unknown>, allowed: readonly string[]): OfflineCondition[] {
  const filter = param(params, 'filter');
  if (!isPhpMap(filter)) return [];
  const result: OfflineCondition[] = [];
  for (const [rawKey, value] of Object.entries(filter)) {
    let key = rawKey.toUpperCase();
    let operator: OfflineOperator = '=';
    for (const [prefix, op] of OPERATORS) {
      if (key.startsWith(prefix)) {
        operator = op;
        key = key.slice(prefix.length);
        break;
      }
    }
    if (!allowed.includes(key) || typeof value === 'object') continue;
    result.push({ column: FIELDS[key]!, operator, value: filterValue(FIELDS[key]!, value) });
  }
  return result;
}

function order(params: Record<string, unknown>, allowed: readonly string[], fallback: OfflineOrder): OfflineOrder[] {
  const given = param(params, 'order');
  if (!isPhpMap(given)) return [fallback];
  const result: OfflineOrder[] = [];
  for (const [rawKey, value] of Object.entries(given)) {
    const key = rawKey.toUpperCase();
    if (!allowed.includes(key)) continue;
    result.push({ column: FIELDS[key]!, direction: phpString(value).toUpperCase() === 'DESC' ? 'desc' : 'asc' });
  }
  return result.length > 0 ? result : [fallback];
}

/** Bitrix prints dates as ISO 8601 with the offset; Salestrace's offset is UTC's. */
function isoDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', '+00:00');
}

function offlineItem(row: OfflineRow, withState: boolean): Record<string, unknown> {
  const item: Record<string, unknown> = {
    ID: String(row.id),
    TIMESTAMP_X: isoDate(Number(row.timestamp_x)),
    EVENT_NAME: row.event_name,
    EVENT_DATA: JSON.parse(row.event_data),
    EVENT_ADDITIONAL: JSON.parse(row.event_additional),
    MESSAGE_ID: row.message_id,
  };
  if (withState) {
    item.PROCESS_ID = row.process_id;
    item.ERROR = String(row.error);
  }
  return item;
}

function processIdParam(params: Record<string, unknown>): string | undefined {
  const value = param(params, 'process_id');
  return value === undefined || value === null || typeof value === 'object' ? undefined : phpString(value);
}

const offlineGet = defineMethod<Ports>({
  name: 'event.offline.get',
  scope: null,
  handler: async ({ params, caller, ports }) => {
    requireAdministrator(caller);
    const limitParam = param(params, 'limit');
    const limit = limitParam === undefined ? 50 : phpIntval(limitParam);
    if (limit <= 0) throw argumentError('EVENT_LIMIT_NOT_POSITIVE', 'LIMIT');
    const clearParam = param(params, 'clear');
    const clear = clearParam === undefined ? true : phpTruthy(clearParam) && phpIntval(clearParam) !== 0;
    let processId = processIdParam(params);
    // An empty process_id would name the unreserved queue itself: it reserves a new batch instead (COMPATIBILITY.md).
    if (processId === '') processId = undefined;
    const given = processId !== undefined;
    const result = await ports.events.offlineGet({
      appId: caller.credentialId,
      connectorId: caller.authConnector ?? '',
      conditions: conditions(params, GET_FIELDS),
      order: order(params, GET_FIELDS, { column: 'timestamp_x', direction: 'asc' }),
      limit,
      clear,
      processId,
      error: phpIntval(param(params, 'error')) === 1,
    });
    return {
      process_id: !clear || given ? result.processId : null,
      events: result.rows.map((row) => offlineItem(row, false)),
    };
  },
});

function positiveIntegers(value: unknown): number[] | undefined {
  if (!isPhpArray(value)) return undefined;
  const ids = phpValues(value).map((v) => (typeof v === 'number' || typeof v === 'string' ? phpIntval(v) : 0));
  return ids.every((id) => id > 0) ? ids : undefined;
}

function messageIds(value: unknown): string[] | undefined {
  if (!isPhpArray(value)) return undefined;
  const ids = phpValues(value).map((v) => (typeof v === 'string' ? v : ''));
  return ids.every((id) => id.length === 32) ? ids : undefined;
}

const offlineClear = defineMethod<Ports>({
  name: 'event.offline.clear',
  scope: null,
  handler: async ({ params, caller, ports }) => {
    requireAdministrator(caller);
    const processId = processIdParam(params);
    // Core refuses only a missing process_id; an empty one would clear the unreserved queue (COMPATIBILITY.md).
    if (processId === undefined || processId === '') throw argumentError('EVENT_ARGUMENT_EMPTY', 'PROCESS_ID', { name: 'PROCESS_ID' });
    const messageParam = param(params, 'message_id');
    const idParam = param(params, 'id');
    let only: { ids?: number[]; messageIds?: string[] } = {};
    // Core reads message_id first, and then ignores id.
    if (messageParam !== undefined) {
      const list = messageIds(messageParam);
      if (!list) throw argumentError('EVENT_MESSAGE_IDS_INVALID', 'MESSAGE_ID');
      only = { messageIds: list };
    } else if (idParam !== undefined) {
      const list = positiveIntegers(idParam);
      if (!list) throw argumentError('EVENT_IDS_INVALID', 'ID');
      only = { ids: list };
    }
    await ports.events.offlineClear(caller.credentialId, caller.authConnector ?? '', processId, only);
    return true;
  },
});

const offlineError = defineMethod<Ports>({
  name: 'event.offline.error',
  scope: null,
  handler: async ({ params, caller, ports }) => {
    requireAdministrator(caller);
    const processId = processIdParam(params);
    if (processId === undefined || processId === '') throw argumentError('EVENT_ARGUMENT_EMPTY', 'PROCESS_ID', { name: 'PROCESS_ID' });
    const messageParam = param(params, 'message_id');
    const list = messageIds(messageParam);
    if (!list) throw argumentError('EVENT_MESSAGE_IDS_INVALID', 'MESSAGE_ID');
    await ports.events.offlineError(caller.credentialId, caller.authConnector ?? '', processId, list);
    return true;
  },
});

const offlineList = defineMethod<Ports>({
  name: 'event.offline.list',
  scope: null,
  handler: async ({ params, caller, ports, start }) => {
    requireAdministrator(caller);
    const page = pageRequest(start);
    const { rows, total } = await ports.events.offlineList(
      caller.credentialId,
      caller.authConnector ?? '',
      conditions(params, LIST_FIELDS),
      order(params, LIST_FIELDS, { column: 'id', direction: 'asc' }),
      page.offset,
      page.limit,
    );
    const next = page.offset + rows.length < total ? page.offset + rows.length : undefined;
    return new ListResult(rows.map((row) => offlineItem(row, true)), next, total);
  },
});

export const eventMethods: MethodDeclaration<Ports>[] = translatingMethods(EVENT_ERRORS, [
  eventBind,
  eventUnbind,
  eventGet,
  eventsList,
  eventTest,
  offlineGet,
  offlineClear,
  offlineError,
  offlineList,
]);
