// The operating-time ("resource intensity") limit of rest-protocol.md §4.2 and limits.md: per
// credential and method, the execution seconds of calls longer than 0.1 s are summed in
// one-minute buckets. A bucket counts for ten minutes from the first call recorded in it, and
// that moment is what `time.operating_reset_at` reports (limits.md: "the countdown for the
// basket starts from the first recorded method call in the corresponding minute and lasts
// 10 minutes"). A method whose live sum is over the limit is refused with 429 until enough
// buckets expire; the call that crosses the limit still completes.
import type { Clock } from '../clock.js';
import { restError } from '../rest/errors.js';
import type { OperatingReport } from '../rest/time.js';
import type { OperatingTime } from './contract.js';

const BUCKET_SECONDS = 60;
/** How long a bucket counts, from its first recorded call: ten one-minute buckets. */
export const WINDOW_SECONDS = 600;
/** Keys of credentials that stopped calling are swept once this many are tracked. */
const SWEEP_AT_KEYS = 10_000;
/** Calls at or under this many seconds are not recorded. */
export const MIN_RECORDED_SECONDS = 0.1;

interface Bucket {
  seconds: number;
  /** Whole unix seconds of the first recorded call in this bucket. */
  firstCallAt: number;
}

/** The limit in this process's memory: for one process (SQLite). */
export class OperatingTimeLimiter implements OperatingTime {
  private readonly buckets = new Map<string, Map<number, Bucket>>();

  /** @param limitSeconds null turns the refusal off; the time is still reported. */
  constructor(
    readonly limitSeconds: number | null,
    private readonly clock: Clock,
  ) {}

  /** The key's buckets that still count at `nowSeconds`; expired ones are dropped. */
  private live(key: string, nowSeconds: number): Map<number, Bucket> | undefined {
    const buckets = this.buckets.get(key);
    if (!buckets) return undefined;
    for (const [index, bucket] of buckets) {
      if (nowSeconds >= bucket.firstCallAt + WINDOW_SECONDS) buckets.delete(index);
    }
    if (buckets.size === 0) {
      this.buckets.delete(key);
      return undefined;
    }
    return buckets;
  }

  /** Accumulated seconds of this key in the live window. */
  operating(key: string, nowSeconds: number): number {
    let total = 0;
    for (const bucket of this.live(key, nowSeconds)?.values() ?? []) total += bucket.seconds;
    return total;
  }

  /** Throws OPERATION_TIME_LIMIT when the method is already over its budget. */
  async check(key: string): Promise<null> {
    if (this.limitSeconds !== null && this.operating(key, this.clock.now() / 1000) > this.limitSeconds) {
      throw restError('OPERATION_TIME_LIMIT');
    }
    // Reading the memory again in report() costs nothing.
    return null;
  }

  /** Adds one call's execution time to the bucket of the minute it started in. */
  async record(key: string, startSeconds: number, durationSeconds: number): Promise<void> {
    if (!(durationSeconds > MIN_RECORDED_SECONDS)) return;
    const index = Math.floor(startSeconds / BUCKET_SECONDS);
    let buckets = this.buckets.get(key);
    if (!buckets) {
      if (this.buckets.size >= SWEEP_AT_KEYS) this.forgetExpired(startSeconds);
      buckets = new Map();
      this.buckets.set(key, buckets);
    }
    const bucket = buckets.get(index);
    if (bucket) bucket.seconds += durationSeconds;
    else buckets.set(index, { seconds: durationSeconds, firstCallAt: Math.floor(startSeconds) });
  }

  private forgetExpired(nowSeconds: number): void {
    for (const key of [...this.buckets.keys()]) this.live(key, nowSeconds);
  }

  /**
   * `time.operating` and `time.operating_reset_at` for this key. With nothing recorded the
   * reset moment is counted from this call's start, as the cloud reports it (docs examples
   * show `operating: 0` with `operating_reset_at` = start + 600).
   */
  async report(key: string, callStartSeconds: number, nowSeconds: number): Promise<OperatingReport> {
    const buckets = this.live(key, nowSeconds);
    let total = 0;
    let oldest = Math.floor(callStartSeconds);
    if (buckets) {
      oldest = Infinity;
      for (const bucket of buckets.values()) {
        total += bucket.seconds;
        oldest = Math.min(oldest, bucket.firstCallAt);
      }
    }
    return { operating: total, resetAt: oldest + WINDOW_SECONDS };
  }
}

/** Auth type, credential (webhook or app) and method: the limit's key (§4.2). */
export function operatingKey(authType: string, credentialId: number, method: string): string {
  return `${authType}:${credentialId}:${method}`;
}
