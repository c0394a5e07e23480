// crm.{lead,deal,contact,company,quote}.{fields,add,get,list,update,delete}: the legacy family
// (restservice.php CCrmRestProxyBase and the per-type proxies). UPPER_CASE fields, every value
// a string, `fields`/`params` parameters, errors with an empty code.
import { restError, type ErrorKey } from '../../rest/errors.js';
import { defineMethod, type MethodContext, type MethodDeclaration } from '../../rest/method.js';
import type { Caller } from '../../auth/caller.js';
import { pageRequest, pagedResult } from '../../rest/paging.js';
import { isPhpArray, type PhpArray } from '../../php/values.js';
import type { Executor } from '../../db/schema.js';
import type { PhpMap } from '../../php/query.js';
import type { CrmPorts } from './ports.js';
import { parseFilter } from './filter.js';
import { readItemInput } from './input.js';
import { fullSelection, parseOrder, parseSelect } from './listQuery.js';
import { legacyFields, legacyItem } from './output.js';
import type { CrmAction } from '../model/permissions.js';
import { levelCovers } from '../services/permissions.js';
import type { CrmType } from '../model/types.js';
import type { WriteRules } from '../services/crmService.js';
import { partsFor } from './parts.js';
import { asMap, legacyArrayParam, legacyEntityId } from './params.js';
import { withLegacyErrors } from './conventions.js';

/** The proxies refuse an empty TITLE on companies and quotes, and a contact without a name. */
function legacyWriteRules(type: CrmType): WriteRules {
  return { titleRequired: type.legacyTitleRequired, contactNameRequired: true };
}

function arrayParam(params: PhpMap, name: string) {
  const value = legacyArrayParam(params, name);
  if (!isPhpArray(value)) throw restError('LEGACY_PARAMETER_NOT_ARRAY', { name });
  return value;
}

function validId(params: PhpMap): number {
  const id = legacyEntityId(params);
  if (id <= 0) throw restError('LEGACY_ID_INVALID');
  return id;
}

/**
 * The proxies' permission-then-existence order. Most types check the item first, so OWN
 * callers get "Access denied." for a missing ID; deals look the item up first and say
 * "Not found" unless the caller has no access to deals at all.
 */
async function checkAccess(ports: CrmPorts, type: CrmType, id: number, caller: Caller, action: CrmAction, notFound: ErrorKey) {
  const level = await ports.crm.permission(caller, type, action);
  const assigned = await ports.crm.assignedUser(type, id);
  if (type.legacy.missingItemCheck === 'type') {
    if (assigned === undefined) throw restError(level === 'NONE' ? 'LEGACY_TYPE_ACCESS_DENIED' : notFound);
    if (!levelCovers(level, assigned, caller)) throw restError('LEGACY_ACCESS_DENIED');
    return level;
  }
  if (!(level === 'ALL' || (assigned !== undefined && levelCovers(level, assigned, caller)))) throw restError('LEGACY_ACCESS_DENIED');
  if (assigned === undefined) throw restError(notFound);
  return level;
}

/**
 * crm.{type}.add once its parameters are read: the permission, the fields, the add. Inside the
 * caller's open transaction when one is given (CrmTypedAdds, typedAdds.ts).
 */
export async function addLegacyItem(ports: CrmPorts, type: CrmType, fields: PhpArray, caller: Caller, transaction?: Executor): Promise<number> {
  const level = await ports.crm.permission(caller, type, 'ADD', transaction);
  if (level === 'NONE') throw restError('LEGACY_ACCESS_DENIED');
  // TRACE is not a field: it survives only as part of the raw fields the hooks get
  // (sales-intelligence.md §5.1).
  const input = readItemInput(type, fields, 'legacy', 'add', { strict: ports.config.strictFields });
  return ports.crm.addItem(type, input, caller, {
    ...legacyWriteRules(type),
    assignToCaller: level === 'OWN',
    rawFields: asMap(fields),
    viaTypedMethod: true,
    transaction,
  });
}

export function typedMethods(type: CrmType): MethodDeclaration<CrmPorts>[] {
  const prefix = `crm.${type.method}`;
  return [
    defineMethod<CrmPorts>({
      name: `${prefix}.fields`,
      scope: 'crm',
      handler: () => legacyFields(type),
    }),

    defineMethod<CrmPorts>({
      name: `${prefix}.add`,
      scope: 'crm',
      handler: ({ params, caller, ports }: MethodContext<CrmPorts>) =>
        withLegacyErrors(async () => {
          const fields = arrayParam(params, 'fields');
          arrayParam(params, 'params');
          return addLegacyItem(ports, type, fields, caller);
        }),
    }),

    defineMethod<CrmPorts>({
      name: `${prefix}.get`,
      scope: 'crm',
      handler: ({ params, caller, ports }: MethodContext<CrmPorts>) =>
        withLegacyErrors(async () => {
          const id = validId(params);
          await checkAccess(ports, type, id, caller, 'READ', 'LEGACY_NOT_FOUND');
          const item = await ports.crm.getItem(type, id);
          if (!item) throw restError('LEGACY_NOT_FOUND');
          return legacyItem(item, fullSelection(type, 'legacy'));
        }),
    }),

    defineMethod<CrmPorts>({
      name: `${prefix}.list`,
      scope: 'crm',
      handler: ({ params, start, caller, ports }: MethodContext<CrmPorts>) =>
        withLegacyErrors(async () => {
          const order = arrayParam(params, 'order');
          const filter = arrayParam(params, 'filter');
          const select = legacyArrayParam(params, 'select');
          const level = await ports.crm.permission(caller, type, 'READ');
          if (level === 'NONE') throw restError('LEGACY_ACCESS_DENIED');
          const selection = parseSelect(type, select, 'legacy');
          const page = pageRequest(start);
          const { items, total } = await ports.crm.listItems(type, {
            filter: parseFilter(type, filter, 'legacy'),
            order: parseOrder(type, order, 'legacy'),
            page,
            assignedTo: level === 'OWN' ? caller.userId : undefined,
            parts: partsFor(selection),
          });
          return pagedResult(
            items.map((item) => legacyItem(item, selection)),
            items.length,
            page,
            total,
            'legacy',
          );
        }),
    }),

    defineMethod<CrmPorts>({
      name: `${prefix}.update`,
      scope: 'crm',
      handler: ({ params, caller, ports }: MethodContext<CrmPorts>) =>
        withLegacyErrors(async () => {
          const fields = arrayParam(params, 'fields');
          arrayParam(params, 'params');
          const id = validId(params);
          const level = await checkAccess(ports, type, id, caller, 'WRITE', type.legacy.updateNotFound);
          // Update drops TRACE with every other unknown name (sales-intelligence.md §5.1).
          const input = readItemInput(type, fields, 'legacy', 'update', { strict: ports.config.strictFields });
          const updated = await ports.crm.updateItem(type, id, input, caller, {
            ...legacyWriteRules(type),
            assignToCaller: level === 'OWN',
          });
          if (!updated) throw restError(type.legacy.updateNotFound);
          return true;
        }),
    }),

    defineMethod<CrmPorts>({
      name: `${prefix}.delete`,
      scope: 'crm',
      handler: ({ params, caller, ports }: MethodContext<CrmPorts>) =>
        withLegacyErrors(async () => {
          const id = validId(params);
          await checkAccess(ports, type, id, caller, 'DELETE', type.legacy.deleteNotFound);
          if (!(await ports.crm.deleteItem(type, id, caller))) throw restError(type.legacy.deleteNotFound);
          return true;
        }),
    }),
  ];
}
