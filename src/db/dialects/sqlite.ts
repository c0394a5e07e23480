// The embedded default: one better-sqlite3 file in WAL mode. Kysely runs its queries on this
// one connection, one transaction at a time (sqliteDriver.ts), and every acknowledged write
// must survive power loss, not only a process crash ("no lost data"). Two ways get there:
// - `perCommit` (CLI commands, and anything that does not wait before answering):
//   synchronous=FULL, so each COMMIT returns only after the log is synced;
// - `grouped` (the server): synchronous=NORMAL, so a COMMIT only writes the log, and whoever
//   answers waits for `durability.afterWrites()`, which returns once a sync of the log begun
//   after the commit has finished (groupCommit.ts, walSync.ts). That is the same guarantee
//   FULL gives: NORMAL in WAL mode loses, on power loss, only commits made since the log was
//   last synced (checkpoints still sync both the log and the database before the log is
//   reused), and no answer goes out before the commits it follows are synced. Concurrent
//   requests share one sync instead of paying one each. Here a `batch` also runs all its rows in
//   one transaction (heldTransaction.ts), so that it costs one commit and one sync. Its
//   checkpoints run on a worker thread (checkpointer.ts), not inside a COMMIT.
import Database from 'better-sqlite3';
import { Kysely, sql } from 'kysely';
import fs from 'node:fs';
import path from 'node:path';
import { durableOnCommit, type Durability } from '../durability.js';
import { Checkpointer, type CheckpointerOptions } from './checkpointer.js';
import { GroupCommit, type SyncLog } from './groupCommit.js';
import { CachingSqliteDialect } from './sqliteDriver.js';
import { withStorableText } from './storableText.js';
import { sqliteHelpers } from './sqliteHelpers.js';
import type { OpenedDatabase } from './types.js';
import { walSync } from './walSync.js';

export type SqliteCommitMode = 'perCommit' | 'grouped';

export interface SqliteOptions {
  readonly commits?: SqliteCommitMode;
  /** Replaces the sync of the log in `grouped` mode: tests hold it to see who waits. */
  readonly syncLog?: SyncLog;
  /** `grouped` only: how the checkpoint thread bounds the log (checkpointer.ts). */
  readonly checkpoints?: CheckpointerOptions;
}

export interface OpenedSqlite<DB> extends OpenedDatabase<DB> {
  /** The checkpoint thread in `grouped` mode (its stats are for tests and benchmarks). */
  readonly checkpointer: Checkpointer | null;
}

export function openSqlite<DB>(file: string, options: SqliteOptions = {}): OpenedSqlite<DB> {
  const grouped = options.commits === 'grouped';
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const connection = new Database(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma(grouped ? 'synchronous = NORMAL' : 'synchronous = FULL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  // Savepoints (a batch's rows, nested transactions) copy each page they change to a statement
  // journal; past 64 KiB SQLite spills that journal to a temporary file unless temporary storage
  // is memory. It only ever undoes a savepoint, never survives a crash, so memory loses nothing.
  connection.pragma('temp_store = MEMORY');
  // SQLite's own lower() folds ASCII only; PostgreSQL defines the same function (postgresAlignment.ts).
  connection.function('salestrace_lower', { deterministic: true }, (value: unknown) =>
    typeof value === 'string' ? value.toLowerCase() : value === null ? null : String(value).toLowerCase(),
  );
  const log = grouped && !options.syncLog ? walSync(file) : null;
  const checkpointer = grouped ? new Checkpointer(connection, file, options.checkpoints) : null;
  const groupCommit = grouped ? new GroupCommit(checkpointer!.guard(options.syncLog ?? log!.sync)) : null;
  const durability: Durability = groupCommit ?? durableOnCommit;
  const dialect = new CachingSqliteDialect(connection, {
    onCommit: groupCommit
      ? () => {
          groupCommit.noteCommit();
          checkpointer!.noteCommit();
        }
      : undefined,
    // The server's mode; CLI commands (perCommit) run no batches.
    holdBatches: grouped,
    shareCommits: groupCommit ? { onPending: () => groupCommit.notePending(), onLost: (error) => groupCommit.noteLost(error) } : undefined,
  });
  groupCommit?.shareCommits(dialect.sharedCommits());
  const db = new Kysely<DB>({ dialect: withStorableText(dialect) });
  return {
    db,
    helpers: sqliteHelpers,
    watchChanges: sqliteHelpers.watchChanges,
    durability,
    checkpointer,
    inOneTransaction: (work) => dialect.inOneTransaction(work),
    insideOneTransaction: () => dialect.insideOneTransaction(),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      // Nobody waits for writes made outside an answer (background work), but they are synced
      // too before the connection goes; a failure here was already reported to the answers.
      await groupCommit?.afterWrites().catch(() => {});
      // The serving connection closes last, so that it checkpoints and removes the log.
      await checkpointer?.close();
      await db.destroy();
      await log?.close();
    },
  };
}
