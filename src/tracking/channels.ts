// Trace channels (sales-intelligence.md §3.4, §3.5): the codes Bitrix's channel factory knows,
// how a channel value is normalised, and the site channel a landing URL gives.

/** Bitrix's Channel\Factory::getCodes(). `crm-shop` exists as a class but is not listed there, so JSON cannot name it. */
export const CHANNEL_CODES = [
  'site',
  'site24',
  'shop24',
  'site-domain',
  'call',
  'mail',
  'imol',
  'button',
  'form',
  'callback',
  'fb-lead-ads',
  'vk-lead-ads',
  'rest',
  'order',
  'sales-center',
] as const;

export type ChannelCode = (typeof CHANNEL_CODES)[number];

export interface TraceChannel {
  readonly code: ChannelCode;
  readonly value: string | null;
}

export function isChannelCode(code: unknown): code is ChannelCode {
  return typeof code === 'string' && (CHANNEL_CODES as readonly string[]).includes(code);
}

/** Phone numbers are compared by their digits: "+7 (999) 123-45-67" and "79991234567" are one number. */
export function normalizePhone(value: string): string {
  return value.replace(/\D+/g, '');
}

export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

/** A channel value as stored: calls and mails normalised like the source pools they are matched against. */
export function normalizeChannelValue(code: ChannelCode, value: string | null): string | null {
  if (value === null) return null;
  if (code === 'call') return normalizePhone(value);
  if (code === 'mail') return normalizeEmail(value);
  return value;
}

/**
 * The lower-cased host of a URL, `www.` kept (Bitrix's Uri::getHost). A URL without a scheme
 * ("example.com/page") is read as http, so hand-written traces work too. Null when there is no host.
 */
export function hostOf(url: string): string | null {
  const text = url.trim();
  const absolute = /^[a-z][a-z0-9+.-]*:/i.test(text) ? text : text.startsWith('//') ? `http:${text}` : `http://${text}`;
  try {
    const host = new URL(absolute).hostname.toLowerCase();
    return host === '' ? null : host;
  } catch {
    return null;
  }
}

/**
 * The site channel of a landing URL (§3.5): `site` with the ID of the active own site whose host
 * it is, else `site-domain` with the host. Salestrace has no Bitrix24 landings, so `site24` and
 * `shop24` never come from a URL (COMPATIBILITY.md).
 */
export function siteChannelForUrl(url: string, siteIdByHost: (host: string) => number | null): TraceChannel {
  const host = hostOf(url);
  const siteId = host === null ? null : siteIdByHost(host);
  return siteId === null ? { code: 'site-domain', value: host } : { code: 'site', value: String(siteId) };
}

/** Open Channels connectors that stand for a source on their own (§3.4, Imol). */
export const IMOL_CONNECTOR_SOURCES: Readonly<Record<string, string>> = {
  yandex: 'yandex',
  vkgroup: 'vk',
  vkgrouporder: 'vk',
  facebook: 'fb',
  facebookcomments: 'fb',
  facebookmessenger: 'fb',
  fbinstagram: 'instagram',
  instagram: 'instagram',
};
