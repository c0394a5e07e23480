// Checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
// pushes the log past 1,000 pages: it copies the log into the database file and syncs both, on
// the serving connection, so the event loop stalls for it. The server turns that off
// (wal_autocheckpoint=0) and asks a worker thread with its own connection to checkpoint
// instead (checkpointWorker.ts), at most one request in flight: after a commit, when none is.
//
// Durability: acknowledged writes live in the synced log until a checkpoint has copied and
// synced them into the database file; SQLite reuses the log only after that. A checkpoint that
// fails with an I/O error means the disk lost writes SQLite believed it had made; like a failed
// log sync it is final, and `guard` then fails every later sync, so every later answer that
// follows a write is an error until a restart. Other failures (SQLITE_BUSY, a full disk) leave
// the log as it was and the next request tries again, as SQLite's own checkpoints do.
// If the thread itself dies, the serving connection goes back to SQLite's own checkpoints.
import type { Database } from 'better-sqlite3';
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { SyncLog } from './groupCommit.js';
import { checkpointLoop, type CheckpointReport, type CheckpointWorkerData } from './checkpointWorker.js';

export interface CheckpointerOptions {
  /** Past this size the log is made to start over (RESTART), bounding it under sustained writes. */
  readonly walLimitBytes?: number;
  /** The least time between two checkpoints: fewer, larger copies and syncs. */
  readonly minIntervalMs?: number;
  /**
   * Tests only: an Int32Array over a SharedArrayBuffer; while its element 0 is non-zero, every
   * checkpoint in the thread fails with SQLITE_IOERR_WRITE, as on a disk that lost a write
   * (test/hardening/checkpointFailure.test.ts). Absent in production.
   */
  readonly faultSwitch?: Int32Array;
}

const SQLITE_DEFAULT_AUTOCHECKPOINT = 1000;

export class CheckpointFailedError extends Error {
  constructor(readonly detail: { readonly code?: string; readonly message: string }) {
    super(`a checkpoint of the database failed (${detail.code ?? 'unknown'}: ${detail.message}); recent writes may not be durable; restart the server`);
    this.name = 'CheckpointFailedError';
  }
}

export class Checkpointer {
  readonly #worker: Worker;
  #requested = false;
  #closed = false;
  #failure: CheckpointFailedError | null = null;
  #checkpoints = 0;
  #restarts = 0;
  #largestLogFrames = 0;

  constructor(
    private readonly connection: Database,
    file: string,
    options: CheckpointerOptions = {},
  ) {
    const workerData: CheckpointWorkerData = {
      betterSqlite3: createRequire(import.meta.url).resolve('better-sqlite3'),
      file,
      walLimitBytes: options.walLimitBytes ?? 64 * 2 ** 20,
      minIntervalMs: options.minIntervalMs ?? 100,
      busyTimeoutMs: 5000,
      faultSwitch: options.faultSwitch,
    };
    connection.pragma('wal_autocheckpoint = 0');
    // `__name`: a helper some TypeScript transforms (esbuild's keepNames, under vitest) call
    // inside function bodies; the thread's source has no module around it to define it.
    const source = `const __name = (target) => target;\n(${String(checkpointLoop)})(require);`;
    this.#worker = new Worker(source, { eval: true, workerData });
    // Checkpointing never keeps the process alive.
    this.#worker.unref();
    this.#worker.on('message', (report: CheckpointReport) => this.#reported(report));
    this.#worker.on('error', () => this.#fallBack());
    this.#worker.on('exit', () => this.#fallBack());
  }

  /** Checkpoints run so far, RESTARTs among them, and the longest log seen: for tests and benchmarks. */
  get stats(): { checkpoints: number; restarts: number; largestLogFrames: number } {
    return { checkpoints: this.#checkpoints, restarts: this.#restarts, largestLogFrames: this.#largestLogFrames };
  }

  /** Called after each commit that wrote something. */
  noteCommit(): void {
    if (this.#requested || this.#closed) return;
    this.#requested = true;
    this.#worker.postMessage('checkpoint');
  }

  /** `sync`, failing once a checkpoint has failed for good. */
  guard(sync: SyncLog): SyncLog {
    return async () => {
      if (this.#failure) throw this.#failure;
      await sync();
      if (this.#failure) throw this.#failure;
    };
  }

  /** Stops the thread and closes its connection, so that the serving one is the last to close. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const exited = new Promise<void>((resolve) => this.#worker.once('exit', () => resolve()));
    this.#worker.postMessage('close');
    await exited;
  }

  #reported(report: CheckpointReport): void {
    this.#requested = false;
    if (report.error) {
      if (report.error.code?.startsWith('SQLITE_IOERR')) this.#failure ??= new CheckpointFailedError(report.error);
      return;
    }
    this.#checkpoints++;
    if (report.restarted) this.#restarts++;
    this.#largestLogFrames = Math.max(this.#largestLogFrames, report.logFrames ?? 0);
  }

  #fallBack(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.connection.pragma(`wal_autocheckpoint = ${SQLITE_DEFAULT_AUTOCHECKPOINT}`);
  }
}
