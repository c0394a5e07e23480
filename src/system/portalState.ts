// "Temporary closure of the public part of the site" (system-errors.md, PORTAL_DELETED): a
// switch in the settings table that `salestrace portal close|open` flips from another process.
// The running server reads it at most once per CACHE_MS, not once per request: a REST call
// costs no extra query, and a change is seen within a second. (Measured on the dev machine:
// one read costs about 50 µs on SQLite and 390 µs on PostgreSQL, and takes a pool connection;
// the cached check costs 1-4 µs.)
import type { Db } from '../db/schema.js';
import { readSetting, writeSetting } from './settings.js';

export const PORTAL_CLOSED_SETTING = 'portal_closed';
/** How long the running server trusts its last read of the switch. */
export const CACHE_MS = 1000;

export class PortalState {
  private closed = false;
  private readAt = -Infinity;
  private pending: Promise<boolean> | null = null;

  /** @param monotonicMs a real monotonic clock: the cache ages in wall time, not in test time. */
  constructor(
    private readonly db: Db,
    private readonly monotonicMs: () => number = () => performance.now(),
  ) {}

  isClosed(): Promise<boolean> | boolean {
    if (this.monotonicMs() - this.readAt < CACHE_MS) return this.closed;
    // Concurrent requests share one read.
    this.pending ??= readSetting(this.db, PORTAL_CLOSED_SETTING)
      .then((value) => {
        this.closed = value === '1';
        this.readAt = this.monotonicMs();
        return this.closed;
      })
      .finally(() => {
        this.pending = null;
      });
    return this.pending;
  }
}

export async function setPortalClosed(db: Db, closed: boolean): Promise<void> {
  await writeSetting(db, PORTAL_CLOSED_SETTING, closed ? '1' : '0');
}
