// Compiling SQL is a large part of a short query's cost, and the server sends the same few
// hundred SQL texts over and over (Kysely compiles a query to the same text whatever its
// values). This keeps the prepared statement of each recent text, least recently used out
// first, so memory stays bounded whatever texts arrive. A kept statement stays right after a
// schema change (a migration): SQLite prepares it again by itself when the schema it was
// compiled against has changed, and better-sqlite3 reads the column names at every run.
import type { Database, Statement } from 'better-sqlite3';

export const DEFAULT_STATEMENT_CACHE_SIZE = 500;

export class StatementCache {
  // A Map iterates in insertion order: re-inserting on use keeps the least recent first.
  readonly #statements = new Map<string, Statement>();

  constructor(
    private readonly connection: Database,
    readonly capacity: number = DEFAULT_STATEMENT_CACHE_SIZE,
  ) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`statement cache capacity must be a positive integer, got ${capacity}`);
  }

  get size(): number {
    return this.#statements.size;
  }

  /** The prepared statement for this SQL text: kept from an earlier call, or prepared now. */
  prepare(sqlText: string): Statement {
    const kept = this.#statements.get(sqlText);
    if (kept !== undefined) {
      this.#statements.delete(sqlText);
      this.#statements.set(sqlText, kept);
      return kept;
    }
    // A text that does not compile throws here and is not kept.
    const statement = this.connection.prepare(sqlText);
    if (this.#statements.size >= this.capacity) {
      const oldest = this.#statements.keys().next().value as string;
      this.#statements.delete(oldest);
    }
    this.#statements.set(sqlText, statement);
    return statement;
  }

  clear(): void {
    this.#statements.clear();
  }
}
