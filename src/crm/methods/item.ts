// crm.item.{fields,add,get,list,update,delete} for the five types (crm/universal/*.md): the
// D7 family. camelCase fields, `{item: …}` / `{items: […]}` answers, D7 error codes.
import { restError } from '../../rest/errors.js';
import { defineMethod, type MethodContext, type MethodDeclaration } from '../../rest/method.js';
import { pageRequest, pagedResult } from '../../rest/paging.js';
import type { PhpMap } from '../../php/query.js';
import type { CrmPorts } from './ports.js';
import { parseFilter } from './filter.js';
import { readItemInput } from './input.js';
import { fullSelection, parseOrder, parseSelect } from './listQuery.js';
import { itemFields, itemObject } from './output.js';
import { crmTypeById, type CrmType } from '../model/types.js';
import type { WriteRules } from '../services/crmService.js';
import { withItemErrors } from './conventions.js';
import { asMap, itemArrayParam, itemIntParam } from './params.js';
import { partsFor } from './parts.js';

/** Old invoices (entityTypeId 5) have their own answer in universal/index.md. */
const OLD_INVOICE = 5;

/** crm.item.add titles an untitled item "{Type} #{id}" on every type and takes a contact without a name. */
const ITEM_WRITE_RULES: WriteRules = { titleRequired: false, contactNameRequired: false };

function resolveType(params: PhpMap): CrmType {
  const entityTypeId = itemIntParam(params, 'entityTypeId');
  const type = crmTypeById(entityTypeId);
  if (type) return type;
  if (entityTypeId === OLD_INVOICE) throw restError('CRM_TYPE_NOT_SUPPORTED', { name: 'INVOICE' });
  throw restError('CRM_TYPE_NOT_FOUND');
}

async function answerItem(ports: CrmPorts, type: CrmType, id: number) {
  const item = await ports.crm.getItem(type, id);
  if (!item) throw restError('CRM_ITEM_NOT_FOUND');
  return { item: itemObject(type, item, fullSelection(type, 'item')) };
}

export const itemMethods: MethodDeclaration<CrmPorts>[] = [
  defineMethod<CrmPorts>({
    name: 'crm.item.fields',
    scope: 'crm',
    handler: ({ params, caller, ports }: MethodContext<CrmPorts>) =>
      withItemErrors(async () => {
        const type = resolveType(params);
        if ((await ports.crm.permission(caller, type, 'READ')) === 'NONE') throw restError('CRM_READ_DENIED');
        return { fields: itemFields(type) };
      }),
  }),

  defineMethod<CrmPorts>({
    name: 'crm.item.add',
    scope: 'crm',
    handler: ({ params, caller, ports }: MethodContext<CrmPorts>) =>
      withItemErrors(async () => {
        const entityTypeId = itemIntParam(params, 'entityTypeId');
        const fields = itemArrayParam(params, 'fields', true)!;
        const type = resolveType({ entityTypeId } as PhpMap);
        const level = await ports.crm.permission(caller, type, 'ADD');
        if (level === 'NONE') throw restError('CRM_ACCESS_DENIED');
        const input = readItemInput(type, fields, 'item', 'add', { strict: ports.config.strictFields });
        // crm.item.add creates no trace (sales-intelligence.md §5.4); the hooks are told so.
        const id = await ports.crm.addItem(type, input, caller, {
          ...ITEM_WRITE_RULES,
          assignToCaller: level === 'OWN',
          rawFields: asMap(fields),
          viaTypedMethod: false,
        });
        return answerItem(ports, type, id);
      }),
  }),

  defineMethod<CrmPorts>({
    name: 'crm.item.get',
    scope: 'crm',
    handler: ({ params, caller, ports }: MethodContext<CrmPorts>) =>
      withItemErrors(async () => {
        const entityTypeId = itemIntParam(params, 'entityTypeId');
        const id = itemIntParam(params, 'id');
        const type = resolveType({ entityTypeId } as PhpMap);
        if (!(await ports.crm.itemExists(type.id, id))) throw restError('CRM_ITEM_NOT_FOUND');
        if (!(await ports.crm.may(caller, type, id, 'READ'))) throw restError('CRM_READ_DENIED');
        return answerItem(ports, type, id);
      }),
  }),

  defineMethod<CrmPorts>({
    name: 'crm.item.list',
    scope: 'crm',
    handler: ({ params, start, caller, ports }: MethodContext<CrmPorts>) =>
      withItemErrors(async () => {
        const entityTypeId = itemIntParam(params, 'entityTypeId');
        const select = itemArrayParam(params, 'select', false);
        const filter = itemArrayParam(params, 'filter', false);
        const order = itemArrayParam(params, 'order', false);
        const type = resolveType({ entityTypeId } as PhpMap);
        const selection = parseSelect(type, select, 'item');
        const spec = {
          filter: parseFilter(type, filter, 'item'),
          order: parseOrder(type, order, 'item'),
          page: pageRequest(start),
          parts: partsFor(selection),
        };
        // Items the caller may not read are left out of the answer (crm-item-list.md).
        const level = await ports.crm.permission(caller, type, 'READ');
        if (level === 'NONE') return pagedResult({ items: [] }, 0, spec.page, 0, 'd7');
        const { items, total } = await ports.crm.listItems(type, {
          ...spec,
          assignedTo: level === 'OWN' ? caller.userId : undefined,
        });
        return pagedResult(
          { items: items.map((item) => itemObject(type, item, selection)) },
          items.length,
          spec.page,
          total,
          'd7',
        );
      }),
  }),

  defineMethod<CrmPorts>({
    name: 'crm.item.update',
    scope: 'crm',
    handler: ({ params, caller, ports }: MethodContext<CrmPorts>) =>
      withItemErrors(async () => {
        const entityTypeId = itemIntParam(params, 'entityTypeId');
        const id = itemIntParam(params, 'id');
        const fields = itemArrayParam(params, 'fields', true)!;
        const type = resolveType({ entityTypeId } as PhpMap);
        if (!(await ports.crm.itemExists(type.id, id))) throw restError('CRM_ITEM_NOT_FOUND');
        if (!(await ports.crm.may(caller, type, id, 'WRITE'))) throw restError('CRM_ACCESS_DENIED');
        const level = await ports.crm.permission(caller, type, 'WRITE');
        const input = readItemInput(type, fields, 'item', 'update', { strict: ports.config.strictFields });
        const updated = await ports.crm.updateItem(type, id, input, caller, {
          ...ITEM_WRITE_RULES,
          assignToCaller: level === 'OWN',
        });
        if (!updated) throw restError('CRM_ITEM_NOT_FOUND');
        return answerItem(ports, type, id);
      }),
  }),

  defineMethod<CrmPorts>({
    name: 'crm.item.delete',
    scope: 'crm',
    handler: ({ params, caller, ports }: MethodContext<CrmPorts>) =>
      withItemErrors(async () => {
        const entityTypeId = itemIntParam(params, 'entityTypeId');
        const id = itemIntParam(params, 'id');
        const type = resolveType({ entityTypeId } as PhpMap);
        if (!(await ports.crm.itemExists(type.id, id))) throw restError('CRM_ITEM_NOT_FOUND_ON_DELETE');
        if (!(await ports.crm.may(caller, type, id, 'DELETE'))) throw restError('CRM_ACCESS_DENIED');
        if (!(await ports.crm.deleteItem(type, id, caller))) throw restError('CRM_ITEM_NOT_FOUND_ON_DELETE');
        return [];
      }),
  }),
];
