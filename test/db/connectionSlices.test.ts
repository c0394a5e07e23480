// The SQLite connection is handed from one caller to the next in time slices (turns.ts,
// CONNECTION_SLICE_MS in sqliteDriver.ts): once callers have held it back to back for the slice,
// the next one waits for the event loop's next turn. Without that, a queue of batches ran as one
// stretch of a few hundred milliseconds in which no finished sync was seen, no answer went out
// and no request was read (measured with monitorEventLoopDelay under the batch-50 bench).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECT } from '../helpers/database.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const onSqlite = TEST_DIALECT === 'sqlite';

/** Busy-waits `ms`, as a batch's statements keep the thread. */
function work(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

describe.runIf(onSqlite)('the connection is handed over in time slices', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
    await sql`create table slice_probe (n integer not null)`.execute(server.services.db);
    await server.services.durability.afterWrites();
  });
  afterAll(() => server.close());

  it('lets the event loop turn between transactions queued for the connection once they have held it for 10 ms', async () => {
    const order: string[] = [];
    let ticking = true;
    const tick = () => {
      order.push('loop');
      if (ticking) setImmediate(tick);
    };
    const transactions = [1, 2, 3, 4].map((n) =>
      server.services.db.transaction().execute(async (trx) => {
        order.push(`start ${n}`);
        work(6);
        await sql`insert into slice_probe (n) values (${n})`.execute(trx);
        order.push(`end ${n}`);
      }),
    );
    setImmediate(tick);
    await Promise.all(transactions);
    ticking = false;
    const at = (entry: string) => order.indexOf(entry);
    // All four were queued before the first ran: they start in order.
    const starts = [1, 2, 3, 4].map((n) => at(`start ${n}`));
    expect(starts.every((position, i) => i === 0 || position > starts[i - 1]), order.join(', ')).toBe(true);
    // Any two of them back to back hold the connection for at least 12 ms ≥ 10, so the loop
    // turns before a third: no stretch without a loop runs more than two. (That a stretch
    // shorter than the slice does not wait is turns.test.ts's, on a clock of its own.)
    const stretches = order.join(',').split('loop').map((part) => (part.match(/start/g) ?? []).length);
    expect(Math.max(...stretches), order.join(', ')).toBeLessThanOrEqual(2);
  });
});
