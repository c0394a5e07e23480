// Every trace.add (and every batch row) attributes its trace with the source matcher, and
// building it read every source and value anew each time. This keeps the last one built and
// reuses it while the sources' version and the settings are unchanged; every write to the
// sources changes the version in its own transaction (settings.ts), whichever process (the
// server, a CLI command) makes it; the own sites (the site channel) likewise. The version is read before the sources, so a matcher is
// never kept under a version newer than the sources it was built from.
//
// Where the database has an exact change signal over the `settings` table (src/system/changeToken.ts:
// SQLite's data_version and triggers, PostgreSQL's LISTEN/NOTIFY), even that read is skipped
// while the token stays the same: a source change writes the version row, which moves the token
// in every process. A null token (no signal, or PostgreSQL's listening connection is down) reads
// the version as before.
import type { ChangeToken } from '../db/dialects/types.js';
import type { Executor } from '../db/schema.js';
import type { SiteHostDirectory } from '../sites/contract.js';
import { loadTrackingState } from './settings.js';
import { buildSourceMatcher, type SourceMatcher } from './sourceMatcher.js';
import { loadSources } from './sources.js';

export class SourceMatcherCache {
  #key: string | null = null;
  #matcher: SourceMatcher | null = null;
  /** The change token the matcher was checked under; null: check the version again. */
  #token: string | null = null;

  constructor(
    private readonly changes?: ChangeToken,
    /** The own sites for the site channel; none when the server has no sites module wired. */
    private readonly sites?: SiteHostDirectory,
  ) {}

  /**
   * The matcher for the sources and settings `db` sees now. `changesReadAfter`: a change-token
   * mark taken when the request arrived; a token read issued after it (the request's own
   * credentials check, usually) serves here too.
   */
  async get(db: Executor, changesReadAfter?: number): Promise<SourceMatcher> {
    // Read before the version: a change meanwhile moves the token, and the next call checks again.
    // Not inside a transaction: on SQLite the token is read on the one connection that
    // transaction holds, and would wait for it forever.
    const token = this.changes && !db.isTransaction ? await this.changes.read(changesReadAfter) : null;
    if (token !== null && token === this.#token && this.#matcher) return this.#matcher;
    const { settings, sourcesVersion, sitesVersion } = await loadTrackingState(db);
    const key = JSON.stringify([sourcesVersion, sitesVersion, settings.region, settings.socialReferrers]);
    if (this.#key !== key || !this.#matcher) {
      const siteHosts = this.sites ? await this.sites.activeHosts(db) : new Map<string, number>();
      this.#matcher = buildSourceMatcher(await loadSources(db), settings, siteHosts);
      this.#key = key;
    }
    this.#token = token;
    return this.#matcher;
  }
}
