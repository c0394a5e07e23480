// SQLite runs one transaction at a time; PostgreSQL runs them side by side, which lets a
// read-then-write transaction (check that an item exists, then bind it; read an item, then
// update what hangs off it) act on something another transaction is changing. Every PostgreSQL
// transaction therefore runs SERIALIZABLE: it commits only if the outcome is one some serial
// order would give, i.e. an answer SQLite could have given. One that cannot be fitted into such
// an order fails with a serialization failure (or a deadlock) and is run again from the start,
// so callers never see it: attempts go on until the request deadline (the configured request
// timeout) has passed, never a fixed number, since under load a few colliding writers can lose
// many times in a row. A transaction callback must therefore only act on the database (or be
// safe to repeat), which is already the rule for anything that may be rolled back.
// It is the weakest level that keeps every write path correct as the code stands: REPEATABLE
// READ lets a delete that waited for a binder's row lock still read the bindings from its older
// snapshot and leave the new binding behind; READ COMMITTED would need an explicit row lock in
// every read-then-write path (trace delete and clean-up, item update, UTM copy, link moves).
import { Kysely, type KyselyConfig, type TransactionBuilder } from 'kysely';

/** serialization_failure and deadlock_detected: the transaction changed nothing and may simply run again. */
const RETRYABLE_CODES = new Set(['40001', '40P01']);

function isRetryable(error: unknown): boolean {
  return typeof error === 'object' && error !== null && RETRYABLE_CODES.has((error as { code?: unknown }).code as string);
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

export class SerializableKysely<DB> extends Kysely<DB> {
  readonly #retryForMs: number;

  /** `retryForMs`: how long a transaction is run again after serialization failures. */
  constructor(config: KyselyConfig, retryForMs: number) {
    super(config);
    this.#retryForMs = retryForMs;
  }

  override transaction(): TransactionBuilder<DB> {
    return retrying(super.transaction().setIsolationLevel('serializable'), this.#retryForMs);
  }
}
