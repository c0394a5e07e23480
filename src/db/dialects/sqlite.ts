// The embedded default: one better-sqlite3 file in WAL mode. synchronous=FULL makes every
// acknowledged commit survive power loss, not only a process crash ("no lost data"). Kysely
// runs its queries on this one connection, one transaction at a time.
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from 'kysely';
import fs from 'node:fs';
import path from 'node:path';
import { withStorableText } from './storableText.js';
import type { DialectHelpers, OpenedDatabase } from './types.js';

export const sqliteHelpers: DialectHelpers = {
  name: 'sqlite',
  bigint: 'integer',
  serial: 'integer',
  autoId: (column) => column.primaryKey().autoIncrement(),
};

export function openSqlite<DB>(file: string): OpenedDatabase<DB> {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const connection = new Database(file);
  connection.pragma('journal_mode = WAL');
  connection.pragma('synchronous = FULL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  // SQLite's own lower() folds ASCII only; PostgreSQL defines the same function (postgresAlignment.ts).
  connection.function('salestrace_lower', { deterministic: true }, (value: unknown) =>
    typeof value === 'string' ? value.toLowerCase() : value === null ? null : String(value).toLowerCase(),
  );
  const db = new Kysely<DB>({ dialect: withStorableText(new SqliteDialect({ database: connection })) });
  return {
    db,
    helpers: sqliteHelpers,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
