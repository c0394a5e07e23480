// The request-rate limit of rest-protocol.md §4.1: each HTTP request adds one to a counter
// that drains at a fixed rate; a request that would overflow the bucket is refused.
import type { Clock } from '../clock.js';
import type { RequestRateLimit } from './contract.js';

export interface RatePlan {
  /** Requests drained per second. */
  readonly drainPerSecond: number;
  /** Bucket size: how many requests may arrive at once. */
  readonly burst: number;
}

interface Level {
  value: number;
  at: number;
}

export class LeakyBucket {
  private readonly levels = new Map<string, Level>();

  constructor(
    private readonly plan: RatePlan,
    private readonly clock: Clock,
  ) {}

  private drained(key: string, nowMs: number): number {
    const level = this.levels.get(key);
    if (!level) return 0;
    return Math.max(0, level.value - ((nowMs - level.at) / 1000) * this.plan.drainPerSecond);
  }

  /** Counts one request; false when the bucket is full and the request must be refused. */
  take(key: string): boolean {
    const now = this.clock.now();
    const current = this.drained(key, now);
    if (current + 1 > this.plan.burst) {
      this.levels.set(key, { value: current, at: now });
      return false;
    }
    this.levels.set(key, { value: current + 1, at: now });
    if (this.levels.size > 10_000) this.forgetEmpty(now);
    return true;
  }

  /** Seconds until one more request fits. */
  secondsUntilFree(key: string): number {
    const current = this.drained(key, this.clock.now());
    return Math.max(0, (current + 1 - this.plan.burst) / this.plan.drainPerSecond);
  }

  private forgetEmpty(now: number): void {
    for (const key of [...this.levels.keys()]) if (this.drained(key, now) === 0) this.levels.delete(key);
  }
}

/** The request-rate limit in this process's memory: for one process (SQLite). */
export function memoryRateLimit(bucket: LeakyBucket): RequestRateLimit {
  return {
    take: async (client) => (bucket.take(client) ? null : bucket.secondsUntilFree(client)),
  };
}
