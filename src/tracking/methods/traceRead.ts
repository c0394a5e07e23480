// salestrace.trace.get and salestrace.trace.list: reading traces back. Bitrix24 has no read
// methods for traces, so these live in Salestrace's own namespace (hidden by `serve --strict`).
// Callers see what the CRM read permissions allow (traceVisibility.ts).
import { CRM_ENTITY_TYPES, entityTypeName, type CrmEntityTypeName } from '../../crm/contract.js';
import { argumentError, restError } from '../../rest/errors.js';
import { defineMethod } from '../../rest/method.js';
import type { Caller } from '../../auth/caller.js';
import { pageRequest, pagedResult } from '../../rest/paging.js';
import { isPhpMap, paramCaseInsensitive, phpEmpty } from '../../php/values.js';
import { positiveIntegerId } from '../itemRefs.js';
import type { ItemRef, TraceFilter } from '../traceStore.js';
import type { TrackingPorts } from './ports.js';
import { traceTreeView, traceView } from './traceView.js';

export function requiredId(value: unknown): number {
  const id = positiveIntegerId(value);
  if (id === null) throw argumentError('ID_NOT_POSITIVE', 'id');
  return id;
}

export const traceGetMethod = defineMethod<Pick<TrackingPorts, 'tracking'>>({
  name: 'salestrace.trace.get',
  scope: 'crm',
  async handler({ params, caller, ports: { tracking } }) {
    const id = requiredId(params.id);
    const reading = await tracking.readTreeAsSeenBy(id, caller);
    if (!reading.found) throw restError('TRACE_NOT_FOUND', { id });
    // Trace IDs are sequential, so saying that one exists gives nothing away.
    if (!reading.visible) throw restError('TRACE_ACCESS_DENIED', { id });
    return traceTreeView(id, reading.traces, await tracking.sources());
  },
});

/** An item's traces are for those who may read the item, as crm.*.get decides (a missing item: ALL only). */
async function checkItemReadable(crm: TrackingPorts['crm'], caller: Caller, item: ItemRef): Promise<void> {
  if (!(await crm.canRead(item.entityTypeId, item.entityId, caller))) {
    throw restError('TRACE_ITEM_ACCESS_DENIED', { type: entityTypeName(item.entityTypeId)!, id: item.entityId });
  }
}

const FILTER_FIELDS = ['ENTITY_TYPE', 'ENTITY_ID', 'SOURCE_ID', '>=DATE_CREATE', '<=DATE_CREATE'];

/** Unix seconds from a timestamp, a `YYYY-MM-DD` date (midnight, server zone) or an ISO 8601 date-time. */
function filterDate(value: unknown, key: string): number {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string') {
    if (/^-?\d+$/.test(value)) return Number(value);
    const day = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
    if (day) return new Date(Number(day[1]), Number(day[2]) - 1, Number(day[3])).getTime() / 1000;
    if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
      const ms = Date.parse(value);
      if (!Number.isNaN(ms)) return Math.floor(ms / 1000);
    }
  }
  throw argumentError('TRACE_FILTER_DATE', 'filter', { key });
}

function traceFilter(raw: unknown): TraceFilter {
  if (phpEmpty(raw)) return {};
  if (!isPhpMap(raw)) throw argumentError('TRACE_FILTER_NOT_OBJECT', 'filter');
  for (const key of Object.keys(raw)) {
    if (!FILTER_FIELDS.includes(key)) {
      throw argumentError('TRACE_FILTER_FIELD_UNKNOWN', 'filter', { key, allowed: FILTER_FIELDS.join(', ') });
    }
  }
  const filter: { -readonly [K in keyof TraceFilter]: TraceFilter[K] } = {};
  if ('ENTITY_TYPE' in raw || 'ENTITY_ID' in raw) {
    const type = raw.ENTITY_TYPE;
    if (typeof type !== 'string' || !Object.hasOwn(CRM_ENTITY_TYPES, type)) {
      throw argumentError('TRACE_FILTER_ENTITY_TYPE', 'filter', { types: Object.keys(CRM_ENTITY_TYPES).join(', ') });
    }
    const id = positiveIntegerId(raw.ENTITY_ID);
    if (id === null) throw argumentError('TRACE_FILTER_ENTITY_ID', 'filter');
    filter.item = { entityTypeId: CRM_ENTITY_TYPES[type as CrmEntityTypeName], entityId: id };
  }
  if ('SOURCE_ID' in raw) {
    const value = raw.SOURCE_ID;
    const id = value === 0 || value === '0' ? 0 : positiveIntegerId(value);
    if (id === null) throw argumentError('TRACE_FILTER_SOURCE_ID', 'filter');
    filter.sourceId = id;
  }
  if ('>=DATE_CREATE' in raw) filter.createdFrom = filterDate(raw['>=DATE_CREATE'], '>=DATE_CREATE');
  if ('<=DATE_CREATE' in raw) filter.createdTo = filterDate(raw['<=DATE_CREATE'], '<=DATE_CREATE');
  return filter;
}

export const traceListMethod = defineMethod<TrackingPorts>({
  name: 'salestrace.trace.list',
  scope: 'crm',
  async handler({ params, start, caller, ports: { tracking, crm } }) {
    const filter = traceFilter(paramCaseInsensitive(params, 'filter'));
    if (filter.item) await checkItemReadable(crm, caller, filter.item);
    const page = pageRequest(start);
    const { traces, total } = await tracking.listAsSeenBy(caller, filter, page);
    const sources = await tracking.sources();
    return pagedResult(traces.map((trace) => traceView(trace, sources)), traces.length, page, total, 'legacy');
  },
});
