// One caller at a time on something that cannot be shared (the SQLite connection, or a batch's
// transaction on it): `take` waits until the current holder calls `give`. Waiters are served
// in the order they asked, and `give` hands the turn straight to the next one, so a release
// wakes one waiter, not all of them (32 connections would otherwise mean 32 wake-ups a turn).
export class Turns {
  #held = false;
  readonly #waiting: (() => void)[] = [];

  take(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  give(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }
}
