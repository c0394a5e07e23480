// One read for every caller that asked before it was issued (sqliteChangeSignal.ts and
// postgresChangeSignal.ts explain why each caller still gets a value read after it asked): it is
// issued on setImmediate, after the current batch of socket reads, so under load one query serves
// one event-loop turn's requests instead of one each.
type Waiter<T> = { resolve(value: T): void; reject(error: unknown): void };

/** `read` for everyone who asked before the read was issued; later askers wait for the next one. */
export function sharedAfterAsking<T>(readNow: () => Promise<T>): () => Promise<T> {
  let waiting: Waiter<T>[] | null = null;
  const issue = () => {
    const group = waiting ?? [];
    // Cleared before the read starts: whoever asks from now on may have arrived after this
    // read executed, and must get a read of its own.
    waiting = null;
    readNow().then(
      (token) => group.forEach((waiter) => waiter.resolve(token)),
      (error: unknown) => group.forEach((waiter) => waiter.reject(error)),
    );
  };
  return () =>
    new Promise<T>((resolve, reject) => {
      if (waiting) {
        waiting.push({ resolve, reject });
        return;
      }
      waiting = [{ resolve, reject }];
      setImmediate(issue);
    });
}
