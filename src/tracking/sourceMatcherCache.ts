// Every trace.add (and every batch row) attributes its trace with the source matcher, and
// building it read every source and value anew each time. This keeps the last one built and
// reuses it while the sources' version and the settings are unchanged; every write to the
// sources changes the version in its own transaction (settings.ts), whichever process (the
// server, a CLI command) makes it; the own sites (the site channel) likewise. The version is read before the sources, so a matcher is
// never kept under a version newer than the sources it was built from.
import type { Executor } from '../db/schema.js';
import type { SiteHostDirectory } from '../sites/contract.js';
import { loadTrackingState } from './settings.js';
import { buildSourceMatcher, type SourceMatcher } from './sourceMatcher.js';
import { loadSources } from './sources.js';

export class SourceMatcherCache {
  #key: string | null = null;
  #matcher: SourceMatcher | null = null;

  /** The own sites for the site channel; none when the server has no sites module wired. */
  constructor(private readonly sites?: SiteHostDirectory) {}

  /** The matcher for the sources and settings `db` sees now. */
  async get(db: Executor): Promise<SourceMatcher> {
    const { settings, sourcesVersion, sitesVersion } = await loadTrackingState(db);
    const key = JSON.stringify([sourcesVersion, sitesVersion, settings.region, settings.socialReferrers]);
    if (this.#key === key && this.#matcher) return this.#matcher;
    const siteHosts = this.sites ? await this.sites.activeHosts(db) : new Map<string, number>();
    const matcher = buildSourceMatcher(await loadSources(db), settings, siteHosts);
    this.#key = key;
    this.#matcher = matcher;
    return matcher;
  }
}
