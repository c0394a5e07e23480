// Every REST method the server knows, from each module's list. Adding a method touches its
// own file and one of these lists.
import { pathToFileURL } from 'node:url';
import { crmMethods } from './crm/methods/index.js';
import { batchMethod } from './rest/batch.js';
import type { MethodDeclaration } from './rest/method.js';
import { systemMethods } from './system/methods.js';
import { trackingMethods } from './tracking/methods/index.js';

export function allMethods(): MethodDeclaration[] {
  return [batchMethod, ...systemMethods, ...crmMethods(), ...trackingMethods];
}

/** The test suite's methods (config.testMethods): the `testMethods` list of the module at that path. */
export async function testMethodsFrom(modulePath: string): Promise<MethodDeclaration[]> {
  const loaded = (await import(pathToFileURL(modulePath).href)) as { testMethods?: unknown };
  if (!Array.isArray(loaded.testMethods)) throw new Error(`${modulePath} exports no testMethods list`);
  return loaded.testMethods as MethodDeclaration[];
}
