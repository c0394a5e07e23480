// The operating-time ("resource intensity") limit of rest-protocol.md §4.2: per credential and
// method, execution seconds of calls longer than 0.1 s are summed in one-minute buckets over
// ten minutes. A method over the limit is refused with 429 until old buckets expire.
import type { Clock } from '../clock.js';
import { restError } from '../rest/errors.js';
import type { OperatingReport } from '../rest/time.js';

const BUCKET_SECONDS = 60;
const WINDOW_BUCKETS = 10;
const WINDOW_SECONDS = BUCKET_SECONDS * WINDOW_BUCKETS;
/** Calls at or under this many seconds are not recorded. */
export const MIN_RECORDED_SECONDS = 0.1;

interface Bucket {
  seconds: number;
  /** Unix seconds of the first recorded call in this bucket. */
  firstCallAt: number;
}

export class OperatingTimeLimiter {
  private readonly buckets = new Map<string, Map<number, Bucket>>();

  /** @param limitSeconds null turns the refusal off; the time is still reported. */
  constructor(
    private readonly limitSeconds: number | null,
    private readonly clock: Clock,
  ) {}

  private live(key: string, nowSeconds: number): Map<number, Bucket> | undefined {
    const buckets = this.buckets.get(key);
    if (!buckets) return undefined;
    const oldestLive = Math.floor(nowSeconds / BUCKET_SECONDS) - (WINDOW_BUCKETS - 1);
    for (const index of buckets.keys()) if (index < oldestLive) buckets.delete(index);
    if (buckets.size === 0) {
      this.buckets.delete(key);
      return undefined;
    }
    return buckets;
  }

  private sum(key: string, nowSeconds: number): number {
    let total = 0;
    for (const bucket of this.live(key, nowSeconds)?.values() ?? []) total += bucket.seconds;
    return total;
  }

  /** Throws OPERATION_TIME_LIMIT when the method is already over its budget. */
  check(key: string): void {
    if (this.limitSeconds === null) return;
    if (this.sum(key, this.clock.now() / 1000) > this.limitSeconds) throw restError('OPERATION_TIME_LIMIT');
  }

  record(key: string, startSeconds: number, durationSeconds: number): void {
    if (durationSeconds <= MIN_RECORDED_SECONDS) return;
    const index = Math.floor(startSeconds / BUCKET_SECONDS);
    let buckets = this.buckets.get(key);
    if (!buckets) {
      buckets = new Map();
      this.buckets.set(key, buckets);
    }
    const bucket = buckets.get(index);
    if (bucket) bucket.seconds += durationSeconds;
    else buckets.set(index, { seconds: durationSeconds, firstCallAt: startSeconds });
  }

  /** `time.operating` and `time.operating_reset_at` for this key, now. */
  report(key: string, nowSeconds: number): OperatingReport {
    const buckets = this.live(key, nowSeconds);
    if (!buckets) return { operating: 0, resetAt: Math.floor(nowSeconds) + WINDOW_SECONDS };
    let total = 0;
    let oldest = Infinity;
    for (const bucket of buckets.values()) {
      total += bucket.seconds;
      oldest = Math.min(oldest, bucket.firstCallAt);
    }
    return { operating: total, resetAt: Math.floor(oldest) + WINDOW_SECONDS };
  }
}

export function operatingKey(authType: string, credentialId: number, method: string): string {
  return `${authType}:${credentialId}:${method}`;
}
