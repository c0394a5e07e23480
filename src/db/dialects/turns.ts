// One caller at a time on something that cannot be shared (the SQLite connection, or a batch's
// transaction on it): `take` waits until the current holder calls `give`. Waiters are served
// in the order they asked, and `give` hands the turn straight to the next one, so a release
// wakes one waiter, not all of them (32 connections would otherwise mean 32 wake-ups a turn).
//
// A handover resolves a promise, which runs before the event loop moves on. With `sliceMs`, once
// handovers have run back to back for that long, the next one waits for the event loop's next
// turn (setImmediate) instead: otherwise a queue of 32 batches runs as one stretch of about
// 200 ms in which no finished sync is seen, no answer goes out and no request is read.
export class Turns {
  #held = false;
  readonly #waiting: (() => void)[] = [];
  /** When the current stretch of back-to-back handovers began, by `now`. */
  #stretchStart = 0;

  constructor(
    private readonly sliceMs = Infinity,
    private readonly now: () => number = () => performance.now(),
  ) {}

  take(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      this.#stretchStart = this.now();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  give(): void {
    const next = this.#waiting.shift();
    if (!next) {
      this.#held = false;
      return;
    }
    if (this.now() - this.#stretchStart < this.sliceMs) {
      next();
      return;
    }
    // Still held meanwhile: callers that ask now queue behind `next`, in order.
    setImmediate(() => {
      this.#stretchStart = this.now();
      next();
    });
  }
}
