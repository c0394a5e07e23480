// SQLite runs one transaction at a time; PostgreSQL runs them side by side. Every PostgreSQL
// transaction runs READ COMMITTED: each statement sees what had committed when it began, and a
// write waits for the rows it touches. That alone would let a read-then-write transaction (check
// that an item exists, then bind it; find a trace unused, then delete it) act on something another
// transaction is changing, so each such path first locks the rows its decision rests on
// (rowLocks.ts), and a writer that would change them waits for its commit. The outcome is then one
// some serial order would give, i.e. an answer SQLite could have given, without SERIALIZABLE's
// predicate locks, whose conflicts on the newest index pages halved the rate of concurrent adds.
// A deadlock between lockers (or a serialization failure, should a caller ask for a stricter
// level) fails the transaction, which then runs again from the start, so callers never see it:
// attempts go on until the request deadline (the configured request timeout) has passed, never a
// fixed number. A transaction callback must therefore only act on the database (or be safe to
// repeat), which is already the rule for anything that may be rolled back.
import { Kysely, type KyselyConfig, type TransactionBuilder } from 'kysely';
import { classifyPostgresError } from './postgresErrors.js';

/** A serialization failure or deadlock: the transaction changed nothing and may simply run again. */
function isRetryable(error: unknown): boolean {
  return classifyPostgresError(error) === 'conflict';
}

/** A short random pause that grows with each attempt, so colliding transactions spread out. */
function pause(attempt: number): Promise<void> {
  const ceiling = Math.min(2 ** attempt, 64);
  return new Promise((resolve) => setTimeout(resolve, Math.random() * ceiling));
}

async function runWithRetries<T>(run: () => Promise<T>, retryForMs: number): Promise<T> {
  const giveUpAt = performance.now() + retryForMs;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!isRetryable(error) || performance.now() >= giveUpAt) throw error;
      await pause(attempt);
    }
  }
}

function retrying<DB>(builder: TransactionBuilder<DB>, retryForMs: number): TransactionBuilder<DB> {
  return new Proxy(builder, {
    get(target, property) {
      if (property === 'execute') {
        return <T>(callback: Parameters<TransactionBuilder<DB>['execute']>[0]) =>
          runWithRetries(() => target.execute(callback) as Promise<T>, retryForMs);
      }
      if (property === 'setIsolationLevel' || property === 'setAccessMode') {
        return (value: never) => retrying(target[property](value), retryForMs);
      }
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export class ReadCommittedKysely<DB> extends Kysely<DB> {
  readonly #retryForMs: number;

  /** `retryForMs`: how long a transaction is run again after deadlocks and serialization failures. */
  constructor(config: KyselyConfig, retryForMs: number) {
    super(config);
    this.#retryForMs = retryForMs;
  }

  override transaction(): TransactionBuilder<DB> {
    return retrying(super.transaction().setIsolationLevel('read committed'), this.#retryForMs);
  }
}
