// event.bind, event.unbind and event.get: an application's handlers (events.md §2.1–§2.3).
import { isPhpMap, phpIntval } from '../../php/values.js';
import { argumentError, restError } from '../../rest/errors.js';
import { eventSpec, eventVisible } from '../catalogue.js';
import { checkHandlerUrl, eventMethod, eventType, param, requiredText } from './params.js';

export const eventBind = eventMethod('event.bind', 'application', async ({ params, caller, ports }) => {
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
});

export const eventUnbind = eventMethod('event.unbind', 'application', async ({ params, caller, ports }) => {
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
});

export const eventGet = eventMethod('event.get', 'application', async ({ caller, ports }) => {
  const handlers = await ports.events.handlersOfApp(caller.credentialId, caller.isAdmin ? undefined : caller.userId);
  return handlers.map((h) =>
    h.handler === ''
      ? { event: h.eventName, connector_id: h.connectorId, offline: 1 }
      : { event: h.eventName, handler: h.handler, auth_type: String(h.userId), offline: 0 },
  );
});
