// crm.activity.{get,list,fields,delete} for the call activities telephony creates
// (crm/timeline/activities/activity-base/): readable by whoever may read an item the activity is
// bound to, deletable by whoever may change its owner. Other activity types and
// crm.activity.add are not here (COMPATIBILITY.md).
import type { Caller } from '../../auth/caller.js';
import { restError } from '../../rest/errors.js';
import { defineMethod } from '../../rest/method.js';
import { pageRequest, pagedResult } from '../../rest/paging.js';
import { isPhpArray, isPhpMap, phpIntval, phpString, phpValues, paramCaseInsensitive } from '../../php/values.js';
import { comparable, splitKey } from '../activityFilter.js';
import type { ActivityCondition, ActivityRecord } from '../contract.js';
import { ACTIVITY_FIELDS, activityFields, activityView, ROW_FIELDS } from './activityView.js';
import type { TelephonyPorts } from './ports.js';

type ActivityPorts = Pick<TelephonyPorts, 'telephony' | 'crm'>;

const FIELD_NAMES = new Set(ACTIVITY_FIELDS.map(([name]) => name));

/** CCrmRestHelper::resolveEntityID: `ID`, then `id`. */
function activityId(params: Record<string, unknown>): number {
  const raw = params.ID ?? params.id;
  const id = raw === undefined || raw === null ? 0 : phpIntval(raw);
  if (id <= 0) throw restError('LEGACY_ID_INVALID');
  return id;
}

async function mayRead(record: ActivityRecord, caller: Caller, crm: ActivityPorts['crm']): Promise<boolean> {
  if (caller.isAdmin) return true;
  for (const item of record.bindings) if (await crm.canRead(item.entityTypeId, item.entityId, caller)) return true;
  return false;
}

export const activityGetMethod = defineMethod<ActivityPorts>({
  name: 'crm.activity.get',
  scope: 'crm',
  async handler({ params, caller, ports: { telephony, crm } }) {
    const record = await telephony.activity(activityId(params));
    if (!record) throw restError('ACTIVITY_NOT_FOUND');
    if (!(await mayRead(record, caller, crm))) throw restError('LEGACY_ACCESS_DENIED');
    return activityView(record, ROW_FIELDS);
  },
});

export const activityDeleteMethod = defineMethod<ActivityPorts>({
  name: 'crm.activity.delete',
  scope: 'crm',
  async handler({ params, caller, ports: { telephony, crm } }) {
    const record = await telephony.activity(activityId(params));
    if (!record) throw restError('ACTIVITY_NOT_FOUND');
    if (!(await crm.canUpdate(record.row.owner_type_id, record.row.owner_id, caller))) throw restError('LEGACY_ACCESS_DENIED');
    await telephony.deleteActivity(record.row.id);
    return true;
  },
});

export const activityFieldsMethod = defineMethod<{}>({
  name: 'crm.activity.fields',
  scope: 'crm',
  handler: () => activityFields(),
});

/** One filter key and its value; undefined for what the legacy proxy leaves out (unknown fields). */
function condition(key: string, raw: unknown): ActivityCondition | undefined {
  if (key === 'BINDINGS') {
    const entries = (isPhpArray(raw) ? phpValues(raw) : []).filter(isPhpMap).map((entry) => ({
      ...(entry.OWNER_TYPE_ID !== undefined && { typeId: phpIntval(entry.OWNER_TYPE_ID) }),
      ...(entry.OWNER_ID !== undefined && { id: phpIntval(entry.OWNER_ID) }),
    }));
    return { kind: 'bindings', entries };
  }
  const { operator, field } = splitKey(key);
  if (!FIELD_NAMES.has(field)) return undefined;
  const values = isPhpArray(raw) ? phpValues(raw).map((value) => comparable(field, value)) : [comparable(field, raw)];
  return { kind: 'field', field, operator, values };
}

export const activityListMethod = defineMethod<ActivityPorts>({
  name: 'crm.activity.list',
  scope: 'crm',
  async handler({ params, start, caller, ports: { telephony, crm } }) {
    const rawFilter = paramCaseInsensitive(params, 'filter');
    const conditions: ActivityCondition[] = [];
    if (isPhpMap(rawFilter)) {
      for (const [key, value] of Object.entries(rawFilter)) {
        const made = condition(key.trim().toUpperCase(), value);
        if (made) conditions.push(made);
      }
    }
    const rawOrder = paramCaseInsensitive(params, 'order');
    const order: [string, 1 | -1][] = [];
    if (isPhpMap(rawOrder)) {
      for (const [key, direction] of Object.entries(rawOrder)) {
        const field = key.trim().toUpperCase();
        if (FIELD_NAMES.has(field)) order.push([field, phpString(direction).trim().toUpperCase() === 'DESC' ? -1 : 1]);
      }
    }
    // The default order is START_TIME ascending (crm-activity-list.md); ID settles ties.
    if (order.length === 0) order.push(['START_TIME', 1]);
    const rawSelect = paramCaseInsensitive(params, 'select');
    const wanted = isPhpArray(rawSelect) ? phpValues(rawSelect).map((name) => phpString(name).trim().toUpperCase()) : [];
    const fields = wanted.length === 0 || wanted.includes('*') ? [...ROW_FIELDS] : [];
    for (const name of wanted) if (FIELD_NAMES.has(name) && !fields.includes(name)) fields.push(name);

    const page = pageRequest(start);
    const { records, total } = await telephony.listActivities(caller, { conditions, order }, page);
    const slice = records.map((record) => activityView(record, fields));
    return pagedResult(slice, slice.length, page, total, 'legacy');
  },
});
