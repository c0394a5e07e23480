// Every trace.add (and every batch row) attributes its trace with the source matcher, and
// building it read every source and value anew each time. This keeps the last one built and
// reuses it while the sources' version and the settings are unchanged; every write to the
// sources changes the version in its own transaction (settings.ts), whichever process (the
// server, a CLI command) makes it. The version is read before the sources, so a matcher is
// never kept under a version newer than the sources it was built from.
import type { Executor } from '../db/schema.js';
import { loadTrackingState } from './settings.js';
import { buildSourceMatcher, type SourceMatcher } from './sourceMatcher.js';
import { loadSources } from './sources.js';

export class SourceMatcherCache {
  #key: string | null = null;
  #matcher: SourceMatcher | null = null;

  /** The matcher for the sources and settings `db` sees now. */
  async get(db: Executor): Promise<SourceMatcher> {
    const { settings, sourcesVersion } = await loadTrackingState(db);
    const key = JSON.stringify([sourcesVersion, settings.region, settings.socialReferrers]);
    if (this.#key === key && this.#matcher) return this.#matcher;
    const matcher = buildSourceMatcher(await loadSources(db), settings);
    this.#key = key;
    this.#matcher = matcher;
    return matcher;
  }
}
