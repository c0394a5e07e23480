// Group commit: many commits, one sync. SQLite in WAL mode with synchronous=NORMAL writes each
// commit into the log without syncing it; this makes an answer wait until a sync of the log
// that began after its commit has finished. One sync runs at a time and covers every commit
// made before it began; commits made while it runs are covered by the next one, which starts
// as soon as it ends. Under load each sync therefore covers all the commits of the previous
// sync's duration, instead of each commit paying for its own.
//
// A failed sync is final: after a failed fsync the kernel may already have dropped the
// unwritten pages, and the log's frames are chained by checksums, so no later sync can make
// the lost commits or anything after them durable. Every later wait rejects too, until the
// process restarts and SQLite recovers whatever the log holds.
import type { Durability } from '../durability.js';

/** Makes everything written to the log so far durable; runs off the main thread. */
export type SyncLog = () => Promise<void>;

/**
 * Transactions that ended with writes but wait, still open, for one COMMIT they share with the
 * transactions after them (sqliteDriver.ts, `shareCommits`): a COMMIT writes each page it
 * changed to the log once, so requests that share one write the pages they have in common
 * (the newest leaf of every index) once.
 */
export interface SharedCommits {
  /** Settles when the COMMIT of the transactions waiting now has run; null when none wait. */
  pending(): Promise<void> | null;
  /** Runs that COMMIT when the connection's turn comes (nothing when none waits); rejects when it fails. */
  commit(): Promise<void>;
}

interface Waiter {
  readonly upTo: number;
  resolve(): void;
  reject(error: Error): void;
}

const DONE: Promise<void> = Promise.resolve();

export class DurabilityLostError extends Error {
  constructor(cause: unknown) {
    super('the database log could not be synced to disk, so recent writes may not be durable; restart the server', { cause });
    this.name = 'DurabilityLostError';
  }
}

export class GroupCommit implements Durability {
  #committed = 0;
  #durable = 0;
  #syncing = false;
  #failure: DurabilityLostError | null = null;
  #waiters: Waiter[] = [];
  #syncsStarted = 0;
  #shared: SharedCommits | null = null;
  /** A shared COMMIT is due once the sync in flight ends. */
  #commitDue = false;

  constructor(private readonly syncLog: SyncLog) {}

  /** The connection keeps finished transactions open for a shared COMMIT (SharedCommits). */
  shareCommits(shared: SharedCommits): void {
    this.#shared = shared;
  }

  /**
   * A transaction has ended with writes that wait for the shared COMMIT. It runs at once when no
   * sync is in flight; otherwise when that sync ends, so that the transactions ending meanwhile
   * share it, and the next sync covers them all. Either way no answer waits longer than a sync.
   */
  notePending(): void {
    if (this.#syncing) this.#commitDue = true;
    else this.#runSharedCommit();
  }

  /** Writes finished requests shared were rolled back, not committed: final, like a failed sync. */
  noteLost(error: unknown): void {
    this.#fail(error);
  }

  #runSharedCommit(): Promise<void> {
    return this.#shared!.commit().catch((error: unknown) => {
      // Commits that other requests read are gone: nothing written after them can be promised.
      this.#fail(error ?? new Error('commit failed'));
    });
  }

  /** How many syncs have begun: lets tests and benchmarks see commits being grouped. */
  get syncsStarted(): number {
    return this.#syncsStarted;
  }

  /** How many commits have been noted: lets tests see how many commits a request made. */
  get commits(): number {
    return this.#committed;
  }

  /** Called right after a COMMIT (or a write outside a transaction) has returned. */
  noteCommit(): void {
    this.#committed++;
  }

  afterWrites(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    // Writes still waiting for their COMMIT (their own, or ones this answer may have read).
    const committing = this.#shared?.pending();
    if (committing) {
      return committing.then(
        () => this.afterWrites(),
        () => Promise.reject(this.#failure ?? new DurabilityLostError('the shared commit failed')),
      );
    }
    if (this.#durable >= this.#committed) return DONE;
    const upTo = this.#committed;
    return new Promise<void>((resolve, reject) => {
      this.#waiters.push({ upTo, resolve, reject });
      this.#startSync();
    });
  }

  #startSync(): void {
    if (this.#syncing) return;
    this.#syncing = true;
    this.#syncsStarted++;
    // Every commit counted so far has already been written to the log: the sync covers it.
    const covers = this.#committed;
    let running: Promise<void>;
    try {
      running = this.syncLog();
    } catch (error) {
      running = Promise.reject(error);
    }
    running.then(
      () => this.#finished(covers, null),
      (error: unknown) => this.#finished(covers, error ?? new Error('sync failed')),
    );
  }

  #finished(covers: number, error: unknown): void {
    this.#syncing = false;
    if (error !== null) this.#fail(error);
    else this.#durable = Math.max(this.#durable, covers);
    const next = () => {
      const waiting: Waiter[] = [];
      for (const waiter of this.#waiters) {
        if (waiter.upTo <= this.#durable) waiter.resolve();
        else waiting.push(waiter);
      }
      this.#waiters = waiting;
      if (waiting.length > 0 && this.#failure === null) this.#startSync();
    };
    if (!this.#commitDue) return next();
    // The shared COMMIT first, so that the next sync covers it too (its waiters come back
    // through afterWrites once it has run).
    this.#commitDue = false;
    void this.#runSharedCommit().then(next);
  }

  /** A failure is final: every waiter now and every later afterWrites rejects. */
  #fail(error: unknown): void {
    this.#failure ??= new DurabilityLostError(error);
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const waiter of waiters) waiter.reject(this.#failure);
  }
}
