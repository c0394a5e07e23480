// The configuration inlined into the pack (tracker-and-calls.md §1.2, §2.2): the guest module's
// properties and the argument of `Manager.Instance.load`, from the ready sources and sites.
import { matchableSources, type SourceRecord, type TrackingSettings } from '../tracking/sourceCatalog.js';
import type { TrackedSite } from './contract.js';

export interface PackInputs {
  readonly sources: readonly SourceRecord[];
  readonly settings: TrackingSettings;
  readonly sites: readonly TrackedSite[];
  /** The attribution window in days: the guest module's `lifespan`. */
  readonly lifespanDays: number;
}

export interface TrackerConfig {
  readonly enabled: boolean;
  readonly sources: { code: null; name: null; utm: string[]; replacement: { email: string[]; phone: string[] } }[];
  readonly sites: {
    host: string;
    b24: false;
    replaceText: boolean;
    enrichText: boolean;
    resolveDup: boolean;
    replacement: { type: 'email' | 'phone'; value: string }[];
  }[];
  readonly editor: { resources: [] };
}

export interface PackSettings {
  readonly guest: { lifespan: number; canRegisterOrder: boolean };
  readonly tracker: TrackerConfig;
}

/**
 * Pool numbers are kept as digits (src/tracking/sources.ts), so the pack shows them in
 * international form; a portal formats them by country (COMPATIBILITY.md).
 */
export function displayPhone(digits: string): string {
  return digits.startsWith('+') ? digits : `+${digits}`;
}

/** Bitrix's getReadySources: active sources recognised by a UTM source or a referrer domain. */
function readySources(inputs: PackInputs): TrackerConfig['sources'] {
  return matchableSources(inputs.sources, inputs.settings)
    .filter((source) => source.values.UTM_SOURCE.length > 0 || source.values.REF_DOMAIN.length > 0)
    .map((source) => ({
      code: null,
      name: null,
      utm: [...source.values.UTM_SOURCE],
      replacement: { email: [...source.values.EMAIL], phone: source.values.PHONE.map(displayPhone) },
    }));
}

/** Bitrix's getReadySites: installed, active own sites, with the contacts printed on them (e-mails first). */
function readySites(inputs: PackInputs): TrackerConfig['sites'] {
  return inputs.sites
    .filter((site) => site.active && site.installed)
    .map((site) => ({
      host: site.host,
      b24: false,
      replaceText: site.replaceText,
      enrichText: site.enrichText,
      resolveDup: site.resolveDup,
      replacement: [
        ...site.emails.map((value) => ({ type: 'email' as const, value })),
        ...site.phones.map((value) => ({ type: 'phone' as const, value })),
      ],
    }));
}

export function packSettings(inputs: PackInputs): PackSettings {
  const sources = readySources(inputs);
  const sites = readySites(inputs);
  const enabled = sources.length > 0 && sites.length > 0;
  return {
    // Orders are always accepted (COMPATIBILITY.md): /pub/guest.php stores them as `order` traces.
    guest: { lifespan: inputs.lifespanDays, canRegisterOrder: true },
    tracker: { enabled, sources: enabled ? sources : [], sites: enabled ? sites : [], editor: { resources: [] } },
  };
}
