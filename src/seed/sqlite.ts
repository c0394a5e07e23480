// The connection `salestrace seed` writes through. Seeding a million traces through Kysely would
// take minutes (a query compiled, prepared and awaited per row), so the seed writes with
// better-sqlite3's prepared statements, many rows per transaction, on a connection of its own,
// opened after the services have closed theirs. The rows are the ones the server's own code
// builds (traceRow, itemColumns, …); only the way they reach the file differs.
import Database from 'better-sqlite3';

export type Connection = Database.Database;
export type Statement = Database.Statement;

export interface SeedConnection {
  readonly connection: Connection;
  /** Whether the load runs with a rollback journal (the database was not in use elsewhere). */
  readonly exclusive: boolean;
}

/**
 * Opens the database for a bulk load. When no other process has it open, the load runs with a
 * rollback journal instead of the write-ahead log: new pages then go to the database file once,
 * where WAL writes them to the log and copies them over later, which made a million traces
 * several seconds slower. While `serve` has the database open that switch is refused, and the
 * load goes through the log like any other write. Either way a crash midway rolls the load back.
 */
export function openSeedConnection(file: string): SeedConnection {
  const connection = new Database(file);
  connection.pragma('foreign_keys = ON');
  connection.pragma('cache_size = -262144');
  let exclusive = false;
  try {
    // No waiting: a server holding the database open will not let go.
    connection.pragma('busy_timeout = 0');
    exclusive = connection.pragma('journal_mode = DELETE', { simple: true }) === 'delete';
  } catch (error) {
    if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
  }
  connection.pragma('busy_timeout = 5000');
  // FULL: every commit is synced by itself, whichever journal the load runs through, so a load
  // that reported success survives power loss even when the closing checkpoint is held up by
  // a running server's readers. The load commits only a few times, so this costs nothing.
  connection.pragma('synchronous = FULL');
  return { connection, exclusive };
}

/** Makes the load durable and leaves the database in WAL mode, as the server keeps it. */
export function finishSeedConnection({ connection, exclusive }: SeedConnection): void {
  if (exclusive) connection.pragma('journal_mode = WAL');
  else connection.pragma('wal_checkpoint(TRUNCATE)');
  connection.close();
}

/** INSERT statements by table and column list, prepared once. */
export class InsertStatements {
  private readonly cache = new Map<string, Statement>();

  constructor(private readonly connection: Connection) {}

  /** Inserts one row and returns its ID (the table's AUTOINCREMENT, as the server's inserts get). */
  insert(table: string, row: Record<string, unknown>): number {
    const columns = Object.keys(row);
    const key = `${table}(${columns.join(',')})`;
    let statement = this.cache.get(key);
    if (!statement) {
      const names = columns.map((column) => `"${column}"`).join(', ');
      statement = this.connection.prepare(`insert into "${table}" (${names}) values (${columns.map(() => '?').join(', ')})`);
      this.cache.set(key, statement);
    }
    return Number(statement.run(...columns.map((column) => row[column])).lastInsertRowid);
  }
}
