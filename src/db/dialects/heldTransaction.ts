// One physical SQLite transaction held for a whole `batch` (src/rest/batch.ts), so that 50 rows
// cost one BEGIN IMMEDIATE … COMMIT and one shared sync instead of 50 of each.
//
// Design. The batch runs its rows inside `inOneTransaction(work)` (sqliteDriver.ts), which puts
// a HeldTransaction into an AsyncLocalStorage context. Every query the rows make, through
// `services.db` or a Kysely transaction, asks the driver for a connection; inside that context
// the driver hands out the HeldTransaction instead of taking the connection's turn:
// - the first request opens it: the batch takes the connection's turn (other requests now wait
//   for it exactly as they wait for any transaction) and runs BEGIN IMMEDIATE. A batch whose rows
//   never touch the database holds nothing;
// - a Kysely `transaction()` a row opens becomes a SAVEPOINT: RELEASE when it succeeds, ROLLBACK
//   TO and RELEASE when it fails. A failing row is undone alone and the other rows keep their
//   writes, as when each row committed by itself; a row's plain writes stay, as before;
// - inside the batch, callers still take turns (one Turns of its own), so a row's queries are
//   ordered exactly as they are outside a batch;
// - when the work is done the batch commits; the COMMIT is reported to group commit like any
//   other, and the answer waits for its sync in the onSend hook. If the COMMIT fails, or SQLite
//   itself rolled the transaction back on the way (it does for a full disk or an I/O error),
//   `inOneTransaction` throws: the batch answers an error, never a list of rows as done.
// A crash before the COMMIT loses the whole batch, which was not answered; a crash after it is
// covered by SQLite's recovery like any commit.
import type { CompiledQuery, DatabaseConnection, QueryResult } from 'kysely';
import { Turns } from './turns.js';

/** What the held transaction needs of the driver's connection. */
export interface ControllableConnection extends DatabaseConnection {
  /** Runs BEGIN, COMMIT, ROLLBACK or a savepoint command. */
  control(sqlText: string): void;
  /** Whether SQLite has a transaction open on the connection. */
  readonly inTransaction: boolean;
}

export class TransactionLostError extends Error {
  constructor() {
    super('the database rolled the batch transaction back, so none of its rows were kept');
    this.name = 'TransactionLostError';
  }
}

export class HeldTransaction implements DatabaseConnection {
  /** One caller at a time inside the batch, as outside it. */
  readonly turns = new Turns();
  #opening: Promise<void> | null = null;
  #open = false;
  #ended = false;
  #lost = false;
  #savepoints: string[] = [];

  /**
   * @param begin takes the connection's turn and runs BEGIN IMMEDIATE (giving the turn back if that fails).
   * @param release gives the connection's turn back once the transaction has ended.
   */
  constructor(
    private readonly connection: ControllableConnection,
    private readonly begin: () => Promise<void>,
    private readonly release: () => void,
  ) {}

  /** Work that outlives its batch must not write into it: later callers go the ordinary way. */
  get ended(): boolean {
    return this.#ended;
  }

  /** This transaction for one caller, opened at first use; give it back with `turns.give()`. */
  async lease(): Promise<HeldTransaction> {
    this.#opening ??= this.begin().then(() => {
      this.#open = true;
    });
    await this.#opening;
    await this.turns.take();
    return this;
  }

  executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    this.#checkUsable();
    try {
      return this.connection.executeQuery<R>(compiledQuery);
    } finally {
      this.#noteIfLost();
    }
  }

  streamQuery<R>(compiledQuery: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    this.#checkUsable();
    return this.connection.streamQuery<R>(compiledQuery, chunkSize);
  }

  /** A savepoint command of a controlled transaction inside a row. */
  control(sqlText: string): void {
    this.#checkUsable();
    try {
      this.connection.control(sqlText);
    } finally {
      this.#noteIfLost();
    }
  }

  /** A row's `transaction()` begins. */
  beginRow(): void {
    // Named by depth, so the same few SQL texts recur (statementCache.ts); SQLite's RELEASE and
    // ROLLBACK TO act on the innermost savepoint of a name.
    const name = `salestrace_row_${this.#savepoints.length + 1}`;
    this.control(`savepoint ${name}`);
    this.#savepoints.push(name);
  }

  commitRow(): void {
    this.control(`release ${this.#innermost()}`);
    this.#savepoints.pop();
  }

  rollbackRow(): void {
    const name = this.#innermost();
    this.#savepoints.pop();
    this.control(`rollback to ${name}`);
    this.control(`release ${name}`);
  }

  /**
   * Ends the batch once its work is done: COMMIT when it succeeded, ROLLBACK when it threw.
   * Throws when the batch's writes could not be committed. Waits for a caller still inside.
   */
  async finish(succeeded: boolean): Promise<void> {
    if (this.#opening) {
      // The work may end while a query it did not wait for is still opening the transaction.
      try {
        await this.#opening;
      } catch {
        // BEGIN failed: nothing is open, and the caller that asked has seen the error.
      }
    }
    if (!this.#open) {
      this.#ended = true;
      return;
    }
    await this.turns.take();
    this.#ended = true;
    try {
      if (!succeeded) {
        if (this.connection.inTransaction) this.connection.control('rollback');
        return;
      }
      if (this.#lost || !this.connection.inTransaction) throw new TransactionLostError();
      try {
        this.connection.control('commit');
      } catch (error) {
        if (this.connection.inTransaction) this.connection.control('rollback');
        throw error;
      }
    } finally {
      this.turns.give();
      this.release();
    }
  }

  #innermost(): string {
    const name = this.#savepoints.at(-1);
    if (name === undefined) throw new Error('no row transaction is open in this batch');
    return name;
  }

  #checkUsable(): void {
    if (this.#ended) throw new Error('a query ran on a batch transaction that has already ended');
    this.#noteIfLost();
    if (this.#lost) throw new TransactionLostError();
  }

  // Without a transaction every later statement would commit on its own, outside the batch.
  #noteIfLost(): void {
    if (this.#open && !this.connection.inTransaction) this.#lost = true;
  }
}
