// A stand-in for the sync of SQLite's log (ServiceOptions.syncLog) that a test can hold: while
// held, every sync stays pending until the test releases or fails it; otherwise syncs finish
// at once. It counts the syncs begun, so tests can see commits sharing them.
export class HeldSyncs {
  #holding = false;
  #pending: Array<{ resolve(): void; reject(error: Error): void }> = [];
  started = 0;

  readonly sync = (): Promise<void> => {
    this.started++;
    if (!this.#holding) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.#pending.push({ resolve, reject });
    });
  };

  hold(): void {
    this.#holding = true;
  }

  /** How many syncs are waiting for the test. */
  get waiting(): number {
    return this.#pending.length;
  }

  /** Finishes the oldest held sync. */
  releaseOne(): void {
    const next = this.#pending.shift();
    if (!next) throw new Error('no sync is being held');
    next.resolve();
  }

  /** Fails the oldest held sync. */
  failOne(error: Error): void {
    const next = this.#pending.shift();
    if (!next) throw new Error('no sync is being held');
    next.reject(error);
  }

  /** Stops holding and finishes every held sync. */
  letGo(): void {
    this.#holding = false;
    while (this.#pending.length > 0) this.releaseOne();
  }
}
