// The data directory holds the SQLite database, the certificate and the webhook file: CRM
// personal data and secrets, so it belongs to its owner alone. Only `serve` (and `seed`) create
// it; every other command needs the database `serve` made, so a mistyped --data is an error
// instead of a new, empty database.
import fs from 'node:fs';
import { databaseFile, type Config } from '../config.js';

/**
 * Creates the data directory (0700, parents too) and, on SQLite, an empty database file (0600)
 * before the driver opens it: SQLite would create it readable by everyone, and its -wal and -shm
 * files take the database file's permissions.
 */
export function prepareDataDir(config: Config): void {
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });
  if (config.databaseUrl) return;
  try {
    fs.closeSync(fs.openSync(databaseFile(config), 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * Refuses a data directory without its SQLite database. With --database-url the data lives in
 * the database the URL names (connecting fails when there is none), and the directory is not used.
 */
export function requireDatabase(config: Config): void {
  if (config.databaseUrl || fs.existsSync(databaseFile(config))) return;
  throw new Error(`no database in ${config.dataDir}: run \`salestrace serve --data ${config.dataDir}\` first`);
}
