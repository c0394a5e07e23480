// Every REST method the server knows, from each module's list. Adding a method touches its
// own file and one of these lists.
import { crmMethods } from './crm/methods/index.js';
import type { Ports } from './ports.js';
import { batchMethod } from './rest/batch.js';
import type { MethodDeclaration } from './rest/method.js';
import { systemMethods } from './system/methods.js';
import { testMethods } from './system/testMethods.js';
import { trackingMethods } from './tracking/methods/index.js';

/** Typed with every port, so a method that asks for one the server does not fill does not compile. */
export function allMethods(): MethodDeclaration<Ports>[] {
  return [batchMethod, ...systemMethods, ...crmMethods(), ...trackingMethods, ...testMethods];
}
