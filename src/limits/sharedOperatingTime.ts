// The operating-time limit (rest-protocol.md §4.2) kept in the database, for several processes on
// one PostgreSQL database. The same one-minute buckets as operatingTime.ts, one row each:
// recording a call is one INSERT … ON CONFLICT DO UPDATE that adds its seconds to the row (an
// atomic increment, no read-modify-write), and the check and the report are one SELECT of the
// live rows' sum. A method's budget is therefore the same with one process or eight.
import { sql } from 'kysely';
import type { Clock } from '../clock.js';
import { executeRepeated } from '../db/hotStatement.js';
import type { Db } from '../db/schema.js';
import { restError } from '../rest/errors.js';
import type { OperatingReport } from '../rest/time.js';
import type { OperatingSeen, OperatingTime } from './contract.js';
import { MIN_RECORDED_SECONDS, WINDOW_SECONDS } from './operatingTime.js';

const BUCKET_SECONDS = 60;
/** Every this many recorded calls a process deletes the expired buckets. */
const SWEEP_EVERY = 500;

export class SharedOperatingTime implements OperatingTime {
  #recorded = 0;

  constructor(
    private readonly db: Db,
    readonly limitSeconds: number | null,
    private readonly clock: Clock,
  ) {}

  /** The live buckets' sum and the first call of the oldest, in one statement. */
  private async live(key: string, nowSeconds: number): Promise<{ total: number; oldest: number | null }> {
    const { rows } = await executeRepeated(this.db, sql<{ total: number | null; oldest: number | null }>`
      select sum(seconds) as total, min(first_call_at) as oldest from operating_buckets
      where credential = ${key} and first_call_at > cast(${nowSeconds} as double precision) - ${WINDOW_SECONDS}`);
    const row = rows[0];
    return { total: Number(row?.total ?? 0), oldest: row?.oldest === null || row?.oldest === undefined ? null : Number(row.oldest) };
  }

  /** Reads the key once per call, even with the limit off: report() uses what it read. */
  async check(key: string): Promise<OperatingSeen> {
    const seen = await this.live(key, this.clock.now() / 1000);
    if (this.limitSeconds !== null && seen.total > this.limitSeconds) throw restError('OPERATION_TIME_LIMIT');
    return seen;
  }

  async record(key: string, startSeconds: number, durationSeconds: number): Promise<void> {
    if (!(durationSeconds > MIN_RECORDED_SECONDS)) return;
    const minute = Math.floor(startSeconds / BUCKET_SECONDS);
    await executeRepeated(this.db, sql`
      insert into operating_buckets as b (credential, minute, seconds, first_call_at)
      values (${key}, cast(${minute} as bigint), cast(${durationSeconds} as double precision), cast(${Math.floor(startSeconds)} as bigint))
      on conflict (credential, minute) do update set seconds = b.seconds + excluded.seconds`);
    if (++this.#recorded % SWEEP_EVERY === 0) {
      this.db
        .deleteFrom('operating_buckets')
        .where('first_call_at', '<=', Math.floor(startSeconds) - WINDOW_SECONDS)
        .execute()
        .catch(() => {});
    }
  }

  /**
   * What check() read plus this call's own time, without another query. Calls of other
   * processes that ended meanwhile show from the next call on. When a bucket expired during
   * the call (the oldest one did, if any did), the live rows are read again.
   */
  async report(
    key: string,
    callStartSeconds: number,
    nowSeconds: number,
    seen?: OperatingSeen | null,
    call?: { readonly startSeconds: number; readonly durationSeconds: number },
  ): Promise<OperatingReport> {
    const expired = seen && seen.oldest !== null && nowSeconds >= seen.oldest + WINDOW_SECONDS;
    let { total, oldest } = seen && !expired ? seen : await this.live(key, nowSeconds);
    if (seen && !expired && call && call.durationSeconds > MIN_RECORDED_SECONDS) {
      total += call.durationSeconds;
      oldest = Math.min(oldest ?? Infinity, Math.floor(call.startSeconds));
    }
    return { operating: total, resetAt: (oldest ?? Math.floor(callStartSeconds)) + WINDOW_SECONDS };
  }
}
