// The rules a site's fields follow (tracker-and-calls.md §2.2, the site editing rules): the host
// is the entered address's host, phones are strings of at most 30 characters (trimmed), e-mails
// must look like addresses; new sites have all three substitution flags on.
import { hostOf } from '../tracking/channels.js';
import type { SiteChanges, SiteRecord } from './contract.js';
import { SiteError } from './errors.js';

export const SITE_PHONE_MAX = 30;
/** Longest address kept; Bitrix's ADDRESS is a varchar(255). */
export const SITE_ADDRESS_MAX = 255;

/** Close to Bitrix's check_email: a local part of the usual characters, @, and a dotted domain. */
const EMAIL = /^[\w.+~'!$&*^`|#%/?{}=-]+@(?:[a-z0-9_-]+\.)+[a-z0-9-]{2,20}$/i;

/** The host an entered address names, or a refusal. A scheme other than http(s) is refused. */
export function hostOfAddress(address: string): string {
  const text = address.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  const refused = () => new SiteError('siteAddressInvalid', { field: 'ADDRESS', value: address });
  if (text === '' || text.length > SITE_ADDRESS_MAX || /\s/.test(text)) throw refused();
  const schemed = scheme === 'http' || scheme === 'https';
  // `host:8080` reads as a scheme to a URL parser; it is a host and port.
  if (scheme !== undefined && !schemed && !/^[^:/]+:\d+(?:[/?#]|$)/.test(text)) throw refused();
  const host = hostOf(schemed ? text : `http://${text.replace(/^\/\//, '')}`);
  if (host === null || !/^[a-z0-9.-]+$/.test(host) || !host.includes('.') && host !== 'localhost') throw refused();
  return host;
}

export function checkPhones(phones: readonly unknown[]): string[] {
  const kept: string[] = [];
  for (const phone of phones) {
    const text = typeof phone === 'number' && Number.isFinite(phone) ? String(phone) : phone;
    if (typeof text !== 'string' || text.trim().length > SITE_PHONE_MAX) {
      throw new SiteError('sitePhoneInvalid', { field: 'PHONES', limit: SITE_PHONE_MAX });
    }
    if (text.trim() !== '') kept.push(text.trim());
  }
  return kept;
}

export function checkEmails(emails: readonly unknown[]): string[] {
  const kept: string[] = [];
  for (const email of emails) {
    const text = typeof email === 'string' ? email.trim() : '';
    if (typeof email === 'string' && text === '') continue;
    if (!EMAIL.test(text)) throw new SiteError('siteEmailInvalid', { field: 'EMAILS', value: typeof email === 'string' ? email : String(email) });
    kept.push(text);
  }
  return kept;
}

/** The site a change gives, from the current one (or the defaults of a new site). */
export function applySiteChanges(current: SiteRecord | undefined, changes: SiteChanges, nowSeconds: number): Omit<SiteRecord, 'id'> {
  let address = current?.address;
  let host = current?.host;
  if (changes.address !== undefined) {
    host = hostOfAddress(changes.address);
    address = changes.address.trim();
  }
  if (address === undefined || host === undefined) throw new SiteError('siteAddressRequired', { field: 'ADDRESS' });
  return {
    address,
    host,
    phones: changes.phones === undefined ? (current?.phones ?? []) : checkPhones(changes.phones),
    emails: changes.emails === undefined ? (current?.emails ?? []) : checkEmails(changes.emails),
    replaceText: changes.replaceText ?? current?.replaceText ?? true,
    enrichText: changes.enrichText ?? current?.enrichText ?? true,
    resolveDup: changes.resolveDup ?? current?.resolveDup ?? true,
    active: changes.active ?? current?.active ?? true,
    installed: changes.installed ?? current?.installed ?? true,
    createdAt: current?.createdAt ?? Math.floor(nowSeconds),
  };
}
