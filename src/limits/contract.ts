// What the HTTP pipeline and the dispatcher ask of the two limits (rest-protocol.md §4.1, §4.2),
// whether they are kept in this process's memory (one process: SQLite) or in the database that
// several processes share (PostgreSQL: sharedRateLimit.ts, sharedOperatingTime.ts).
import type { OperatingReport } from '../rest/time.js';

export interface RequestRateLimit {
  /** Counts one request from `client`: null when it may go on, else the seconds until one more fits. */
  take(client: string): Promise<number | null>;
}

/** What `check` read of a key, handed back to `report` so the same call need not read it again. */
export interface OperatingSeen {
  /** Seconds in the live buckets. */
  readonly total: number;
  /** First call of the oldest live bucket (unix seconds), or null when there is none. */
  readonly oldest: number | null;
}

export interface OperatingTime {
  /** Null: never refused (the time is still reported). */
  readonly limitSeconds: number | null;
  /**
   * Throws OPERATION_TIME_LIMIT when the key is already over its budget. Returns what it read
   * where reading costs a query (the database), for `report`; null where it costs nothing.
   */
  check(key: string): Promise<OperatingSeen | null>;
  /** Adds one call's execution time (calls of 0.1 s or less are not recorded). */
  record(key: string, startSeconds: number, durationSeconds: number): Promise<void>;
  /**
   * `time.operating` and `time.operating_reset_at` for this key, at the end of a call that
   * `check` saw as `seen` and that ran `durationSeconds` from `startSeconds`.
   */
  report(
    key: string,
    callStartSeconds: number,
    nowSeconds: number,
    seen?: OperatingSeen | null,
    call?: { readonly startSeconds: number; readonly durationSeconds: number },
  ): Promise<OperatingReport>;
}
