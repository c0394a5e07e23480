// What the protocol layer offers the methods that are about methods: the listing `methods`,
// `scope` and `method.get` read, and the calls `batch` makes for its rows.
import type { Caller } from '../auth/caller.js';
import type { PhpMap } from '../php/query.js';
import type { CallOutcome } from './dispatch.js';
import type { MethodInfo } from './method.js';

/** The registered methods, without their handlers. */
export interface MethodCatalog {
  get(name: string): MethodInfo | undefined;
  all(): readonly MethodInfo[];
  /** Every scope some method needs, in first-seen order. */
  scopes(): string[];
}

/** Runs registered methods by name, as a plain call would, for the rows of a batch. */
export interface MethodCalls<Method extends MethodInfo = MethodInfo> {
  find(name: string): Method | undefined;
  run(method: Method, caller: Caller, params: PhpMap, startedAt: number, inBatch: boolean): Promise<CallOutcome>;
  /** Runs `work` in one database transaction where the database allows (src/db/dialects/heldTransaction.ts). */
  inOneTransaction<T>(work: () => Promise<T>): Promise<T>;
  /** Whether the caller runs inside such a transaction: only there are runs of rows written together. */
  insideOneTransaction(): boolean;
  /** Whether rows of this method can be checked one by one and written together (`RunWriter`). */
  writesInRuns(method: Method): boolean;
  /**
   * A row's checks; its `result` is what `writeRun` takes. Only for a method that `writesInRuns`.
   * `previous` is the checked result of the run's row before it, if any (`RunWriter.check`).
   */
  check(method: Method, caller: Caller, params: PhpMap, startedAt: number, previous?: unknown): Promise<CallOutcome>;
  /** Writes checked rows of one method in order, one result each. */
  writeRun(method: Method, caller: Caller, checked: readonly unknown[]): Promise<unknown[]>;
}
