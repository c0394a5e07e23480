// The body of the checkpoint thread (checkpointer.ts). It is handed to the Worker as source
// text (`String(checkpointLoop)`), so that the same code runs from dist/ and from the
// TypeScript sources under test: it must use nothing from outside its own body but the
// `require` it is given.
//
// It keeps its own connection to the database. Asked to checkpoint, it first waits out the
// minimum gap since the last one, then runs a PASSIVE checkpoint, which copies what it can
// without taking any lock the serving connection needs. Under sustained writes a PASSIVE
// checkpoint never lets the log start over (new frames arrive while it copies), so when the log
// has passed its limit it follows with a RESTART checkpoint: that one waits for the write lock,
// copies the few frames written meanwhile and makes the next commit write the log from its
// start again. The serving connection waits (its busy timeout) only during that short RESTART.
// Each checkpoint syncs the log before it copies and the database file before the log is
// reused (synchronous=NORMAL), as SQLite's own automatic checkpoints do.

export interface CheckpointWorkerData {
  readonly betterSqlite3: string;
  readonly file: string;
  readonly walLimitBytes: number;
  readonly minIntervalMs: number;
  readonly busyTimeoutMs: number;
  /** Tests only (CheckpointerOptions.faultSwitch): while element 0 is non-zero, checkpoints fail as SQLite's I/O error. */
  readonly faultSwitch?: Int32Array;
}

/** What the thread answers to each request. */
export interface CheckpointReport {
  /** Frames in the log when the PASSIVE checkpoint ran. */
  readonly logFrames?: number;
  readonly restarted?: boolean;
  readonly error?: { readonly code?: string; readonly message: string };
}

export function checkpointLoop(require: (id: string) => any): void {
  const { parentPort, workerData } = require('node:worker_threads');
  const data = workerData as CheckpointWorkerData;
  const Database = require(data.betterSqlite3);
  const db = new Database(data.file);
  db.pragma(`busy_timeout = ${data.busyTimeoutMs}`);
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  const limitFrames = Math.max(1, Math.ceil(data.walLimitBytes / db.pragma('page_size', { simple: true })));
  let lastStarted = 0;
  let pending: ReturnType<typeof setTimeout> | null = null;

  const checkpoint = (): void => {
    pending = null;
    lastStarted = Date.now();
    let report: CheckpointReport;
    try {
      // A disk that lost a write: the error SQLite's checkpoint throws then, raised where it would be.
      if (data.faultSwitch && Atomics.load(data.faultSwitch, 0) !== 0) {
        throw Object.assign(new Error('disk I/O error'), { code: 'SQLITE_IOERR_WRITE' });
      }
      const [passive] = db.pragma('wal_checkpoint(PASSIVE)');
      let restarted = false;
      if (passive.log >= limitFrames) restarted = db.pragma('wal_checkpoint(RESTART)')[0].busy === 0;
      report = { logFrames: passive.log, restarted };
    } catch (error) {
      const { code, message } = error as { code?: string; message: string };
      report = { error: { code, message } };
    }
    parentPort.postMessage(report);
  };

  parentPort.on('message', (message: string) => {
    if (message === 'close') {
      if (pending !== null) clearTimeout(pending);
      db.close();
      parentPort.close();
      return;
    }
    const wait = lastStarted + data.minIntervalMs - Date.now();
    if (wait > 0) pending = setTimeout(checkpoint, wait);
    else checkpoint();
  });
}
