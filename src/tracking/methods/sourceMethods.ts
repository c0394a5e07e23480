// salestrace.source.{list,add,update,delete}: the sources traces are attributed to and the
// values that recognise them (sales-intelligence.md §1.6, §1.7, §3). Changing sources is for
// administrators, as Sales Intelligence settings are in Bitrix24.
import { argumentError, restError } from '../../rest/errors.js';
import { defineMethod } from '../../rest/method.js';
import type { TrackingPorts } from './ports.js';
import type { Caller } from '../../auth/caller.js';
import { pageRequest, pagedResult } from '../../rest/paging.js';
import { isPhpArray, isPhpMap, paramCaseInsensitive, phpEmpty, phpValues } from '../../php/values.js';
import { formatDateC } from '../../rest/time.js';
import {
  isAvailable,
  isBuiltIn,
  ORGANIC_SOURCE,
  socialRefDomains,
  VALUE_KINDS,
  type SourceRecord,
  type TrackingSettings,
  type ValueKind,
} from '../sourceCatalog.js';
import type { SourceChanges } from '../sources.js';
import { requiredId } from './traceRead.js';

function sourceView(source: SourceRecord, settings: TrackingSettings): Record<string, unknown> {
  return {
    ID: source.id,
    CODE: source.code,
    NAME: source.name,
    ACTIVE: source.active ? 'Y' : 'N',
    BUILT_IN: isBuiltIn(source) ? 'Y' : 'N',
    AVAILABLE: isAvailable(source, settings) ? 'Y' : 'N',
    DATE_CREATE: source.createdAt === null ? null : formatDateC(source.createdAt),
    UTM_SOURCE: source.values.UTM_SOURCE,
    REF_DOMAIN: source.values.REF_DOMAIN,
    PHONE: source.values.PHONE,
    EMAIL: source.values.EMAIL,
    SOCIAL_REF_DOMAIN: [...socialRefDomains(source, settings)],
  };
}

const ORGANIC_VIEW = {
  ID: ORGANIC_SOURCE.id,
  CODE: ORGANIC_SOURCE.code,
  NAME: ORGANIC_SOURCE.name,
  ACTIVE: 'Y',
  BUILT_IN: 'Y',
  AVAILABLE: 'Y',
  DATE_CREATE: null,
  UTM_SOURCE: [],
  REF_DOMAIN: [],
  PHONE: [],
  EMAIL: [],
  SOCIAL_REF_DOMAIN: [],
};

export const sourceListMethod = defineMethod<Pick<TrackingPorts, 'tracking'>>({
  name: 'salestrace.source.list',
  scope: 'crm',
  async handler({ start, ports: { tracking } }) {
    const settings = await tracking.settings();
    const sources = await tracking.sources();
    // Bitrix's order: built-in sources, organic traffic, then custom sources (§3.2 step 6).
    const builtIn = sources.filter(isBuiltIn).map((source) => sourceView(source, settings));
    const custom = sources.filter((source) => !isBuiltIn(source)).map((source) => sourceView(source, settings));
    const all = [...builtIn, ORGANIC_VIEW, ...custom];
    const page = pageRequest(start);
    const rows = all.slice(page.offset, page.offset + page.limit);
    return pagedResult(rows, rows.length, page, all.length, 'legacy');
  },
});

const FIELD_NAMES = ['NAME', 'ACTIVE', ...VALUE_KINDS];

function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw restError('ACCESS_DENIED');
}

function valueList(value: unknown, kind: ValueKind): string[] {
  if (phpEmpty(value)) return [];
  const list = isPhpArray(value) ? phpValues(value) : [value];
  return list.map((entry) => {
    if (typeof entry === 'string') return entry;
    if (typeof entry === 'number' && Number.isFinite(entry)) return String(entry);
    throw argumentError('SOURCE_VALUES_NOT_STRINGS', kind, { field: kind });
  });
}

function sourceChanges(params: Record<string, unknown>): SourceChanges {
  const fields = paramCaseInsensitive(params, 'fields');
  if (!isPhpMap(fields)) throw argumentError('SOURCE_FIELDS_NOT_OBJECT', 'fields');
  for (const key of Object.keys(fields)) {
    if (!FIELD_NAMES.includes(key)) throw argumentError('SOURCE_FIELD_UNKNOWN', key, { key, allowed: FIELD_NAMES.join(', ') });
  }
  const changes: { name?: string; active?: boolean; values?: Partial<Record<ValueKind, string[]>> } = {};
  if ('NAME' in fields) {
    if (typeof fields.NAME !== 'string') throw argumentError('SOURCE_NAME_NOT_STRING', 'NAME');
    changes.name = fields.NAME;
  }
  if ('ACTIVE' in fields) {
    const active = fields.ACTIVE;
    if (active === 'Y' || active === true) changes.active = true;
    else if (active === 'N' || active === false) changes.active = false;
    else throw argumentError('SOURCE_ACTIVE_INVALID', 'ACTIVE');
  }
  for (const kind of VALUE_KINDS) {
    if (kind in fields) changes.values = { ...changes.values, [kind]: valueList(fields[kind], kind) };
  }
  return changes;
}

export const sourceAddMethod = defineMethod<Pick<TrackingPorts, 'tracking'>>({
  name: 'salestrace.source.add',
  scope: 'crm',
  async handler({ params, caller, ports: { tracking } }) {
    requireAdmin(caller);
    const changes = sourceChanges(params);
    return tracking.addSource(changes);
  },
});

export const sourceUpdateMethod = defineMethod<Pick<TrackingPorts, 'tracking'>>({
  name: 'salestrace.source.update',
  scope: 'crm',
  async handler({ params, caller, ports: { tracking } }) {
    requireAdmin(caller);
    const id = requiredId(params.id);
    const changes = sourceChanges(params);
    await tracking.updateSource(id, changes);
    return true;
  },
});

export const sourceDeleteMethod = defineMethod<Pick<TrackingPorts, 'tracking'>>({
  name: 'salestrace.source.delete',
  scope: 'crm',
  async handler({ params, caller, ports: { tracking } }) {
    requireAdmin(caller);
    const id = requiredId(params.id);
    await tracking.deleteSource(id);
    return true;
  },
});
