// The real sync of SQLite's log (src/db/dialects/walSync.ts) on a real file: the log keeps its
// inode through checkpoints, and a log replaced under the server is found and synced anew.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { walSync } from '../../src/db/dialects/walSync.js';

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
