// event.offline.get, .clear, .error and .list: an administrator's application reads and settles
// the queue of events bound without a handler (events.md §2.6).
import { phpIntval, phpTruthy } from '../../php/values.js';
import { argumentError } from '../../rest/errors.js';
import { ListResult } from '../../rest/method.js';
import { pageRequest } from '../../rest/paging.js';
import { eventMethod, param } from './params.js';
import { GET_FIELDS, LIST_FIELDS, conditions, messageIds, offlineItem, order, positiveIntegers, processIdParam } from './offlineParams.js';

export const offlineGet = eventMethod('event.offline.get', 'administrator', async ({ params, caller, ports }) => {
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
});

export const offlineClear = eventMethod('event.offline.clear', 'administrator', async ({ params, caller, ports }) => {
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
});

export const offlineError = eventMethod('event.offline.error', 'administrator', async ({ params, caller, ports }) => {
  const processId = processIdParam(params);
  if (processId === undefined || processId === '') throw argumentError('EVENT_ARGUMENT_EMPTY', 'PROCESS_ID', { name: 'PROCESS_ID' });
  const messageParam = param(params, 'message_id');
  const list = messageIds(messageParam);
  if (!list) throw argumentError('EVENT_MESSAGE_IDS_INVALID', 'MESSAGE_ID');
  await ports.events.offlineError(caller.credentialId, caller.authConnector ?? '', processId, list);
  return true;
});

export const offlineList = eventMethod('event.offline.list', 'administrator', async ({ params, caller, ports, start }) => {
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
});
