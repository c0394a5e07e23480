// What the trace save paths tell the modules that follow trace saves: every trace a save wrote,
// with its source, inside the saving transaction.
import type { Executor } from '../db/schema.js';

/** A trace just written, for the modules that follow trace saves (analytics' ad levels, §4.3). */
export interface SavedTraceInfo {
  readonly id: number;
  readonly sourceId: number | null;
  /** The source's built-in code (google, fb, instagram, …), null for custom sources and organic. */
  readonly sourceCode: string | null;
  readonly tags: Readonly<Record<string, string>>;
}

/** Runs inside the transaction that saved the traces (every trace of a tree, previous ones included). */
export type TracesSavedHook = (trx: Executor, traces: readonly SavedTraceInfo[]) => Promise<void>;
