// salestrace.site.{add,get,list,update,delete}: the customer's own sites, which the tracker pack
// serves and the site channel names (sales-intelligence.md §1.10, §3.5; tracker-and-calls.md
// §2.2). Bitrix24 edits them in its settings UI only, for administrators; so do these methods.
import { argumentError, restError } from '../../rest/errors.js';
import { defineMethod } from '../../rest/method.js';
import type { Caller } from '../../auth/caller.js';
import { pageRequest, pagedResult } from '../../rest/paging.js';
import { isPhpArray, isPhpMap, paramCaseInsensitive, phpEmpty, phpString, phpValues } from '../../php/values.js';
import { formatDateC } from '../../rest/time.js';
import { positiveIntegerId } from '../../tracking/itemRefs.js';
import type { SiteChanges, SiteRecord } from '../contract.js';
import type { SitesPorts } from './ports.js';

export function siteView(site: SiteRecord): Record<string, unknown> {
  return {
    ID: site.id,
    ADDRESS: site.address,
    HOST: site.host,
    PHONES: [...site.phones],
    EMAILS: [...site.emails],
    REPLACE_TEXT: site.replaceText ? 'Y' : 'N',
    ENRICH_TEXT: site.enrichText ? 'Y' : 'N',
    RESOLVE_DUPLICATES: site.resolveDup ? 'Y' : 'N',
    ACTIVE: site.active ? 'Y' : 'N',
    IS_INSTALLED: site.installed ? 'Y' : 'N',
    DATE_CREATE: formatDateC(site.createdAt),
  };
}

export function requireAdmin(caller: Caller): void {
  if (!caller.isAdmin) throw restError('ACCESS_DENIED');
}

export function requiredId(value: unknown): number {
  const id = positiveIntegerId(value);
  if (id === null) throw argumentError('ID_NOT_POSITIVE', 'id');
  return id;
}

/** Y/N (or a JSON boolean) into a flag. */
export function flagField(fields: Record<string, unknown>, name: string): boolean | undefined {
  if (!(name in fields)) return undefined;
  const value = fields[name];
  if (value === 'Y' || value === true) return true;
  if (value === 'N' || value === false) return false;
  throw argumentError('SITE_FLAG_INVALID', name, { field: name });
}

function listField(fields: Record<string, unknown>, name: string): unknown[] | undefined {
  if (!(name in fields)) return undefined;
  const value = fields[name];
  if (phpEmpty(value)) return [];
  const list = isPhpArray(value) ? phpValues(value) : [value];
  if (list.some((entry) => typeof entry !== 'string' && typeof entry !== 'number')) {
    throw argumentError('SOURCE_VALUES_NOT_STRINGS', name, { field: name });
  }
  return list;
}

const FIELD_NAMES = ['ADDRESS', 'PHONES', 'EMAILS', 'REPLACE_TEXT', 'ENRICH_TEXT', 'RESOLVE_DUPLICATES', 'ACTIVE', 'IS_INSTALLED'];

function siteChanges(params: Record<string, unknown>): SiteChanges {
  const fields = paramCaseInsensitive(params, 'fields');
  if (!isPhpMap(fields)) throw argumentError('SOURCE_FIELDS_NOT_OBJECT', 'fields');
  for (const key of Object.keys(fields)) {
    if (!FIELD_NAMES.includes(key)) throw argumentError('SOURCE_FIELD_UNKNOWN', key, { key, allowed: FIELD_NAMES.join(', ') });
  }
  let address: string | undefined;
  if ('ADDRESS' in fields) {
    const value = fields.ADDRESS;
    if (typeof value !== 'string') throw argumentError('SITE_ADDRESS_INVALID', 'ADDRESS', { value: phpString(value) });
    address = value;
  }
  return {
    address,
    phones: listField(fields, 'PHONES') as string[] | undefined,
    emails: listField(fields, 'EMAILS') as string[] | undefined,
    replaceText: flagField(fields, 'REPLACE_TEXT'),
    enrichText: flagField(fields, 'ENRICH_TEXT'),
    resolveDup: flagField(fields, 'RESOLVE_DUPLICATES'),
    active: flagField(fields, 'ACTIVE'),
    installed: flagField(fields, 'IS_INSTALLED'),
  };
}

export const siteAddMethod = defineMethod<SitesPorts>({
  name: 'salestrace.site.add',
  scope: 'crm',
  async handler({ params, caller, ports: { sites } }) {
    requireAdmin(caller);
    return sites.addSite(siteChanges(params));
  },
});

export const siteGetMethod = defineMethod<SitesPorts>({
  name: 'salestrace.site.get',
  scope: 'crm',
  async handler({ params, caller, ports: { sites } }) {
    requireAdmin(caller);
    const id = requiredId(params.id);
    const site = await sites.getSite(id);
    if (site === undefined) throw restError('SITE_NOT_FOUND', { id });
    return siteView(site);
  },
});

export const siteListMethod = defineMethod<SitesPorts>({
  name: 'salestrace.site.list',
  scope: 'crm',
  async handler({ start, caller, ports: { sites } }) {
    requireAdmin(caller);
    const all = (await sites.listSites()).map(siteView);
    const page = pageRequest(start);
    const rows = all.slice(page.offset, page.offset + page.limit);
    return pagedResult(rows, rows.length, page, all.length, 'legacy');
  },
});

export const siteUpdateMethod = defineMethod<SitesPorts>({
  name: 'salestrace.site.update',
  scope: 'crm',
  async handler({ params, caller, ports: { sites } }) {
    requireAdmin(caller);
    const id = requiredId(params.id);
    await sites.updateSite(id, siteChanges(params));
    return true;
  },
});

export const siteDeleteMethod = defineMethod<SitesPorts>({
  name: 'salestrace.site.delete',
  scope: 'crm',
  async handler({ params, caller, ports: { sites } }) {
    requireAdmin(caller);
    const id = requiredId(params.id);
    await sites.deleteSite(id);
    return true;
  },
});
