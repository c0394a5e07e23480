// Row types of the website tables (migration 0700), shaped after Bitrix's b_crm_tracking_site
// and b_crm_button_guest(_entity) (sales-intelligence.md §1.10, tracker-and-calls.md §3.4).
import type { Generated } from 'kysely';

/** b_crm_tracking_site: one of the customer's own sites. */
export interface SitesTable {
  id: Generated<number>;
  address: string;
  /** Lower-cased host of `address`, `www.` kept; unique. */
  host: string;
  /** The phone numbers printed on the site, as entered (trimmed). */
  phones_json: Generated<string>;
  emails_json: Generated<string>;
  replace_text: Generated<number>;
  enrich_text: Generated<number>;
  resolve_dup: Generated<number>;
  active: Generated<number>;
  installed: Generated<number>;
  /** Unix seconds. */
  created_at: number;
}

/** b_crm_button_guest: a browser the tracker registered. */
export interface SiteGuestsTable {
  id: Generated<number>;
  gid: string;
  created_at: number;
}

/** b_crm_button_guest_entity: the CRM items a guest became. */
export interface SiteGuestItemsTable {
  id: Generated<number>;
  guest_id: number;
  entity_type_id: number;
  entity_id: number;
  created_at: number;
}

/** A Salestrace site form: posted by a plain HTML form, it creates a lead. */
export interface SiteFormsTable {
  id: Generated<number>;
  code: string;
  name: string;
  /** The own site it may be posted from; NULL: any active own site. */
  site_id: number | null;
  /** `{"<form field>": "<lead field>"}`. */
  fields_json: Generated<string>;
  create_contact: Generated<number>;
  responsible_id: number | null;
  thanks_url: string | null;
  active: Generated<number>;
  created_at: number;
}

export interface SitesTables {
  sites: SitesTable;
  site_guests: SiteGuestsTable;
  site_guest_items: SiteGuestItemsTable;
  site_forms: SiteFormsTable;
}
