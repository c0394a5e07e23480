// crm.tracking.trace.add (sales-intelligence.md §2.6; bitrix24-docs crm-tracking-trace-add.md):
// TRACE is checked, then every ENTITIES element in turn (TYPE, ID, update permission), all
// before anything is written. The entity checks run in the transaction that then saves the
// trace and its bindings, so a permission is never judged on a state the write does not see.
import { CRM_ENTITY_TYPES, type CrmEntityTypeName } from '../../crm/contract.js';
import type { Executor } from '../../db/schema.js';
import { restError } from '../../rest/errors.js';
import { defineMethod } from '../../rest/method.js';
import type { TrackingPorts } from './ports.js';
import type { Caller } from '../../auth/caller.js';
import { isPhpArray, phpEmpty, phpValues } from '../../php/values.js';
import { positiveIntegerId } from '../itemRefs.js';
import { decodeTraceText } from '../parseTrace.js';
import type { TrackingPort } from '../contract.js';
import type { ItemRef } from '../traceStore.js';
import type { MatcherReuse, PreparedTrace } from '../service.js';
import type { CheckedTrace } from '../traceRun.js';
import type { PhpMap } from '../../php/query.js';

const ALLOWED_TYPES = 'COMPANY,CONTACT,DEAL,LEAD,QUOTE';

/**
 * Most ENTITIES one call may bind. Each item is bound to the trace and to every previous trace
 * (up to 155 under the parse limits, parseTrace.ts), so this keeps one call under 50 × 156 binding
 * rows. Real callers bind an item and its client (a deal, its contact, its company); 50 is the
 * batch limit, the largest number of items any client handles in one request.
 */
export const MAX_ENTITIES = 50;

/** TRACE as text: strings as sent, numbers and `true` the way PHP would print them; a list or map is not JSON text. */
function traceParamText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return value === true ? '1' : String(value);
  throw restError('TRACE_INVALID_JSON');
}

function decodeTraceParam(value: unknown): unknown {
  if (phpEmpty(value)) throw restError('TRACE_REQUIRED');
  return decodeTraceText(traceParamText(value));
}

function entityField(entity: unknown, key: string): unknown {
  if (!isPhpArray(entity) || Array.isArray(entity)) return undefined;
  return Object.hasOwn(entity, key) ? entity[key] : undefined;
}

/**
 * ENTITIES, element by element. Core treats an absent or empty ENTITIES as none; any other
 * value that is not an array is refused here instead of being ignored (COMPATIBILITY.md).
 */
async function checkedEntities(value: unknown, caller: Caller, tracking: TrackingPort, db: Executor | undefined): Promise<ItemRef[]> {
  if (phpEmpty(value)) return [];
  if (!isPhpArray(value)) throw restError('TRACE_ENTITIES_NOT_A_LIST');
  const entities = phpValues(value);
  // Counted as sent, repeats included: the checks below cost a read per element.
  if (entities.length > MAX_ENTITIES) throw restError('TRACE_TOO_MANY_ENTITIES', { limit: MAX_ENTITIES });
  const items: ItemRef[] = [];
  for (const entity of entities) {
    const type = entityField(entity, 'TYPE');
    if (typeof type !== 'string' || !Object.hasOwn(CRM_ENTITY_TYPES, type)) throw restError('TRACE_ENTITY_WRONG_TYPE', { types: ALLOWED_TYPES });
    const id = positiveIntegerId(entityField(entity, 'ID'));
    if (id === null) throw restError('TRACE_ENTITY_WRONG_ID');
    const item = { entityTypeId: CRM_ENTITY_TYPES[type as CrmEntityTypeName], entityId: id };
    if (!(await tracking.mayEdit(item, caller, db))) throw restError('TRACE_ENTITY_NO_ACCESS', { type, id });
    items.push(item);
  }
  return items;
}

/**
 * TRACE decoded and parsed; a TRACE over the limits throws the tracking module's typed error.
 * `reuse`: for a call alone, the request's change-token mark (Caller.changesReadAfter); for a
 * batch row, the run's row before, whose source matcher still holds (RunWriter.check). A batch
 * row gets no mark, since rows before it may have changed the sources.
 */
function preparedTrace(params: PhpMap, tracking: TrackingPort, reuse?: MatcherReuse): Promise<PreparedTrace> {
  return tracking.prepare(decodeTraceParam(params.TRACE), reuse);
}

export const traceAddMethod = defineMethod<Pick<TrackingPorts, 'tracking'>>({
  name: 'crm.tracking.trace.add',
  scope: 'crm',
  batch: true,
  async handler({ params, caller, inBatch, ports: { tracking } }) {
    const prepared = await preparedTrace(params, tracking, inBatch ? undefined : { changesReadAfter: caller.changesReadAfter });
    return tracking.create(prepared, (db) => checkedEntities(params.ENTITIES, caller, tracking, db), caller.userId);
  },
  // Inside a batch's one transaction the checks see what the write will: the run's earlier
  // traces change no item's existence or rights, so checking each row before any is written
  // gives each the answer it would get one by one (traceRun.ts).
  inRuns: {
    async check({ params, caller, ports: { tracking } }, previous): Promise<CheckedTrace> {
      const prepared = await preparedTrace(params, tracking, { matcher: (previous as CheckedTrace | undefined)?.prepared.matcher });
      return { prepared, items: await checkedEntities(params.ENTITIES, caller, tracking, undefined), createdBy: caller.userId };
    },
    write: ({ tracking }, checked) => tracking.createMany(checked as CheckedTrace[]),
  },
});
