// Every Sales Intelligence REST method, each family with its answers to tracking's errors.
import type { MethodDeclaration } from '../../rest/method.js';
import type { TrackingPorts } from './ports.js';
import { translatingMethods } from '../../rest/translation.js';
import { CRM_TRACKING_ERRORS, SALESTRACE_ERRORS } from './errors.js';
import { sourceAddMethod, sourceDeleteMethod, sourceListMethod, sourceUpdateMethod } from './sourceMethods.js';
import { traceAddMethod } from './traceAdd.js';
import { traceDeleteMethod } from './traceDelete.js';
import { traceGetMethod, traceListMethod } from './traceRead.js';

export const trackingMethods: MethodDeclaration<TrackingPorts>[] = [
  ...translatingMethods<TrackingPorts>(CRM_TRACKING_ERRORS, [traceAddMethod, traceDeleteMethod]),
  ...translatingMethods<TrackingPorts>(SALESTRACE_ERRORS, [
    traceGetMethod,
    traceListMethod,
    sourceListMethod,
    sourceAddMethod,
    sourceUpdateMethod,
    sourceDeleteMethod,
  ]),
];
