// The website module as one service: own sites (and, below, forms and guests). Every change
// runs in one transaction with the version it moves.
import type { UserDirectory } from '../auth/contract.js';
import type { Clock } from '../clock.js';
import type { Db, Executor } from '../db/schema.js';
import type {
  FormChanges,
  FormRecord,
  FormsPort,
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
import { applyFormChanges } from './formFields.js';
import { deleteForm, findActiveFormByCode, findForm, insertForm, loadForms, updateForm } from './formStore.js';
import { applySiteChanges } from './siteFields.js';
import { activeSiteHosts, deleteSite, findSite, insertSite, loadSites, siteIdWithHost, sitesVersion, updateSite } from './siteStore.js';

export class SitesService implements SitesPort, SiteHostDirectory, GuestsPort, PublicSettingsPort, FormsPort {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly users: UserDirectory,
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

  async registerGuest(db: Executor = this.db): Promise<string> {
    // 36^32 values: a collision is as good as impossible, but the unique key would refuse one.
    const gid = newGid();
    await db.insertInto('site_guests').values({ gid, created_at: Math.floor(this.nowSeconds()) }).execute();
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

  listForms(): Promise<readonly FormRecord[]> {
    return loadForms(this.db);
  }

  getForm(id: number): Promise<FormRecord | undefined> {
    return findForm(this.db, id);
  }

  formByCode(code: string): Promise<FormRecord | undefined> {
    return findActiveFormByCode(this.db, code);
  }

  async addForm(changes: FormChanges): Promise<number> {
    const form = applyFormChanges(undefined, changes, this.nowSeconds());
    await this.checkResponsible(form.responsibleId);
    return this.db.transaction().execute(async (trx) => {
      await this.checkFormSite(trx, form);
      return insertForm(trx, form);
    });
  }

  async updateForm(id: number, changes: FormChanges): Promise<void> {
    // Users are read outside the transaction: SQLite has one connection, which it holds.
    if (changes.responsibleId !== undefined) await this.checkResponsible(changes.responsibleId);
    return this.db.transaction().execute(async (trx) => {
      const current = await findForm(trx, id);
      if (current === undefined) throw new SiteError('formNotFound', { id });
      const form = applyFormChanges(current, changes, this.nowSeconds());
      await this.checkFormSite(trx, form);
      await updateForm(trx, id, form);
    });
  }

  deleteForm(id: number): Promise<void> {
    return this.db.transaction().execute(async (trx) => {
      if ((await findForm(trx, id)) === undefined) throw new SiteError('formNotFound', { id });
      await deleteForm(trx, id);
    });
  }

  private async checkFormSite(db: Executor, form: Omit<FormRecord, 'id'>): Promise<void> {
    if (form.siteId !== null && (await findSite(db, form.siteId)) === undefined) throw new SiteError('formSiteNotFound', { field: 'SITE_ID' });
  }

  private async checkResponsible(userId: number): Promise<void> {
    const user = await this.users.findById(userId);
    if (user === undefined || !user.active) throw new SiteError('formResponsibleInvalid', { field: 'RESPONSIBLE_ID' });
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
