// The built-in ("static") sources and which of them a portal offers (sales-intelligence.md
// §3.1, §3.2): availability by region, the social referrer domains, and the order in which
// sources are tried when a trace is matched.

export type Region = 'ru' | 'other';

export interface TrackingSettings {
  /** Bitrix decides by the portal's region which built-in sources exist. */
  readonly region: Region;
  /** Option `~crm_tracking_soc_ref_domain`: social sites recognised by referrer without UTM tags. */
  readonly socialReferrers: boolean;
}

export const DEFAULT_TRACKING_SETTINGS: TrackingSettings = { region: 'other', socialReferrers: true };

export const VALUE_KINDS = ['UTM_SOURCE', 'REF_DOMAIN', 'PHONE', 'EMAIL'] as const;
export type ValueKind = (typeof VALUE_KINDS)[number];

export type SourceValues = Record<ValueKind, string[]>;

export interface SourceRecord {
  readonly id: number;
  /** The built-in code, or null for a custom source. */
  readonly code: string | null;
  readonly name: string;
  readonly active: boolean;
  readonly createdAt: number | null;
  /** The values the administrator configured, already normalised. */
  readonly values: SourceValues;
}

interface BuiltInSource {
  readonly code: string;
  readonly regions: readonly Region[];
  readonly socialRefDomains: readonly string[];
}

/** In Bitrix's static order, which is also the matching order (§3.2 step 6). */
export const BUILT_IN_SOURCES: readonly BuiltInSource[] = [
  { code: 'google', regions: ['ru', 'other'], socialRefDomains: [] },
  { code: 'fb', regions: ['other'], socialRefDomains: ['www.facebook.com', 'facebook.com'] },
  { code: 'instagram', regions: ['other'], socialRefDomains: ['www.instagram.com', 'instagram.com'] },
  { code: 'vkads', regions: ['ru'], socialRefDomains: ['www.ads.vk.com', 'ads.vk.com'] },
  { code: 'vk', regions: ['ru'], socialRefDomains: ['www.vk.com', 'vk.com'] },
  { code: 'yandex', regions: ['ru'], socialRefDomains: [] },
];

/** Organic traffic, "Other traffic": a virtual source with ID 0 that never matches anything. */
export const ORGANIC_SOURCE = { id: 0, code: 'organic', name: 'Other traffic' } as const;

function builtIn(code: string | null): BuiltInSource | undefined {
  return code === null ? undefined : BUILT_IN_SOURCES.find((source) => source.code === code);
}

export function isBuiltIn(source: SourceRecord): boolean {
  return builtIn(source.code) !== undefined;
}

/** Custom sources exist everywhere; a built-in one only in its regions. */
export function isAvailable(source: SourceRecord, settings: TrackingSettings): boolean {
  const definition = builtIn(source.code);
  return definition === undefined || definition.regions.includes(settings.region);
}

/** The hard-wired referrer domains a built-in source has while the social option is on. */
export function socialRefDomains(source: SourceRecord, settings: TrackingSettings): readonly string[] {
  return settings.socialReferrers ? builtIn(source.code)?.socialRefDomains ?? [] : [];
}

function staticRank(source: SourceRecord): number {
  const index = BUILT_IN_SOURCES.findIndex((definition) => definition.code === source.code);
  return index === -1 ? BUILT_IN_SOURCES.length : index;
}

/** Every source in display and matching order: built-ins in static order, then custom ones by ID. */
export function sortSources(sources: readonly SourceRecord[]): SourceRecord[] {
  return [...sources].sort((a, b) => staticRank(a) - staticRank(b) || a.id - b.id);
}

/** The sources a trace may be attributed to: active and available, in matching order. */
export function matchableSources(sources: readonly SourceRecord[], settings: TrackingSettings): SourceRecord[] {
  return sortSources(sources).filter((source) => source.active && isAvailable(source, settings));
}
