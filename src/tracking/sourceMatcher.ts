// Finding the source of a value (sales-intelligence.md §3.3): the first source, in matching
// order, that lists the value. Matching is exact: case-sensitive and untrimmed for utm_source,
// by host for referrers, by digits for phones, case-insensitive for emails.
import { hostOf, IMOL_CONNECTOR_SOURCES, normalizeEmail, normalizePhone, type TraceChannel } from './channels.js';
import { matchableSources, socialRefDomains, type SourceRecord, type TrackingSettings, type ValueKind } from './sourceCatalog.js';

export interface SourceMatcher {
  byUtmSource(value: string): number | null;
  /** `ref` is the referrer URL; its host is compared with the sources' referrer domains. */
  byReferrer(ref: string): number | null;
  byPhone(phone: string): number | null;
  byEmail(email: string): number | null;
  /** The source a channel stands for: a pooled phone or email, or a mapped Open Channels connector (§2.3). */
  byChannel(channel: TraceChannel): number | null;
  /** The active own site with exactly this (lower-cased) host, for the site channel (§3.5). */
  bySiteHost(host: string): number | null;
  /** The built-in code of a matchable source (google, fb, …), null for a custom or unknown one. */
  codeOf(sourceId: number): string | null;
}

interface Candidate {
  readonly id: number;
  readonly code: string | null;
  readonly values: Record<ValueKind, ReadonlySet<string>>;
}

export function buildSourceMatcher(
  sources: readonly SourceRecord[],
  settings: TrackingSettings,
  siteHosts: ReadonlyMap<string, number> = new Map(),
): SourceMatcher {
  const candidates: Candidate[] = matchableSources(sources, settings).map((source) => ({
    id: source.id,
    code: source.code,
    values: {
      UTM_SOURCE: new Set(source.values.UTM_SOURCE),
      // Bitrix merges these with PHP's `+`, which drops a built-in source's configured
      // domains (§3.2 step 3); Salestrace uses both lists (COMPATIBILITY.md).
      REF_DOMAIN: new Set([...socialRefDomains(source, settings), ...source.values.REF_DOMAIN]),
      PHONE: new Set(source.values.PHONE),
      EMAIL: new Set(source.values.EMAIL),
    },
  }));

  const first = (kind: ValueKind, value: string): number | null => {
    if (value === '') return null;
    return candidates.find((candidate) => candidate.values[kind].has(value))?.id ?? null;
  };
  const byCode = (code: string): number | null => candidates.find((candidate) => candidate.code === code)?.id ?? null;

  const matcher: SourceMatcher = {
    byUtmSource: (value) => first('UTM_SOURCE', value),
    byReferrer: (ref) => first('REF_DOMAIN', hostOf(ref) ?? ''),
    byPhone: (phone) => first('PHONE', normalizePhone(phone)),
    byEmail: (email) => first('EMAIL', normalizeEmail(email)),
    byChannel(channel) {
      if (channel.value === null) return null;
      if (channel.code === 'call') return matcher.byPhone(channel.value);
      if (channel.code === 'mail') return matcher.byEmail(channel.value);
      if (channel.code === 'imol' && Object.hasOwn(IMOL_CONNECTOR_SOURCES, channel.value)) {
        return byCode(IMOL_CONNECTOR_SOURCES[channel.value]);
      }
      return null;
    },
    bySiteHost: (host) => siteHosts.get(host) ?? null,
    codeOf: (sourceId) => candidates.find((candidate) => candidate.id === sourceId)?.code ?? null,
  };
  return matcher;
}
