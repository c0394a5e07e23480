// One caller at a time on something that cannot be shared (the SQLite connection, or a batch's
// transaction on it): `take` waits until the current holder calls `give`.
export class Turns {
  #current: Promise<void> | null = null;
  #release: (() => void) | null = null;

  async take(): Promise<void> {
    while (this.#current) await this.#current;
    this.#current = new Promise((resolve) => {
      this.#release = resolve;
    });
  }

  give(): void {
    const release = this.#release;
    this.#current = null;
    this.#release = null;
    release?.();
  }
}
