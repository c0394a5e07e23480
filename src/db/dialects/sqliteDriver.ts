// Kysely's driver for the one better-sqlite3 connection, in place of Kysely's own
// SqliteDriver, for three reasons:
// - statements are prepared once per SQL text and kept (statementCache.ts);
// - transactions begin IMMEDIATE: they take the write lock at BEGIN, where SQLite's busy
//   timeout applies. A deferred transaction that reads and then writes gets SQLITE_BUSY at
//   its first write when another process (a CLI command beside `serve`) holds the lock, and
//   the busy timeout cannot help it because waiting could deadlock;
// - it tells the caller about every commit that wrote something, which group commit needs
//   (groupCommit.ts);
// - in group-commit mode a `batch` can hold one transaction for all its rows, each row's
//   transactions becoming savepoints in it (`inOneTransaction`, heldTransaction.ts);
// - in group-commit mode requests' transactions share COMMITs (`shareCommits`): a transaction
//   that wrote stays open when it ends, the transactions after it join it as savepoints, and
//   one COMMIT ends them all when group commit asks (groupCommit.ts, SharedCommits). No answer
//   goes out before that COMMIT and the sync after it (afterWrites waits for both), so the
//   promise of an answer is unchanged; a COMMIT writes the pages the transactions share (the
//   newest leaf of each index) once instead of once per request.
// Like Kysely's driver it hands the single connection to one caller at a time.
import type { Database } from 'better-sqlite3';
import { AsyncLocalStorage } from 'node:async_hooks';
import {
  CompiledQuery,
  SelectQueryNode,
  SqliteDialect,
  type DatabaseConnection,
  type Driver,
  type QueryResult,
} from 'kysely';
import { HeldTransaction, type ControllableConnection } from './heldTransaction.js';
import type { SharedCommits } from './groupCommit.js';
import { StatementCache } from './statementCache.js';
import { Turns } from './turns.js';

export interface SqliteDriverOptions {
  /** Called after each commit that wrote something, once its COMMIT has returned. */
  readonly onCommit?: () => void;
  readonly statementCacheSize?: number;
  /**
   * Lets `inOneTransaction` hold one transaction for a whole batch. Only where answers wait for
   * durability anyway (group commit); elsewhere it runs the work as it is.
   */
  readonly holdBatches?: boolean;
  /**
   * Keeps transactions that wrote open for one COMMIT shared with the ones after them; called
   * when the first of them ends. Only where answers wait for durability anyway (group commit).
   */
  readonly shareCommits?: {
    onPending(): void;
    /** SQLite rolled back writes finished requests shared (or their COMMIT failed): nothing later can be promised. */
    onLost(error: unknown): void;
  };
}

/** The savepoint a request's transaction runs in when it joins transactions waiting for their COMMIT. */
const JOINED = 'salestrace_joined';

/** Thrown to the requests whose writes SQLite rolled back with a later request's failure. */
export class SharedTransactionLostError extends Error {
  constructor() {
    super('the database rolled back a transaction that finished requests shared, so their writes were not kept');
    this.name = 'SharedTransactionLostError';
  }
}

interface CommitWaiters {
  readonly promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function commitWaiters(): CommitWaiters {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // Nobody need be waiting: the failure also reaches group commit, which makes it final.
  promise.catch(() => {});
  return { promise, resolve, reject };
}

class CachedSqliteConnection implements ControllableConnection {
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

  get inTransaction(): boolean {
    return this.connection.inTransaction;
  }

  /** A statement that may write has run since the last commit or rollback. */
  get wrote(): boolean {
    return this.#wrote;
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

/**
 * How long callers may take the connection back to back before the next one waits for the
 * event loop (turns.ts): long enough that single calls, which take well under a millisecond
 * each, rarely wait; short enough that queued batches let finished syncs and answers through.
 */
const CONNECTION_SLICE_MS = 10;

class CachingSqliteDriver implements Driver {
  readonly #turns = new Turns(CONNECTION_SLICE_MS);
  readonly #connection: CachedSqliteConnection;
  /** The batch transaction the current async context runs in, if any. */
  readonly #held = new AsyncLocalStorage<HeldTransaction>();
  /**
   * Batches running now. While one runs, Node tracks the context through every promise the
   * process makes (a few percent of CPU); with none, the storage is disabled and nothing pays.
   */
  #batches = 0;
  /** A transaction of ours (not a batch's) is open on the connection, for requests to share (shareCommits). */
  #open = false;
  /** The Kysely transaction running now joined the open one with a savepoint. */
  #joined = false;
  /** Finished transactions in the open one that wait for its COMMIT. */
  #waiting: CommitWaiters | null = null;

  constructor(
    private readonly database: Database,
    private readonly options: SqliteDriverOptions,
  ) {
    this.#connection = new CachedSqliteConnection(database, options.onCommit ?? (() => {}), options.statementCacheSize);
  }

  async init(): Promise<void> {}

  /** Whether the caller runs inside a batch's held transaction (and would wait for itself on the connection's turn). */
  insideOneTransaction(): boolean {
    const held = this.#held.getStore();
    return held !== undefined && !held.ended;
  }

  /**
   * Runs `work` with every query it makes inside one transaction, committed when it returns
   * (heldTransaction.ts). Throws, after rolling back, when `work` throws or the commit fails.
   */
  async inOneTransaction<T>(work: () => Promise<T>): Promise<T> {
    if (!this.options.holdBatches || this.insideOneTransaction()) return work();
    const held = new HeldTransaction(
      this.#connection,
      async () => {
        await this.#turns.take();
        try {
          this.#commitShared();
          this.#connection.control('begin immediate');
        } catch (error) {
          this.#turns.give();
          throw error;
        }
      },
      () => this.#turns.give(),
    );
    this.#batches++;
    try {
      let result: T;
      try {
        result = await this.#held.run(held, work);
      } catch (error) {
        await held.finish(false);
        throw error;
      }
      await held.finish(true);
      return result;
    } finally {
      // Work a batch left running finds no store afterwards and takes the ordinary way, as it
      // would once its HeldTransaction has ended.
      if (--this.#batches === 0) this.#held.disable();
    }
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    const held = this.#held.getStore();
    if (held !== undefined && !held.ended) return held.lease();
    await this.#turns.take();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof HeldTransaction) return connection.beginRow();
    const own = connection as CachedSqliteConnection;
    if (this.#open && !own.inTransaction) this.#lose(new SharedTransactionLostError());
    if (this.#open) {
      own.control(`savepoint ${JOINED}`);
      this.#joined = true;
      return;
    }
    own.control('begin immediate');
    this.#joined = false;
    this.#open = this.options.shareCommits !== undefined;
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof HeldTransaction) return connection.commitRow();
    const own = connection as CachedSqliteConnection;
    if (!this.#open) return own.control('commit');
    if (this.#joined) {
      this.#joined = false;
      this.#leaveJoined(own, `release ${JOINED}`);
    } else if (!own.wrote) {
      // Nothing to share: end it now rather than hold the write lock for nobody.
      return this.#commitShared();
    }
    if (this.#waiting === null) {
      this.#waiting = commitWaiters();
      this.options.shareCommits!.onPending();
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof HeldTransaction) return connection.rollbackRow();
    const own = connection as CachedSqliteConnection;
    if (!this.#joined) {
      // Alone in its transaction: nothing before it waits for a COMMIT.
      this.#open = false;
      own.control('rollback');
      return;
    }
    this.#joined = false;
    this.#leaveJoined(own, `rollback to ${JOINED}`, `release ${JOINED}`);
  }

  /** Ends a joined transaction's savepoint; when SQLite has rolled back the whole transaction, the requests before it lose their writes. */
  #leaveJoined(own: CachedSqliteConnection, ...commands: string[]): void {
    try {
      for (const command of commands) own.control(command);
    } catch (error) {
      if (!own.inTransaction) this.#lose(new SharedTransactionLostError());
      throw error;
    }
    if (!own.inTransaction) {
      const lost = new SharedTransactionLostError();
      this.#lose(lost);
      throw lost;
    }
  }

  /** The open transaction is gone without its COMMIT: the requests waiting for it fail. */
  #lose(error: unknown): void {
    this.#open = false;
    const waiting = this.#waiting;
    this.#waiting = null;
    waiting?.reject(error);
    // Other requests may have read those writes and be answering from them.
    this.options.shareCommits?.onLost(error);
  }

  /** Commits the transaction finished requests share, if one is open; the caller holds the connection's turn. */
  #commitShared(): void {
    if (!this.#open) return;
    const waiting = this.#waiting;
    try {
      if (!this.#connection.inTransaction) throw new SharedTransactionLostError();
      this.#connection.control('commit');
    } catch (error) {
      try {
        if (this.#connection.inTransaction) this.#connection.control('rollback');
      } finally {
        this.#lose(error);
      }
      throw error;
    }
    this.#open = false;
    this.#waiting = null;
    waiting?.resolve();
  }

  /** Settles when the COMMIT of the finished transactions waiting now has run; null when none wait. */
  sharedPending(): Promise<void> | null {
    return this.#waiting?.promise ?? null;
  }

  /** Runs that COMMIT in the connection's turn. */
  async commitShared(): Promise<void> {
    await this.#turns.take();
    try {
      this.#commitShared();
    } finally {
      this.#turns.give();
    }
  }

  async savepoint(connection: DatabaseConnection, name: string): Promise<void> {
    (connection as ControllableConnection).control(`savepoint ${quoteName(name)}`);
  }

  async rollbackToSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    (connection as ControllableConnection).control(`rollback to ${quoteName(name)}`);
  }

  async releaseSavepoint(connection: DatabaseConnection, name: string): Promise<void> {
    (connection as ControllableConnection).control(`release ${quoteName(name)}`);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    if (connection instanceof HeldTransaction) connection.turns.give();
    else this.#turns.give();
  }

  async destroy(): Promise<void> {
    try {
      this.#commitShared();
    } finally {
      this.database.close();
    }
  }
}

function quoteName(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** Kysely's SQLite dialect (compiler, adapter, introspector) with the driver above. */
export class CachingSqliteDialect extends SqliteDialect {
  // Kysely asks for the driver once; made here so that `inOneTransaction` can reach it.
  readonly #driver: CachingSqliteDriver;

  constructor(database: Database, options: SqliteDriverOptions = {}) {
    super({ database });
    this.#driver = new CachingSqliteDriver(database, options);
  }

  override createDriver(): Driver {
    return this.#driver;
  }

  inOneTransaction<T>(work: () => Promise<T>): Promise<T> {
    return this.#driver.inOneTransaction(work);
  }

  insideOneTransaction(): boolean {
    return this.#driver.insideOneTransaction();
  }

  /** Group commit's side of `shareCommits` (groupCommit.ts). */
  sharedCommits(): SharedCommits {
    return { pending: () => this.#driver.sharedPending(), commit: () => this.#driver.commitShared() };
  }
}
