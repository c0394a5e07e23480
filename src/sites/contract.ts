// What the website module promises the rest of the server: the customer's own sites (the
// tracker pack reads them, the site channel of a trace names them), site forms and guests.
// A leaf: it imports no other module's code, so tracking may read it without a circle.
import type { Executor } from '../db/schema.js';

/** One of the customer's own sites (b_crm_tracking_site, sales-intelligence.md §1.10). */
export interface SiteRecord {
  readonly id: number;
  /** As entered, e.g. `https://example.com/`. */
  readonly address: string;
  /** Lower-cased host of the address, `www.` kept. */
  readonly host: string;
  /** The phone numbers printed on the site, replaced by a source's pool numbers. */
  readonly phones: readonly string[];
  readonly emails: readonly string[];
  readonly replaceText: boolean;
  readonly enrichText: boolean;
  readonly resolveDup: boolean;
  readonly active: boolean;
  readonly installed: boolean;
  /** Unix seconds. */
  readonly createdAt: number;
}

/** A change to a site; absent fields stay as they are (on add: the defaults). */
export interface SiteChanges {
  readonly address?: string;
  readonly phones?: readonly string[];
  readonly emails?: readonly string[];
  readonly replaceText?: boolean;
  readonly enrichText?: boolean;
  readonly resolveDup?: boolean;
  readonly active?: boolean;
  readonly installed?: boolean;
}

export interface SitesPort {
  /** Active and installed sites, by ID: the ones the tracker pack serves (Provider::getReadySites). */
  listActiveSites(): Promise<readonly SiteRecord[]>;
  listSites(): Promise<readonly SiteRecord[]>;
  getSite(id: number): Promise<SiteRecord | undefined>;
  /** Throws SiteError (errors.ts) for a refused change. */
  addSite(changes: SiteChanges): Promise<number>;
  updateSite(id: number, changes: SiteChanges): Promise<void>;
  deleteSite(id: number): Promise<void>;
  /** Names the current state of the sites; changes in the same transaction as every site change. '' before any. */
  sitesVersion(): Promise<string>;
}

/** The `settings` row that holds the sites' version (read by tracking with its own state). */
export const SITES_VERSION_SETTING = 'sites.version';

/** What the site channel of a trace needs (§3.5): the active own sites by host. */
export interface SiteHostDirectory {
  /** host → site ID of every active own site, as `db` sees them now. */
  activeHosts(db: Executor): Promise<ReadonlyMap<string, number>>;
}

/** A CRM item a guest became (b_crm_button_guest_entity). */
export interface GuestItem {
  readonly entityTypeId: number;
  readonly entityId: number;
}

/** The visitors the tracker registers through /pub/guest.php (tracker-and-calls.md §3). */
export interface GuestsPort {
  /** A new guest; its gid is 32 random characters from a CSPRNG. Inside `db` when given. */
  registerGuest(db?: Executor): Promise<string>;
  /** Whether a guest with this gid is recorded. */
  guestExists(gid: string): Promise<boolean>;
  /** Records that the guest `gid` became these items, recording the guest first when it is new; inside `db` when given. */
  linkGuestItems(gid: string, items: readonly GuestItem[], db?: Executor): Promise<void>;
  /** The items a guest became, in the order they were linked. */
  guestItems(gid: string): Promise<GuestItem[]>;
}

/** Options of the public endpoints, kept in the `settings` table (`salestrace site settings`). */
export interface PublicSiteSettings {
  /** Answer any Origin with credentials, as a portal does; off: only the origins of active own sites. */
  readonly anyOrigin: boolean;
}

export interface PublicSettingsPort {
  publicSettings(): Promise<PublicSiteSettings>;
  savePublicSettings(changes: Partial<PublicSiteSettings>): Promise<PublicSiteSettings>;
  /** host → site ID of every active own site, read now. */
  activeSiteHosts(): Promise<ReadonlyMap<string, number>>;
}

/** A site form (Salestrace's own): a plain HTML form on an own site that creates a lead. */
export interface FormRecord {
  readonly id: number;
  /** Random; the form posts to /pub/form/{code}. */
  readonly code: string;
  readonly name: string;
  /** The own site it is posted from; null: any active own site. */
  readonly siteId: number | null;
  /** Form field name → lead field (FORM_LEAD_FIELDS). */
  readonly fields: Readonly<Record<string, string>>;
  /** Also create a contact from the name, phone and e-mail, and link the lead to it. */
  readonly createContact: boolean;
  readonly responsibleId: number;
  /** Where a plain HTML post is sent after success (303); null: answer JSON. */
  readonly thanksUrl: string | null;
  readonly active: boolean;
  readonly createdAt: number;
}

export interface FormChanges {
  readonly name?: string;
  readonly siteId?: number | null;
  readonly fields?: Readonly<Record<string, unknown>>;
  readonly createContact?: boolean;
  readonly responsibleId?: number;
  readonly thanksUrl?: string | null;
  readonly active?: boolean;
}

export interface FormsPort {
  listForms(): Promise<readonly FormRecord[]>;
  getForm(id: number): Promise<FormRecord | undefined>;
  /** An active form by its code. */
  formByCode(code: string): Promise<FormRecord | undefined>;
  /** Throws SiteError for a refused change. */
  addForm(changes: FormChanges): Promise<number>;
  updateForm(id: number, changes: FormChanges): Promise<void>;
  deleteForm(id: number): Promise<void>;
}

/** The lead fields a form may fill: texts, and PHONE and EMAIL as one work value each. */
export const FORM_LEAD_FIELDS = ['TITLE', 'NAME', 'LAST_NAME', 'SECOND_NAME', 'COMPANY_TITLE', 'POST', 'PHONE', 'EMAIL', 'COMMENTS', 'ADDRESS', 'WEB'] as const;
