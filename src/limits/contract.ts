// What the HTTP pipeline and the dispatcher ask of the two limits (rest-protocol.md §4.1, §4.2),
// whether they are kept in this process's memory (one process: SQLite) or in the database that
// several processes share (PostgreSQL: sharedRateLimit.ts, sharedOperatingTime.ts).
import type { OperatingReport } from '../rest/time.js';

export interface RequestRateLimit {
  /** Counts one request from `client`: null when it may go on, else the seconds until one more fits. */
  take(client: string): Promise<number | null>;
}

export interface OperatingTime {
  /** Null: never refused (the time is still reported). */
  readonly limitSeconds: number | null;
  /** Throws OPERATION_TIME_LIMIT when the key is already over its budget. */
  check(key: string): Promise<void>;
  /** Adds one call's execution time (calls of 0.1 s or less are not recorded). */
  record(key: string, startSeconds: number, durationSeconds: number): Promise<void>;
  /** `time.operating` and `time.operating_reset_at` for this key. */
  report(key: string, callStartSeconds: number, nowSeconds: number): Promise<OperatingReport>;
}
