// The own sites in the database: read, written, and the version every change moves in the same
// transaction (contract.ts SITES_VERSION_SETTING), so caches of them (the site channel, the
// tracker pack) know when they are stale, whichever process made the change.
import { randomUUID } from 'node:crypto';
import type { Executor } from '../db/schema.js';
import { readSetting, writeSetting } from '../system/settings.js';
import { SITES_VERSION_SETTING, type SiteRecord } from './contract.js';
import type { Selectable } from 'kysely';
import type { SitesTable } from './tables.js';

type SiteRow = Selectable<SitesTable>;

function stringList(json: string): string[] {
  try {
    const list: unknown = JSON.parse(json);
    return Array.isArray(list) ? list.filter((entry): entry is string => typeof entry === 'string') : [];
  } catch {
    return [];
  }
}

function siteOf(row: SiteRow): SiteRecord {
  return {
    id: row.id,
    address: row.address,
    host: row.host,
    phones: stringList(row.phones_json),
    emails: stringList(row.emails_json),
    replaceText: row.replace_text === 1,
    enrichText: row.enrich_text === 1,
    resolveDup: row.resolve_dup === 1,
    active: row.active === 1,
    installed: row.installed === 1,
    createdAt: Number(row.created_at),
  };
}

function rowOf(site: Omit<SiteRecord, 'id'>) {
  return {
    address: site.address,
    host: site.host,
    phones_json: JSON.stringify(site.phones),
    emails_json: JSON.stringify(site.emails),
    replace_text: site.replaceText ? 1 : 0,
    enrich_text: site.enrichText ? 1 : 0,
    resolve_dup: site.resolveDup ? 1 : 0,
    active: site.active ? 1 : 0,
    installed: site.installed ? 1 : 0,
    created_at: site.createdAt,
  };
}

export async function loadSites(db: Executor): Promise<SiteRecord[]> {
  const rows = await db.selectFrom('sites').selectAll().orderBy('id').execute();
  return rows.map(siteOf);
}

export async function findSite(db: Executor, id: number): Promise<SiteRecord | undefined> {
  const row = await db.selectFrom('sites').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : siteOf(row);
}

/** The site that has `host`, if any. */
export async function siteIdWithHost(db: Executor, host: string): Promise<number | undefined> {
  const row = await db.selectFrom('sites').select('id').where('host', '=', host).executeTakeFirst();
  return row?.id;
}

export async function insertSite(db: Executor, site: Omit<SiteRecord, 'id'>): Promise<number> {
  const row = await db.insertInto('sites').values(rowOf(site)).returning('id').executeTakeFirstOrThrow();
  await markSitesChanged(db);
  return row.id;
}

export async function updateSite(db: Executor, id: number, site: Omit<SiteRecord, 'id'>): Promise<void> {
  await db.updateTable('sites').set(rowOf(site)).where('id', '=', id).execute();
  await markSitesChanged(db);
}

export async function deleteSite(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('sites').where('id', '=', id).execute();
  await markSitesChanged(db);
}

/** host → ID of the active sites (Bitrix's getSiteIdByHost reads active sites only, §1.10). */
export async function activeSiteHosts(db: Executor): Promise<Map<string, number>> {
  const rows = await db.selectFrom('sites').select(['id', 'host']).where('active', '=', 1).execute();
  return new Map(rows.map((row) => [row.host, row.id]));
}

async function markSitesChanged(db: Executor): Promise<void> {
  await writeSetting(db, SITES_VERSION_SETTING, randomUUID());
}

export async function sitesVersion(db: Executor): Promise<string> {
  return (await readSetting(db, SITES_VERSION_SETTING)) ?? '';
}
