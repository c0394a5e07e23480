// Every REST method the server knows, from each module's list. Adding a method touches its
// own file and one of these lists.
import { crmMethods } from './crm/methods/index.js';
import { batchMethod } from './rest/batch.js';
import type { MethodDeclaration } from './rest/method.js';
import { systemMethods } from './system/methods.js';
import { testMethods } from './system/testMethods.js';
import { trackingMethods } from './tracking/methods/index.js';

export function allMethods(): MethodDeclaration[] {
  return [batchMethod, ...systemMethods, ...crmMethods(), ...trackingMethods, ...testMethods];
}
