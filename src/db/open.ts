// Opens the configured database and brings its schema up to date.
import type { Config } from '../config.js';
import { databaseFile } from '../config.js';
import { openSqlite, type SqliteOptions } from './dialects/sqlite.js';
import type { OpenedDatabase } from './dialects/types.js';
import { migrateToLatest } from './migrate.js';
import type { Database } from './schema.js';

/** `sqlite` chooses how SQLite makes commits durable (dialects/sqlite.ts); PostgreSQL ignores it. */
export async function openDatabase(config: Config, sqlite: SqliteOptions = {}): Promise<OpenedDatabase<Database>> {
  if (config.databaseUrl) {
    const { openPostgres } = await import('./dialects/postgres.js');
    const { alignPostgresWithSqlite } = await import('./dialects/postgresAlignment.js');
    const opened = await openPostgres<Database>(config.databaseUrl, config.requestTimeoutMs);
    try {
      await migrateToLatest(opened.db as never, opened.helpers);
      await alignPostgresWithSqlite(opened.db as never);
    } catch (error) {
      await opened.close();
      throw error;
    }
    return opened;
  }
  const opened = openSqlite<Database>(databaseFile(config), sqlite);
  await migrateToLatest(opened.db as never, opened.helpers);
  return opened;
}
