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

  constructor(private readonly syncLog: SyncLog) {}

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
    if (error !== null) {
      this.#failure = new DurabilityLostError(error);
      const waiters = this.#waiters;
      this.#waiters = [];
      for (const waiter of waiters) waiter.reject(this.#failure);
      return;
    }
    this.#durable = Math.max(this.#durable, covers);
    const waiting: Waiter[] = [];
    for (const waiter of this.#waiters) {
      if (waiter.upTo <= covers) waiter.resolve();
      else waiting.push(waiter);
    }
    this.#waiters = waiting;
    if (waiting.length > 0) this.#startSync();
  }
}
