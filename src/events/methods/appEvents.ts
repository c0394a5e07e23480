// events and event.test: the event catalogue an application sees, and the test event it raises for itself.
import { phpEmpty, phpString, phpTruthy } from '../../php/values.js';
import { EVENT_CATALOGUE, eventVisible } from '../catalogue.js';
import { eventMethod, param } from './params.js';

export const eventsList = eventMethod('events', 'application', ({ params, caller }) => {
  const scope = param(params, 'scope');
  const full = param(params, 'full');
  if (!phpEmpty(scope)) {
    const code = phpString(scope).toLowerCase();
    // The global scope's events have no scope code; `SCOPE` names one of the others.
    return EVENT_CATALOGUE.filter((e) => e.scope === code).map((e) => e.name);
  }
  if (phpTruthy(full)) return EVENT_CATALOGUE.map((e) => e.name);
  return EVENT_CATALOGUE.filter((e) => eventVisible(e, caller.scopes)).map((e) => e.name);
});

export const eventTest = eventMethod('event.test', 'application', async ({ params, caller, ports }) => {
  await ports.events.raiseAppTest(caller, { ...params });
  return 1;
});
