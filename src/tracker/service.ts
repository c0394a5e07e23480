// Serves the tracker pack: the bundled browser code with the configuration inlined, rebuilt when
// a source, a site or the attribution window changes (the versions are read on every request).
import { createHash } from 'node:crypto';
import type { Config } from '../config.js';
import type { Db } from '../db/schema.js';
import { readSetting } from '../system/settings.js';
import { loadSources } from '../tracking/sources.js';
import { loadTrackingState } from '../tracking/settings.js';
import type { LoaderSnippet, PackFile, PackName, TrackedSites, TrackerPort } from './contract.js';
import { loaderSnippet } from './loader.js';
import { packSettings, type PackSettings } from './packConfig.js';
import { bundledCode } from './packFiles.js';

/** sales-intelligence.md §4.4: the attribution window, the guest module's `lifespan`. */
export const ATTRIBUTION_WINDOW_KEY = 'tracking.attribution_window_days';
export const DEFAULT_ATTRIBUTION_WINDOW_DAYS = 28;
/** Distinct addresses a pack is kept for (requests may name any Host). */
const MAX_CACHED = 16;

export function attributionWindowDays(stored: string | undefined): number {
  const days = stored === undefined ? NaN : Number(stored.trim());
  return Number.isInteger(days) && days > 0 && days <= 3650 ? days : DEFAULT_ATTRIBUTION_WINDOW_DAYS;
}

/** A JSON value safe to place in a script: no `</script>`, no line separators. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

export function packText(name: PackName, address: string, settings: PackSettings): string {
  const inlined = { address, guest: settings.guest, ...(name === 'call.tracker' ? { tracker: settings.tracker } : {}) };
  return `;(function () {\nvar __salestracePack = ${scriptJson(inlined)};\n${bundledCode(name)}})();\n`;
}

export class TrackerService implements TrackerPort {
  private readonly built = new Map<string, { stamp: string; file: PackFile }>();

  constructor(
    private readonly db: Db,
    private readonly sites: TrackedSites,
    private readonly config: Pick<Config, 'publicUrl'>,
  ) {}

  /** Names everything the pack is built from; it changes whenever any of it changes. */
  private async stamp(): Promise<{ stamp: string; windowDays: number }> {
    const [state, window, sitesVersion] = await Promise.all([
      loadTrackingState(this.db),
      readSetting(this.db, ATTRIBUTION_WINDOW_KEY),
      this.sites.sitesVersion(),
    ]);
    const windowDays = attributionWindowDays(window);
    const { region, socialReferrers } = state.settings;
    return { stamp: JSON.stringify([state.sourcesVersion, region, socialReferrers, windowDays, sitesVersion]), windowDays };
  }

  async pack(name: PackName, address: string): Promise<PackFile> {
    const { stamp, windowDays } = await this.stamp();
    const key = `${name}\n${address}`;
    const kept = this.built.get(key);
    if (kept && kept.stamp === stamp) return kept.file;
    const [sources, state, sites] = await Promise.all([loadSources(this.db), loadTrackingState(this.db), this.sites.listActiveSites()]);
    const settings = packSettings({ sources, settings: state.settings, sites, lifespanDays: windowDays });
    const body = packText(name, address, settings);
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
    const file = { body, etag };
    if (this.built.size >= MAX_CACHED && !this.built.has(key)) this.built.clear();
    this.built.set(key, { stamp, file });
    return file;
  }

  loader(address: string): LoaderSnippet {
    return loaderSnippet(address);
  }

  publicAddress(fallback: string): string {
    return this.config.publicUrl ?? fallback;
  }
}
