// The connection `salestrace seed` writes through. Seeding a million traces through Kysely would
// take minutes (a query compiled, prepared and awaited per row), so the seed writes with
// better-sqlite3's prepared statements, many rows per transaction, on a connection of its own
// next to the services' one. The rows are the ones the server's own code builds (traceRow,
// itemColumns, …); only the way they reach the file differs.
import Database from 'better-sqlite3';

export type Connection = Database.Database;
export type Statement = Database.Statement;

export function openSeedConnection(file: string): Connection {
  const connection = new Database(file);
  connection.pragma('journal_mode = WAL');
  // NORMAL: a commit in WAL mode does not wait for fsync; seedDatabase ends with a checkpoint
  // that does, so the data is durable when the command returns. A crash midway leaves whole
  // transactions only.
  connection.pragma('synchronous = NORMAL');
  connection.pragma('foreign_keys = ON');
  connection.pragma('busy_timeout = 5000');
  connection.pragma('cache_size = -262144');
  return connection;
}

/** Flushes the write-ahead log into the database file with an fsync and empties it. */
export function finishSeedConnection(connection: Connection): void {
  connection.pragma('wal_checkpoint(TRUNCATE)');
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
