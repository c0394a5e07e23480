// Valid parameters for every REST method, as seeds for mutation: the fuzzer replaces one value
// at a time with an array where the method expects text, so every parameter a method reads
// (and every nested one: filter LOGIC, order directions, PHONE VALUE …) gets a map or a list.
// Random parameter names would almost never spell `filter[LOGIC]`; seeds do.

/** A path into a parameter tree: the keys from the top. */
export type ParamPath = readonly string[];

type Seed = Record<string, unknown>;

const TYPES = [
  { method: 'lead', entityTypeId: 1, name: 'TITLE', status: 'STATUS_ID' },
  { method: 'deal', entityTypeId: 2, name: 'TITLE', status: 'STAGE_ID' },
  { method: 'contact', entityTypeId: 3, name: 'NAME', status: 'TYPE_ID' },
  { method: 'company', entityTypeId: 4, name: 'TITLE', status: 'COMPANY_TYPE' },
  { method: 'quote', entityTypeId: 7, name: 'TITLE', status: 'STATUS_ID' },
] as const;

/** IDs the fixtures create: 1 and 2 are read and changed, 3 is deleted. */
export const FIXTURE_ITEMS_PER_TYPE = 3;

const TRACE = JSON.stringify({
  url: 'https://example.com/?utm_source=google',
  tags: { list: { utm_source: 'google', utm_medium: 'cpc' } },
  pages: { list: [['https://example.com/', 1767225600, 'Home']] },
  channels: [{ code: 'call', value: '+1 555 0100' }],
});

const LIST_FILTER = (name: string, status: string) => ({
  LOGIC: 'AND',
  [`%${name}`]: 'Item',
  [`=%${name}`]: 'It%',
  [`!${status}`]: 'X',
  '@ID': ['1', '2'],
  '>=DATE_CREATE': '2026-01-01',
  UTM_SOURCE: 'google',
  0: { LOGIC: 'OR', ID: '1', [`!%${name}`]: 'zz' },
});

function typedSeeds(method: string, name: string, status: string): Record<string, Seed[]> {
  const fields = {
    [name]: 'Item',
    COMMENTS: 'note',
    OPPORTUNITY: '100.50',
    CURRENCY_ID: 'USD',
    OPENED: 'Y',
    ASSIGNED_BY_ID: '1',
    BEGINDATE: '2026-01-01',
    UTM_SOURCE: 'google',
    UTM_MEDIUM: 'cpc',
    PHONE: [{ VALUE: '+1 555 0101', VALUE_TYPE: 'WORK' }],
    EMAIL: [{ VALUE: 'a@example.com', VALUE_TYPE: 'HOME' }],
    TRACE,
  };
  return {
    [`crm.${method}.fields`]: [{}],
    [`crm.${method}.add`]: [{ fields, params: { REGISTER_SONET_EVENT: 'N' } }, { FIELDS: { [name]: 'Upper', TRACE: '1' } }],
    [`crm.${method}.get`]: [{ id: '2' }, { ID: 2 }],
    [`crm.${method}.list`]: [
      { filter: LIST_FILTER(name, status), order: { [name]: 'DESC', ID: 'asc' }, select: ['ID', name, 'PHONE', 'UTM_SOURCE', '*'], start: '0' },
      { FILTER: { [name]: 'Item' }, ORDER: { ID: 'DESC' }, SELECT: ['*'], start: -1 },
    ],
    [`crm.${method}.update`]: [
      {
        id: '2',
        fields: { [name]: 'Changed', COMMENTS: 'more', PHONE: [{ ID: '1', VALUE: '+1 555 0102', VALUE_TYPE: 'MOBILE', DELETE: 'N' }] },
        params: { REGISTER_SONET_EVENT: 'N' },
      },
    ],
    [`crm.${method}.delete`]: [{ id: String(FIXTURE_ITEMS_PER_TYPE) }],
  };
}

function itemSeeds(): Record<string, Seed[]> {
  const seeds: Record<string, Seed[]> = {
    'crm.item.fields': [],
    'crm.item.add': [],
    'crm.item.get': [],
    'crm.item.list': [],
    'crm.item.update': [],
    'crm.item.delete': [],
  };
  for (const { entityTypeId, method } of TYPES) {
    const nameField = method === 'contact' ? 'name' : 'title';
    seeds['crm.item.fields'].push({ entityTypeId });
    seeds['crm.item.add'].push({
      entityTypeId,
      fields: {
        [nameField]: 'Item',
        comments: 'note',
        opportunity: 10,
        assignedById: 1,
        utmSource: 'google',
        ...(method === 'contact' || method === 'company' ? { fm: [{ typeId: 'PHONE', valueType: 'WORK', value: '+1 555 0103' }] } : {}),
      },
    });
    seeds['crm.item.get'].push({ entityTypeId, id: 2 });
    seeds['crm.item.list'].push({
      entityTypeId,
      select: ['id', nameField, 'utmSource'],
      filter: { logic: 'AND', [`%${nameField}`]: 'Item', [`=%${nameField}`]: 'It%', '@id': [1, 2], 0: { logic: 'OR', id: 1, '>=createdTime': '2026-01-01T00:00:00+00:00' } },
      order: { [nameField]: 'ASC', id: 'DESC' },
      start: 0,
    });
    seeds['crm.item.update'].push({ entityTypeId, id: 2, fields: { [nameField]: 'Changed', comments: 'more', utmSource: 'bing' } });
    seeds['crm.item.delete'].push({ entityTypeId, id: FIXTURE_ITEMS_PER_TYPE });
  }
  return seeds;
}

/** Seeds per method name. Every registered method must have at least one (methods.fuzz.test.ts). */
export const METHOD_SEEDS: Record<string, Seed[]> = {
  batch: [
    {
      cmd: { time: 'server.time', list: 'crm.deal.list?filter[%TITLE]=Item&order[ID]=DESC&select[]=ID', next: 'crm.deal.get?id=$result[list][0][ID]' },
      halt: '0',
    },
    { CMD: ['scope', 'methods?full=true'], HALT: 1 },
  ],
  methods: [{ scope: 'crm' }, { full: 'true' }, { SCOPE: '' }],
  scope: [{ full: 'true' }],
  'method.get': [{ name: 'crm.deal.add' }],
  'server.time': [{}],
  profile: [{}],
  'user.current': [{}],
  'app.info': [{}],
  // The event.* methods answer webhooks with WRONG_AUTH_TYPE before reading parameters (test/events covers them with tokens).
  'event.bind': [{ event: 'ONCRMLEADADD', handler: 'https://handler.example.com/', auth_type: 1, event_type: 'online', options: { minTimeout: 1 } }],
  'event.unbind': [{ event: 'ONCRMLEADADD', handler: 'https://handler.example.com/', auth_type: 1, event_type: 'online' }],
  'event.get': [{}],
  events: [{ SCOPE: 'crm', FULL: 'true' }],
  'event.test': [{ any: 'value' }],
  'event.offline.get': [{ filter: { '>ID': 1, EVENT_NAME: 'ONCRMLEADADD' }, order: { ID: 'DESC' }, limit: 10, clear: 0, process_id: 'p', error: 1 }],
  'event.offline.clear': [{ process_id: 'p', id: [1, 2], message_id: ['0123456789abcdef0123456789abcdef'] }],
  'event.offline.error': [{ process_id: 'p', message_id: ['0123456789abcdef0123456789abcdef'] }],
  'event.offline.list': [{ filter: { PROCESS_ID: '', ERROR: 0 }, order: { ID: 'ASC' } }],
  ...Object.assign({}, ...TYPES.map(({ method, name, status }) => typedSeeds(method, name, status))),
  ...itemSeeds(),
  'crm.tracking.trace.add': [
    { TRACE, ENTITIES: [{ TYPE: 'DEAL', ID: '2' }, { TYPE: 'CONTACT', ID: 1 }] },
    { TRACE: JSON.stringify({ previous: { list: [{ tags: { ts: 1767225600, list: { utm_source: 'bing' } } }] }, ref: 'https://google.com/' }) },
  ],
  'crm.tracking.trace.delete': [{ id: '1' }],
  'salestrace.trace.get': [{ id: 2 }],
  'salestrace.trace.list': [
    { filter: { ENTITY_TYPE: 'DEAL', ENTITY_ID: '2', SOURCE_ID: '0', '>=DATE_CREATE': '2026-01-01', '<=DATE_CREATE': '2030-01-01T00:00:00+00:00' }, start: 0 },
  ],
  'salestrace.source.list': [{ start: '0' }],
  'salestrace.source.add': [{ fields: { NAME: 'Partner', ACTIVE: 'Y', UTM_SOURCE: ['partner', 'ally'], REF_DOMAIN: ['partner.example'], PHONE: ['+1 555 0199'], EMAIL: ['ads@partner.example'] } }],
  'salestrace.source.update': [{ id: 'CUSTOM_SOURCE_ID', fields: { NAME: 'Renamed', ACTIVE: 'N', UTM_SOURCE: 'single' } }],
  'salestrace.source.delete': [{ id: 'CUSTOM_SOURCE_ID' }],
  'salestrace.expense.add': [{ sourceId: 1, from: '2026-06-01', to: '2026-06-03', sum: '100.50', currency: 'USD', actions: 10, comment: 'June' }],
  'salestrace.expense.list': [{ sourceId: 1, from: '2026-06-01', to: '2026-06-30', start: '0' }],
  'salestrace.expense.delete': [{ id: 1 }],
  'salestrace.expense.import': [
    { sourceId: 1, currency: 'USD', rows: [{ date: '2026-06-01', campaign: '123456', adGroup: '234567', keyword: '345678', impressions: 100, clicks: 5, cost: '2.50' }] },
  ],
  'salestrace.report.sources': [{ from: '2026-06-01', to: '2026-06-30', sourceId: [1, 'organic'], groupBy: 'source' }],
  'salestrace.report.levels': [{ sourceId: 1, level: 'adgroup', parentId: 1, from: '2026-06-01', to: '2026-06-30' }],
  'salestrace.report.daily': [{ from: '2026-06-01', to: '2026-06-30', sourceId: [1, 'organic'] }],
  'salestrace.report.attribution': [{ from: '2026-06-01', to: '2026-06-30', lookbackDays: 90, halfLifeDays: 7 }],
  'salestrace.report.journey': [{ id: 1, lookbackDays: 30, halfLifeDays: 3.5 }],
  'salestrace.attribution.window.get': [{}],
  'salestrace.attribution.window.set': [{ days: 14, offline: 'N' }],
  // Telephony (issue 14).
  'telephony.externalline.add': [{ NUMBER: '14151234567', NAME: 'Main', CRM_AUTO_CREATE: 'N' }],
  'telephony.externalline.get': [{}],
  'telephony.externalline.update': [{ NUMBER: '14151234567', NAME: 'Support', CRM_AUTO_CREATE: 'Y' }],
  'telephony.externalline.delete': [{ NUMBER: '14151234567' }],
  'telephony.externalcall.register': [
    {
      USER_ID: 1,
      PHONE_NUMBER: '+1 555 0101',
      TYPE: 2,
      CALL_START_DATE: '2026-03-07T10:20:30+03:00',
      CRM_CREATE: 1,
      CRM_SOURCE: 'WEB',
      CRM_ENTITY_TYPE: 'CONTACT',
      CRM_ENTITY_ID: 1,
      SHOW: 0,
      ADD_TO_CHAT: 0,
      CALL_LIST_ID: 1,
      LINE_NUMBER: '3',
      EXTERNAL_CALL_ID: 'pbx-1',
    },
    { USER_PHONE_INNER: '101', PHONE_NUMBER: '79062195047', TYPE: '1' },
  ],
  'telephony.externalcall.finish': [
    { CALL_ID: 'externalCall.0.1', USER_ID: 1, DURATION: 95, COST: '1.5', COST_CURRENCY: 'USD', STATUS_CODE: '200', FAILED_REASON: '', RECORD_URL: 'https://x.example/r.mp3', VOTE: 5, ADD_TO_CHAT: 0 },
  ],
  'telephony.externalcall.show': [{ CALL_ID: 'externalCall.0.1', USER_ID: [1, 2] }],
  'telephony.externalcall.hide': [{ CALL_ID: 'externalCall.0.1', USER_ID: 1 }],
  'telephony.externalcall.searchcrmentities': [{ PHONE_NUMBER: '+1 555 0101' }],
  'crm.activity.get': [{ id: 1 }],
  'crm.activity.list': [
    { filter: { OWNER_TYPE_ID: 3, '>=ID': 1, '%SUBJECT': 'call', '@DIRECTION': [1, 2], BINDINGS: [{ OWNER_TYPE_ID: 3, OWNER_ID: 1 }] }, order: { ID: 'DESC' }, select: ['*', 'COMMUNICATIONS'], start: 0 },
  ],
  'crm.activity.fields': [{}],
  'crm.activity.delete': [{ id: 1 }],
  'salestrace.site.add': [{ fields: { ADDRESS: 'https://fuzz.example/', PHONES: ['+1 555 0100'], EMAILS: ['info@fuzz.example'], REPLACE_TEXT: 'N', ENRICH_TEXT: 'Y', RESOLVE_DUPLICATES: 'N', ACTIVE: 'Y', IS_INSTALLED: 'N' } }],
  'salestrace.site.get': [{ id: '1' }],
  'salestrace.site.list': [{ start: '0' }],
  'salestrace.site.update': [{ id: '1', fields: { ADDRESS: 'http://fuzz2.example', PHONES: '+1 555 0101', EMAILS: [] } }],
  'salestrace.site.delete': [{ id: '1' }],
  'salestrace.site.loader': [{}],
  'salestrace.form.add': [{ fields: { NAME: 'Fuzz form', FIELDS: { name: 'NAME', email: 'EMAIL' }, CREATE_CONTACT: 'Y', RESPONSIBLE_ID: '1', THANKS_URL: 'https://fuzz.example/thanks', SITE_ID: '', ACTIVE: 'Y' } }],
  'salestrace.form.get': [{ id: '1' }],
  'salestrace.form.list': [{ start: '0' }],
  'salestrace.form.update': [{ id: '1', fields: { NAME: 'Renamed', FIELDS: { phone: 'PHONE' }, THANKS_URL: null } }],
  'salestrace.form.delete': [{ id: '1' }],
};

/** Every path of a tree, containers included, depth first. */
export function allPaths(value: unknown, prefix: ParamPath = []): ParamPath[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((child, i) => [String(i), child] as const) : Object.entries(value);
  const paths: ParamPath[] = prefix.length > 0 ? [prefix] : [];
  for (const [key, child] of entries) paths.push(...allPaths(child, [...prefix, key]));
  return paths;
}

/** A copy of `tree` with the value at `path` replaced. */
export function replaceAt(tree: Seed, path: ParamPath, replacement: unknown): Seed {
  const copy = structuredClone(tree);
  let node: any = copy;
  for (const key of path.slice(0, -1)) node = node[key];
  node[path[path.length - 1]] = replacement;
  return copy;
}

/** Seeds name the custom source the fixtures create by a placeholder. */
export function withSourceId(seed: Seed, sourceId: number): Seed {
  return JSON.parse(JSON.stringify(seed).replaceAll('"CUSTOM_SOURCE_ID"', String(sourceId)));
}

export const TYPE_FIXTURES = TYPES;
