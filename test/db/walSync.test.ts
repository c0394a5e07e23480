// The real sync of SQLite's log (src/db/dialects/walSync.ts) on a real file: the log keeps its
// inode through checkpoints, a log replaced under the server is found and synced anew, and each
// sync really calls fdatasync (FileHandle.datasync) on the log's descriptor. The durability
// tests elsewhere hold a stand-in sync, so only this file sees the real call.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { walSync } from '../../src/db/dialects/walSync.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { callJson, startTestServer } from '../helpers/server.js';

let dir: string;
let file: string;
let connection: Database.Database;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-wal-'));
  file = path.join(dir, 'salestrace.db');
  connection = new Database(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = NORMAL');
  connection.exec('create table t (v text)');
});
afterEach(() => {
  if (connection.open) connection.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const inode = () => fs.statSync(`${file}-wal`).ino;
const write = (n: number) => {
  const insert = connection.prepare('insert into t values (?)');
  for (let i = 0; i < n; i++) insert.run('x'.repeat(500));
};

describe('syncing the log', () => {
  it('syncs the same file through commits, PASSIVE, RESTART and TRUNCATE checkpoints', async () => {
    const log = walSync(file);
    try {
      const first = inode();
      write(50);
      await log.sync();
      for (const mode of ['PASSIVE', 'RESTART', 'TRUNCATE']) {
        connection.pragma(`wal_checkpoint(${mode})`);
        // The next commit after a full checkpoint writes the log from its start again.
        write(20);
        expect(inode()).toBe(first);
        await log.sync();
      }
      // A TRUNCATE checkpoint leaves an empty log; it is still the same file.
      connection.pragma('wal_checkpoint(TRUNCATE)');
      expect(fs.statSync(`${file}-wal`).size).toBe(0);
      expect(inode()).toBe(first);
      await log.sync();
    } finally {
      await log.close();
    }
  });

  it('opens and syncs the new file when the path names another one', async () => {
    const log = walSync(file);
    try {
      write(5);
      await log.sync();
      const walPath = `${file}-wal`;
      const replacement = `${walPath}.new`;
      fs.copyFileSync(walPath, replacement);
      fs.renameSync(replacement, walPath);
      await log.sync();
      // SQLite still writes to the old, now nameless file; the sync holds the new one.
      const targets = fs.readdirSync('/proc/self/fd').map((fd) => {
        try {
          return fs.readlinkSync(`/proc/self/fd/${fd}`);
        } catch {
          return '';
        }
      });
      expect(targets.filter((target) => target === walPath)).toHaveLength(1);
      expect(targets.filter((target) => target === `${walPath} (deleted)`)).toHaveLength(1);
    } finally {
      await log.close();
    }
  });

  it('fails when the log is gone, rather than claiming a sync', async () => {
    const log = walSync(file);
    try {
      write(1);
      await log.sync();
      fs.rmSync(`${file}-wal`);
      await expect(log.sync()).rejects.toThrow(`the database log ${file}-wal disappeared while the database was open`);
      await expect(log.sync()).rejects.toThrow(/ENOENT/);
    } finally {
      await log.close();
    }
  });
});

/** Node's FileHandle prototype, where `datasync` (fdatasync) and `sync` (fsync) live. */
async function fileHandlePrototype(): Promise<FileHandle> {
  const handle = await fs.promises.open(os.tmpdir(), 'r');
  await handle.close();
  return Object.getPrototypeOf(handle) as FileHandle;
}

interface SyncCall {
  readonly kind: 'datasync' | 'sync';
  /** The path the descriptor names, read from /proc when the call begins. */
  readonly target: string;
  /** The log's bytes when the call begins (datasync of a log only). */
  readonly contents: Buffer | null;
  finished: boolean;
}

/** Records every real fdatasync / fsync of a FileHandle in this process while `run` runs. */
async function watchSyncs<T>(run: (calls: SyncCall[]) => Promise<T>): Promise<T> {
  const proto = await fileHandlePrototype();
  const calls: SyncCall[] = [];
  const wrap = (kind: SyncCall['kind']) => {
    const original = proto[kind] as (this: FileHandle) => Promise<void>;
    return vi.spyOn(proto, kind).mockImplementation(async function (this: FileHandle) {
      const target = fs.readlinkSync(`/proc/self/fd/${this.fd}`);
      const call: SyncCall = { kind, target, contents: kind === 'datasync' && target.endsWith('-wal') ? fs.readFileSync(target) : null, finished: false };
      calls.push(call);
      await original.call(this);
      call.finished = true;
    });
  };
  const spies = [wrap('datasync'), wrap('sync')];
  try {
    return await run(calls);
  } finally {
    for (const spy of spies) spy.mockRestore();
  }
}

describe('the real fdatasync', () => {
  it('each sync calls fdatasync on the -wal file itself, and fsyncs its directory once', async () => {
    await watchSyncs(async (calls) => {
      const log = walSync(file);
      try {
        write(3);
        await log.sync();
        write(3);
        await log.sync();
      } finally {
        await log.close();
      }
      const walPath = `${file}-wal`;
      expect(calls.map(({ kind, target, finished }) => ({ kind, target, finished }))).toEqual([
        { kind: 'sync', target: dir, finished: true },
        { kind: 'datasync', target: walPath, finished: true },
        { kind: 'datasync', target: walPath, finished: true },
      ]);
    });
  });

  it('a replaced log gets its own directory fsync and fdatasync', async () => {
    await watchSyncs(async (calls) => {
      const log = walSync(file);
      const walPath = `${file}-wal`;
      try {
        write(2);
        await log.sync();
        fs.copyFileSync(walPath, `${walPath}.new`);
        fs.renameSync(`${walPath}.new`, walPath);
        await log.sync();
      } finally {
        await log.close();
      }
      // The second sync still syncs the old descriptor (now nameless), then the new file.
      expect(calls.map(({ kind, target }) => `${kind} ${target}`)).toEqual([
        `sync ${dir}`,
        `datasync ${walPath}`,
        `datasync ${walPath} (deleted)`,
        `sync ${dir}`,
        `datasync ${walPath}`,
      ]);
    });
  });
});

describe.runIf(TEST_DIALECT === 'sqlite')('the server syncs the log for real', () => {
  it('answers a write only after an fdatasync of the -wal file that began with the write in the log', async () => {
    const server = await startTestServer();
    try {
      await watchSyncs(async (calls) => {
        // The tags are stored verbatim (tags_json), so the marker shows up in the log's pages.
        const marker = `real-sync-${Date.now()}`;
        const trace = { url: 'https://shop.example/', tags: { list: { utm_term: marker } } };
        const answer = await callJson(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify(trace) });
        expect(answer.status, answer.text).toBe(200);
        const walPath = path.join(server.dataDir, 'salestrace.db-wal');
        const covering = calls.filter(
          (call) => call.kind === 'datasync' && call.target === walPath && call.finished && call.contents!.includes(Buffer.from(marker)),
        );
        expect(covering.length, `fdatasync calls: ${calls.map((call) => `${call.kind} ${call.target}`).join(', ')}`).toBeGreaterThanOrEqual(1);
      });
    } finally {
      await server.close();
    }
  });
});
