// Every telephony REST method, with the family's answers to telephony's errors.
import type { MethodDeclaration } from '../../rest/method.js';
import { translatingMethods } from '../../rest/translation.js';
import { activityDeleteMethod, activityFieldsMethod, activityGetMethod, activityListMethod } from './activities.js';
import { finishMethod, hideMethod, registerMethod, searchCrmEntitiesMethod, showMethod } from './calls.js';
import { TELEPHONY_ERRORS } from './errors.js';
import { lineAddMethod, lineDeleteMethod, lineGetMethod, lineUpdateMethod } from './lines.js';
import type { TelephonyPorts } from './ports.js';

export const telephonyMethods: MethodDeclaration<TelephonyPorts>[] = translatingMethods<TelephonyPorts>(TELEPHONY_ERRORS, [
  lineAddMethod,
  lineGetMethod,
  lineUpdateMethod,
  lineDeleteMethod,
  registerMethod,
  finishMethod,
  showMethod,
  hideMethod,
  searchCrmEntitiesMethod,
  activityGetMethod,
  activityListMethod,
  activityFieldsMethod,
  activityDeleteMethod,
]);
