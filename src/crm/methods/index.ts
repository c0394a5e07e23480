// Every CRM REST method: the five legacy families and crm.item.*.
import type { MethodDeclaration } from '../../rest/method.js';
import { CRM_TYPES } from '../model/types.js';
import { itemMethods } from './item.js';
import { typedMethods } from './legacy.js';
import type { CrmPorts } from './ports.js';

export function crmMethods(): MethodDeclaration<CrmPorts>[] {
  return [...CRM_TYPES.flatMap((type) => typedMethods(type)), ...itemMethods];
}
