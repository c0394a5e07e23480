// One sender for the whole database. Every server process starts an event sender; where several
// processes serve one database (PostgreSQL: serve --workers, several machines), each would read
// the same outbox and post every event once per process. The lease row makes one of them the
// deliverer: it renews the lease on every poll, and another process may take it over only once
// it has run out, which a live holder never lets happen. A holder that dies (or is killed)
// leaves the lease to run out; one that stops gives it up at once.
//
// Why no event goes out twice: the holder starts an attempt only while its lease has at least
// half its term left (`usable`), and an attempt ends within the delivery timeout, which is less
// than half the term. So every attempt of the old holder has ended before the lease can pass on.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Executor } from '../db/schema.js';

const LEASE_NAME = 'outbox';

/** A term long enough that a delivery started in its first half ends before it runs out. */
export function leaseTermMs(deliveryTimeoutMs: number): number {
  return Math.max(10_000, 3 * deliveryTimeoutMs);
}

export class SenderLease {
  readonly holder = randomUUID();
  #usableUntil = 0;

  constructor(
    private readonly db: Executor,
    private readonly clock: Clock,
    private readonly termMs: number,
  ) {}

  /** Takes or renews the lease in one statement; true while this process holds it. */
  async renew(): Promise<boolean> {
    const now = this.clock.now();
    const until = Math.floor(now + this.termMs);
    const row = await this.db
      .insertInto('event_sender_lease')
      .values({ name: LEASE_NAME, holder: this.holder, until_ms: until })
      .onConflict((conflict) =>
        conflict
          .column('name')
          .doUpdateSet({ holder: this.holder, until_ms: until })
          .where((eb) => eb.or([eb('event_sender_lease.holder', '=', this.holder), eb('event_sender_lease.until_ms', '<', Math.floor(now))])),
      )
      .returning('holder')
      .executeTakeFirst();
    this.#usableUntil = row ? now + this.termMs / 2 : 0;
    return row !== undefined;
  }

  /** Whether a delivery attempt may start now. */
  usable(): boolean {
    return this.clock.now() < this.#usableUntil;
  }

  /** Gives the lease up, so another process's sender takes over on its next poll. */
  async release(): Promise<void> {
    this.#usableUntil = 0;
    await this.db
      .updateTable('event_sender_lease')
      .set({ until_ms: 0 })
      .where('name', '=', LEASE_NAME)
      .where('holder', '=', this.holder)
      .execute();
  }
}
