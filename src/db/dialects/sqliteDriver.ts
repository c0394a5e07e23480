// Kysely's driver for the one better-sqlite3 connection, in place of Kysely's own
// SqliteDriver, for three reasons:
// - statements are prepared once per SQL text and kept (statementCache.ts);
// - transactions begin IMMEDIATE: they take the write lock at BEGIN, where SQLite's busy
//   timeout applies. A deferred transaction that reads and then writes gets SQLITE_BUSY at
//   its first write when another process (a CLI command beside `serve`) holds the lock, and
//   the busy timeout cannot help it because waiting could deadlock;
// - it tells the caller about every commit that wrote something, which group commit needs
//   (groupCommit.ts).
// Like Kysely's driver it hands the single connection to one caller at a time.
import type { Database } from 'better-sqlite3';
import {
  CompiledQuery,
  SelectQueryNode,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';
import { StatementCache } from './statementCache.js';

export interface SqliteDriverOptions {
  /** Called after each commit that wrote something, once its COMMIT has returned. */
  readonly onCommit?: () => void;
  readonly statementCacheSize?: number;
}

/** Runs one caller at a time on the single connection. */
class Turns {
  #current: Promise<void> | null = null;
  #release: (() => void) | null = null;

  async take(): Promise<void> {
    while (this.#current) await this.#current;
    this.#current = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  give(): void {
    const release = this.#release;
    this.#current = null;
    this.#release = null;
    release?.();
  }
}

class CachedSqliteConnection implements DatabaseConnection {
  readonly #statements: StatementCache;
  /** A statement that may write has run since the last commit or rollback. */
  #wrote = false;

  constructor(
    private readonly connection: Database,
    private readonly onCommit: () => void,
    statementCacheSize: number | undefined,
  ) {
    this.#statements = new StatementCache(connection, statementCacheSize);
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    const statement = this.#statements.prepare(compiledQuery.sql);
    // Counted before running: a write that fails part-way only costs an extra sync.
    if (!statement.readonly) this.#wrote = true;
    try {
      if (statement.reader) {
        return Promise.resolve({ rows: statement.all(compiledQuery.parameters as unknown[]) as R[] });
      }
      const { changes, lastInsertRowid } = statement.run(compiledQuery.parameters as unknown[]);
      return Promise.resolve({
        numAffectedRows: BigInt(changes),
        insertId: BigInt(lastInsertRowid),
        rows: [],
      });
    } finally {
      this.#noteCommitIfEnded();
    }
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiledQuery.query)) throw new Error('SQLite can only stream select queries');
    // A statement is busy while it is iterated, so a stream gets its own, not a kept one.
    const statement = this.connection.prepare(compiledQuery.sql);
    for (const row of statement.iterate(compiledQuery.parameters as unknown[])) yield { rows: [row as R] };
  }

  /**
   * Runs BEGIN, COMMIT, ROLLBACK or a savepoint command. They are not writes of their own
   * (SQLite counts BEGIN IMMEDIATE as one, since it takes the write lock); a ROLLBACK undoes
   * the writes before it, which leaves nothing to make durable.
   */
  control(sqlText: string): void {
    if (/^rollback$/i.test(sqlText)) this.#wrote = false;
    try {
      this.#statements.prepare(sqlText).run();
    } finally {
      this.#noteCommitIfEnded();
    }
  }

  // COMMIT itself counts as read-only to SQLite, so commits are seen as the moment the
  // connection leaves a transaction after a write (or a write ran outside any transaction).
  #noteCommitIfEnded(): void {
    if (this.#wrote && !this.connection.inTransaction) {
      this.#wrote = false;
      this.onCommit();
    }
  }
}

class CachingSqliteDriver implements Driver {
  readonly #turns = new Turns();
  readonly #connection: CachedSqliteConnection;

  constructor(
    private readonly database: Database,
    options: SqliteDriverOptions,
  ) {
    this.#connection = new CachedSqliteConnection(database, options.onCommit ?? (() => {}), options.statementCacheSize);
  }

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.#turns.take();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as CachedSqliteConnection).control('begin immediate');
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as CachedSqliteConnection).control('commit');
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    (connection as CachedSqliteConnection).control('rollback');
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    (connection as CachedSqliteConnection).control(`savepoint ${quoteName(name)}`);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    (connection as CachedSqliteConnection).control(`rollback to ${quoteName(name)}`);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    (connection as CachedSqliteConnection).control(`release ${quoteName(name)}`);
  }

  async releaseConnection(): Promise<void> {
    this.#turns.give();
  }

  async destroy(): Promise<void> {
    this.database.close();
  }
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Kysely's SQLite dialect (compiler, adapter, introspector) with the driver above. */
export class CachingSqliteDialect extends SqliteDialect {
  constructor(
    private readonly database: Database,
    private readonly options: SqliteDriverOptions = {},
  ) {
    super({ database });
  }

  override createDriver(): Driver {
    return new CachingSqliteDriver(this.database, this.options);
  }
}
