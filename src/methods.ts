// Every REST method the server knows, from each module's list. Adding a method touches its
// own file and one of these lists.
import { pathToFileURL } from 'node:url';
import { crmMethods } from './crm/methods/index.js';
import type { Ports } from './ports.js';
import { batchMethod } from './rest/batch.js';
import type { MethodDeclaration } from './rest/method.js';
import { systemMethods } from './system/methods.js';
import { trackingMethods } from './tracking/methods/index.js';
import { eventMethods } from './events/methods/index.js';
import { telephonyMethods } from './telephony/methods/index.js';
import { sitesMethods } from './sites/methods/index.js';
import { trackerMethods } from './tracker/methods/index.js';
import { analyticsMethods } from './analytics/methods/index.js';
import { attributionMethods } from './analytics/attribution/methods/index.js';

/** Typed with every port, so a method that asks for one the server does not fill does not compile. */
export function allMethods(): MethodDeclaration<Ports>[] {
  return [
    batchMethod,
    ...systemMethods,
    ...crmMethods(),
    ...trackingMethods,
    ...eventMethods,
    ...telephonyMethods,
    ...sitesMethods,
    ...trackerMethods,
    ...analyticsMethods,
    ...attributionMethods,
  ];
}

/** The test suite's methods (config.testMethods): the `testMethods` list of the module at that path. */
export async function testMethodsFrom(modulePath: string): Promise<MethodDeclaration<Ports>[]> {
  const loaded = (await import(pathToFileURL(modulePath).href)) as { testMethods?: unknown };
  if (!Array.isArray(loaded.testMethods)) throw new Error(`${modulePath} exports no testMethods list`);
  return loaded.testMethods as MethodDeclaration<Ports>[];
}
