// The event.* methods (events.md §2): handlers, the catalogue and test event, the offline queue.
import type { MethodDeclaration } from '../../rest/method.js';
import { translatingMethods } from '../../rest/translation.js';
import { eventTest, eventsList } from './appEvents.js';
import { eventBind, eventGet, eventUnbind } from './bindings.js';
import { EVENT_ERRORS } from './errors.js';
import { offlineClear, offlineError, offlineGet, offlineList } from './offline.js';
import type { EventPorts } from './ports.js';

export type { EventPorts } from './ports.js';

export const eventMethods: MethodDeclaration<EventPorts>[] = translatingMethods(EVENT_ERRORS, [
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
