// Databases the bench writes live under bench/.work/ (git-ignored), on the same file system as
// the project: a tmpfs /tmp would make fsync free and the durable-write figures meaningless.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WORK_ROOT = fileURLToPath(new URL('../.work/', import.meta.url));

const FS_TYPES = { 0xef53: 'ext4', 0x58465342: 'xfs', 0x9123683e: 'btrfs', 0x01021994: 'tmpfs', 0x794c7630: 'overlayfs', 0x2fc12fc1: 'zfs', 0x6969: 'nfs' };

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error.code === 'EPERM';
  }
}

/** Directories left by bench processes that were killed before they could clean up. */
function removeStaleWorkDirs() {
  for (const entry of fs.readdirSync(WORK_ROOT)) {
    const owner = /^[a-z-]+-(\d+)-/.exec(entry);
    if (owner && !isAlive(Number(owner[1]))) fs.rmSync(path.join(WORK_ROOT, entry), { recursive: true, force: true });
  }
}

/** A fresh directory removed when the process exits, and the type of file system it is on. */
export function makeWorkDir(prefix) {
  fs.mkdirSync(WORK_ROOT, { recursive: true });
  removeStaleWorkDirs();
  const dir = fs.mkdtempSync(path.join(WORK_ROOT, `${prefix}-${process.pid}-`));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  const magic = fs.statfsSync(dir).type;
  return { dir, fileSystem: FS_TYPES[magic] ?? `0x${magic.toString(16)}` };
}
