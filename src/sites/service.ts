// The website module as one service: own sites (and, below, forms and guests). Every change
// runs in one transaction with the version it moves.
import type { Clock } from '../clock.js';
import type { Db, Executor } from '../db/schema.js';
import type {
  GuestItem,
  GuestsPort,
  PublicSettingsPort,
  PublicSiteSettings,
  SiteChanges,
  SiteHostDirectory,
  SiteRecord,
  SitesPort,
} from './contract.js';
import { ensureGuest, guestIdOf, insertGuestItems, itemsOfGuest, loadPublicSettings, newGid, savePublicSettings } from './guestStore.js';
import { SiteError } from './errors.js';
import { applySiteChanges } from './siteFields.js';
import { activeSiteHosts, deleteSite, findSite, insertSite, loadSites, siteIdWithHost, sitesVersion, updateSite } from './siteStore.js';

export class SitesService implements SitesPort, SiteHostDirectory, GuestsPort, PublicSettingsPort {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  private nowSeconds(): number {
    return this.clock.now() / 1000;
  }

  async listActiveSites(): Promise<readonly SiteRecord[]> {
    return (await loadSites(this.db)).filter((site) => site.active && site.installed);
  }

  listSites(): Promise<readonly SiteRecord[]> {
    return loadSites(this.db);
  }

  getSite(id: number): Promise<SiteRecord | undefined> {
    return findSite(this.db, id);
  }

  addSite(changes: SiteChanges): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const site = applySiteChanges(undefined, changes, this.nowSeconds());
      await refuseTakenHost(trx, site.host, undefined);
      return insertSite(trx, site);
    });
  }

  updateSite(id: number, changes: SiteChanges): Promise<void> {
    return this.db.transaction().execute(async (trx) => {
      const current = await findSite(trx, id);
      if (current === undefined) throw new SiteError('siteNotFound', { id });
      const site = applySiteChanges(current, changes, this.nowSeconds());
      await refuseTakenHost(trx, site.host, id);
      await updateSite(trx, id, site);
    });
  }

  deleteSite(id: number): Promise<void> {
    return this.db.transaction().execute(async (trx) => {
      if ((await findSite(trx, id)) === undefined) throw new SiteError('siteNotFound', { id });
      await deleteSite(trx, id);
    });
  }

  sitesVersion(): Promise<string> {
    return sitesVersion(this.db);
  }

  activeHosts(db: Executor): Promise<ReadonlyMap<string, number>> {
    return activeSiteHosts(db);
  }

  activeSiteHosts(): Promise<ReadonlyMap<string, number>> {
    return activeSiteHosts(this.db);
  }

  async registerGuest(): Promise<string> {
    // 36^32 values: a collision is as good as impossible, but the unique key would refuse one.
    const gid = newGid();
    await this.db.insertInto('site_guests').values({ gid, created_at: Math.floor(this.nowSeconds()) }).execute();
    return gid;
  }

  async guestExists(gid: string): Promise<boolean> {
    return (await guestIdOf(this.db, gid)) !== undefined;
  }

  async linkGuestItems(gid: string, items: readonly GuestItem[], db?: Executor): Promise<void> {
    const link = async (trx: Executor) => insertGuestItems(trx, await ensureGuest(trx, gid, this.nowSeconds()), items, this.nowSeconds());
    if (db !== undefined) await link(db);
    else await this.db.transaction().execute(link);
  }

  guestItems(gid: string): Promise<GuestItem[]> {
    return itemsOfGuest(this.db, gid);
  }

  publicSettings(): Promise<PublicSiteSettings> {
    return loadPublicSettings(this.db);
  }

  async savePublicSettings(changes: Partial<PublicSiteSettings>): Promise<PublicSiteSettings> {
    await savePublicSettings(this.db, changes);
    return loadPublicSettings(this.db);
  }
}

async function refuseTakenHost(db: Executor, host: string, self: number | undefined): Promise<void> {
  const owner = await siteIdWithHost(db, host);
  if (owner !== undefined && owner !== self) throw new SiteError('siteHostTaken', { field: 'ADDRESS', host, id: owner });
}
