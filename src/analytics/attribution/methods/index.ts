// Every attribution REST method.
import type { MethodDeclaration } from '../../../rest/method.js';
import type { AttributionPorts } from '../contract.js';
import type { ClockPorts } from './ports.js';
import { attributionReportMethod, journeyMethod } from './reportMethods.js';
import { windowGetMethod, windowSetMethod } from './windowMethods.js';

export const attributionMethods: MethodDeclaration<AttributionPorts & ClockPorts>[] = [attributionReportMethod, journeyMethod, windowGetMethod, windowSetMethod];
