// Syncs SQLite's write-ahead log (`<database>-wal`) the way SQLite itself would on a
// synchronous=FULL commit: fdatasync of the log, and once, when the log is first synced, an
// fsync of its directory so that the file's name survives a power loss too. It runs on libuv's
// thread pool, so the event loop keeps serving while the disk works.
//
// The descriptor is opened once and kept. SQLite keeps its log open for as long as the
// connection is, and reuses it in place after a checkpoint (it writes from the start again,
// or truncates it); it deletes the file only when the last connection closes, which the
// server's own open connection prevents. Each sync still checks that the path names the file
// it synced, and reopens and syncs the new file if something replaced it.
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { SyncLog } from './groupCommit.js';

interface OpenLog {
  readonly handle: FileHandle;
  readonly dev: bigint;
  readonly ino: bigint;
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await fs.promises.open(directory, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function openLog(walPath: string): Promise<OpenLog> {
  const handle = await fs.promises.open(walPath, 'r');
  try {
    const stats = await handle.stat({ bigint: true });
    await syncDirectory(path.dirname(walPath));
    return { handle, dev: stats.dev, ino: stats.ino };
  } catch (error) {
    await handle.close().catch(() => {});
    throw error;
  }
}

async function currentIdentity(walPath: string): Promise<fs.BigIntStats | null> {
  try {
    return await fs.promises.stat(walPath, { bigint: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

export interface WalSync {
  readonly sync: SyncLog;
  close(): Promise<void>;
}

export function walSync(databaseFile: string): WalSync {
  const walPath = `${databaseFile}-wal`;
  let log: OpenLog | null = null;
  const sync = async (): Promise<void> => {
    log ??= await openLog(walPath);
    const [, identity] = await Promise.all([log.handle.datasync(), currentIdentity(walPath)]);
    if (identity !== null && identity.dev === log.dev && identity.ino === log.ino) return;
    const replaced = log;
    log = null;
    await replaced.handle.close().catch(() => {});
    if (identity === null) throw new Error(`the database log ${walPath} disappeared while the database was open`);
    log = await openLog(walPath);
    await log.handle.datasync();
  };
  return {
    sync,
    close: async () => {
      const open = log;
      log = null;
      await open?.handle.close();
    },
  };
}
