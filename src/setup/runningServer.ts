// Where a running `serve` listens, recorded in its data directory (`serve.json`, owner-only) so
// that `webhook add` can print the address of the server that is actually running, whatever
// flags it was started with. The record goes away on a clean shutdown; one left behind by a
// killed server names a process that no longer exists and is ignored.
import fs from 'node:fs';
import path from 'node:path';

export const RUNNING_FILE = 'serve.json';

export interface RunningServerRecord {
  readonly pid: number;
  /** `https://host:port`, or null when HTTPS is off. */
  readonly https: string | null;
  /** `http://host:port` */
  readonly http: string;
}

export function recordRunningServer(dataDir: string, record: RunningServerRecord): void {
  const file = path.join(dataDir, RUNNING_FILE);
  fs.writeFileSync(file, `${JSON.stringify(record)}\n`, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}

/** Removes the record if it is this process's own (another server may have started since). */
export function forgetRunningServer(dataDir: string): void {
  const file = path.join(dataDir, RUNNING_FILE);
  if (readRecord(file)?.pid === process.pid) fs.rmSync(file, { force: true });
}

function readRecord(file: string): RunningServerRecord | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return null;
  }
  const record = parsed as Partial<RunningServerRecord> | null;
  if (!record || !Number.isSafeInteger(record.pid) || typeof record.http !== 'string') return null;
  if (record.https !== null && typeof record.https !== 'string') return null;
  return { pid: record.pid!, https: record.https, http: record.http };
}

/** Whether a process with this ID exists (signal 0 checks without sending anything). */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The server recorded in this data directory, if its process still exists. */
export function findRunningServer(dataDir: string): RunningServerRecord | null {
  const record = readRecord(path.join(dataDir, RUNNING_FILE));
  return record && processExists(record.pid) ? record : null;
}
