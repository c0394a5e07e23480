// The change token the server's caches are built on (src/auth/credentialCache.ts): the
// dialect's exact change signal over the tables those caches read, where the dialect has one
// (SQLite: src/db/dialects/sqliteChangeSignal.ts, PostgreSQL: postgresChangeSignal.ts explain why
// each is exact, across processes too). Without one `read()` answers null and callers do not
// cache (no time-based staleness anywhere).
import type { Db } from '../db/schema.js';
import type { ChangeToken, ChangeWatcher } from '../db/dialects/types.js';

export type { ChangeToken };

/**
 * The tables the caches are built from; a write to any of them invalidates every cache.
 * `settings` holds the sources' version and the tracking settings (sourceMatcherCache.ts).
 */
export const WATCHED_TABLES = ['users', 'webhooks', 'settings'] as const;

/** For a dialect without an exact change signal: never cache. */
export const NEVER_CACHE: ChangeToken = { read: async () => null };

export function changeTokenFor(db: Db, watchChanges: ChangeWatcher | null, insideOneTransaction?: () => boolean): Promise<ChangeToken> {
  if (!watchChanges) return Promise.resolve(NEVER_CACHE);
  return watchChanges(db, WATCHED_TABLES, insideOneTransaction ?? (() => false));
}
