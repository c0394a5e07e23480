// What "a success answer means the write is durable" asks of the code that answers: before an
// answer goes out, wait for `afterWrites()`. It settles once every write committed so far is
// on stable storage, and rejects when that cannot be promised (the answer must then be an
// error). A database whose COMMIT is itself durable (PostgreSQL, SQLite with
// synchronous=FULL) has nothing to wait for.
export interface Durability {
  afterWrites(): Promise<void>;
}

const DONE: Promise<void> = Promise.resolve();

export const durableOnCommit: Durability = {
  afterWrites: () => DONE,
};
