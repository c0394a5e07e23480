// Parameter rules shared by the event.* methods: core lower-cases the keys
// (array_change_key_case), refuses webhooks, and checks handler URLs (events.md §2.1).
import type { Caller } from '../../auth/caller.js';
import { paramCaseInsensitive, phpEmpty, phpString } from '../../php/values.js';
import { argumentError, restError } from '../../rest/errors.js';
import { defineMethod, type MethodContext, type MethodDeclaration } from '../../rest/method.js';
import { handlerUrlProblem } from '../handlerUrl.js';
import type { EventPorts } from './ports.js';

export function param(params: Record<string, unknown>, name: string): unknown {
  return paramCaseInsensitive(params, name);
}

/** Every event.* method: application (OAuth) authorization only. */
export function requireApplication(caller: Caller): void {
  if (caller.authType !== 'oauth') throw restError('WRONG_AUTH_TYPE');
}

/**
 * An event.* method: no scope, called by an application only, and for `administrator` (the
 * offline queue) by an administrator of it.
 */
export function eventMethod(
  name: string,
  who: 'application' | 'administrator',
  handler: (context: MethodContext<EventPorts>) => unknown,
): MethodDeclaration<EventPorts> {
  return defineMethod<EventPorts>({
    name,
    scope: null,
    handler: (context) => {
      requireApplication(context.caller);
      if (who === 'administrator' && !context.caller.isAdmin) throw restError('ACCESS_DENIED');
      return handler(context);
    },
  });
}

export function requiredText(params: Record<string, unknown>, name: string): string {
  const value = param(params, name);
  if (phpEmpty(value) || typeof value === 'object') throw argumentError('EVENT_ARGUMENT_EMPTY', name.toUpperCase(), { name: name.toUpperCase() });
  return phpString(value);
}

/** `event_type`: online (default) or offline, lower-cased. */
export function eventType(params: Record<string, unknown>): 'online' | 'offline' {
  const value = param(params, 'event_type');
  if (value === undefined || value === null || value === '') return 'online';
  const text = typeof value === 'object' ? '' : phpString(value).toLowerCase();
  if (text !== 'online' && text !== 'offline') throw argumentError('EVENT_TYPE_INVALID', 'EVENT_TYPE');
  return text;
}

/** The handler URL rules of handlerUrl.ts, as event.bind answers them. */
export function checkHandlerUrl(text: string): string {
  const problem = handlerUrlProblem(text);
  if (problem === 'wrongUrl') throw restError('ERROR_WRONG_HANDLER_URL');
  if (problem === 'unsupportedProtocol') throw restError('ERROR_UNSUPPORTED_PROTOCOL');
  return text;
}
