// Every Sales Intelligence REST method.
import type { MethodDeclaration } from '../../rest/method.js';
import type { TrackingPorts } from './ports.js';
import { sourceAddMethod, sourceDeleteMethod, sourceListMethod, sourceUpdateMethod } from './sourceMethods.js';
import { traceAddMethod } from './traceAdd.js';
import { traceDeleteMethod } from './traceDelete.js';
import { traceGetMethod, traceListMethod } from './traceRead.js';

export const trackingMethods: MethodDeclaration<TrackingPorts>[] = [
  traceAddMethod,
  traceDeleteMethod,
  traceGetMethod,
  traceListMethod,
  sourceListMethod,
  sourceAddMethod,
  sourceUpdateMethod,
  sourceDeleteMethod,
];
