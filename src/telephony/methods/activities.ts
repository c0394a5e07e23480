// crm.activity.{get,list,fields,delete} for the call activities telephony creates
// (crm/timeline/activities/activity-base/): readable by whoever may read an item the activity is
// bound to, deletable by whoever may change its owner. Other activity types and
// crm.activity.add are not here (COMPATIBILITY.md).
import type { Caller } from '../../auth/caller.js';
import { restError } from '../../rest/errors.js';
import { defineMethod } from '../../rest/method.js';
import { pageRequest, pagedResult } from '../../rest/paging.js';
import { isPhpArray, isPhpMap, phpIntval, phpIsNumeric, phpString, phpValues, paramCaseInsensitive } from '../../php/values.js';
import type { ActivityRecord } from '../contract.js';
import { ACTIVITY_FIELDS, activityFields, activityValues, activityView, ROW_FIELDS } from './activityView.js';
import type { TelephonyPorts } from './ports.js';

type ActivityPorts = Pick<TelephonyPorts, 'telephony' | 'crm'>;

const FIELD_NAMES = new Set(ACTIVITY_FIELDS.map(([name]) => name));
const DATE_FIELDS = new Set(['START_TIME', 'END_TIME', 'DEADLINE', 'CREATED', 'LAST_UPDATED']);

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

type Comparable = string | number | null;

const OPERATORS = ['>=', '<=', '!@', '!=', '!%', '=%', '%=', '>', '<', '@', '%', '!', '='] as const;

function splitKey(key: string): { operator: string; field: string } {
  const operator = OPERATORS.find((candidate) => key.startsWith(candidate)) ?? '=';
  return { operator, field: key.startsWith(operator) ? key.slice(operator.length) : key };
}

function comparable(field: string, value: unknown): Comparable {
  if (value === null || value === undefined || value === '') return null;
  if (DATE_FIELDS.has(field)) {
    if (phpIsNumeric(value)) return Number(value);
    const ms = Date.parse(phpString(value));
    return Number.isFinite(ms) ? Math.floor(ms / 1000) : null;
  }
  if (typeof value === 'number') return value;
  return phpString(value);
}

function equal(a: Comparable, b: Comparable): boolean {
  if (a === null || b === null) return a === b;
  if (typeof a === 'number' || typeof b === 'number') return phpIsNumeric(b) && phpIsNumeric(a) ? Number(a) === Number(b) : String(a) === String(b);
  return a.toLowerCase() === b.toLowerCase();
}

function order(a: Comparable, b: Comparable): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

function likePattern(text: string, explicit: boolean): RegExp {
  const escaped = text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const body = explicit ? escaped.replace(/%/g, '.*').replace(/_/g, '.') : `.*${escaped}.*`;
  return new RegExp(`^${body}$`, 'is');
}

type Condition = (values: Record<string, Comparable>, record: ActivityRecord) => boolean;

function condition(key: string, raw: unknown): Condition | undefined {
  if (key === 'BINDINGS') {
    const wanted = (isPhpArray(raw) ? phpValues(raw) : []).filter(isPhpMap);
    return (_values, record) =>
      wanted.some((entry) =>
        record.bindings.some(
          (item) =>
            (entry.OWNER_TYPE_ID === undefined || phpIntval(entry.OWNER_TYPE_ID) === item.entityTypeId) &&
            (entry.OWNER_ID === undefined || phpIntval(entry.OWNER_ID) === item.entityId),
        ),
      );
  }
  const { operator, field } = splitKey(key);
  // Unknown fields are left out of the filter, as the legacy proxy does.
  if (!FIELD_NAMES.has(field)) return undefined;
  const list = isPhpArray(raw) ? phpValues(raw).map((value) => comparable(field, value)) : [comparable(field, raw)];
  const value = list[0] ?? null;
  switch (operator) {
    case '=':
    case '@':
      return (values) => list.some((candidate) => equal(values[field], candidate));
    case '!':
    case '!=':
    case '!@':
      return (values) => !list.some((candidate) => equal(values[field], candidate));
    case '>':
      return (values) => values[field] !== null && order(values[field], value) > 0;
    case '>=':
      return (values) => values[field] !== null && order(values[field], value) >= 0;
    case '<':
      return (values) => values[field] !== null && order(values[field], value) < 0;
    case '<=':
      return (values) => values[field] !== null && order(values[field], value) <= 0;
    case '%':
    case '=%':
    case '%=': {
      const pattern = likePattern(String(value ?? ''), operator !== '%');
      return (values) => values[field] !== null && pattern.test(String(values[field]));
    }
    case '!%': {
      const pattern = likePattern(String(value ?? ''), false);
      return (values) => values[field] === null || !pattern.test(String(values[field]));
    }
    default:
      return undefined;
  }
}

export const activityListMethod = defineMethod<ActivityPorts>({
  name: 'crm.activity.list',
  scope: 'crm',
  async handler({ params, start, caller, ports: { telephony, crm } }) {
    const rawFilter = paramCaseInsensitive(params, 'filter');
    const conditions: Condition[] = [];
    if (isPhpMap(rawFilter)) {
      for (const [key, value] of Object.entries(rawFilter)) {
        const made = condition(key.trim().toUpperCase(), value);
        if (made) conditions.push(made);
      }
    }
    const rawOrder = paramCaseInsensitive(params, 'order');
    const sort: [string, number][] = [];
    if (isPhpMap(rawOrder)) {
      for (const [key, direction] of Object.entries(rawOrder)) {
        const field = key.trim().toUpperCase();
        if (FIELD_NAMES.has(field)) sort.push([field, phpString(direction).trim().toUpperCase() === 'DESC' ? -1 : 1]);
      }
    }
    // The default order is START_TIME ascending (crm-activity-list.md); ID settles ties.
    if (sort.length === 0) sort.push(['START_TIME', 1]);
    sort.push(['ID', 1]);
    const rawSelect = paramCaseInsensitive(params, 'select');
    const wanted = isPhpArray(rawSelect) ? phpValues(rawSelect).map((name) => phpString(name).trim().toUpperCase()) : [];
    const fields = wanted.length === 0 || wanted.includes('*') ? [...ROW_FIELDS] : [];
    for (const name of wanted) if (FIELD_NAMES.has(name) && !fields.includes(name)) fields.push(name);

    const rows: { record: ActivityRecord; values: Record<string, Comparable> }[] = [];
    for (const record of await telephony.activities()) {
      const values = activityValues(record);
      if (!conditions.every((test) => test(values, record))) continue;
      if (await mayRead(record, caller, crm)) rows.push({ record, values });
    }
    rows.sort((a, b) => {
      for (const [field, direction] of sort) {
        const diff = order(a.values[field], b.values[field]);
        if (diff !== 0) return diff * direction;
      }
      return 0;
    });
    const page = pageRequest(start);
    const slice = rows.slice(page.offset, page.offset + page.limit).map(({ record }) => activityView(record, fields));
    return pagedResult(slice, slice.length, page, rows.length, 'legacy');
  },
});
