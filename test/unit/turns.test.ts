// The single SQLite connection is handed out through Turns: one holder at a time, in the order
// callers asked, and each give() passes the turn to exactly one waiter.
import { describe, expect, it } from 'vitest';
import { Turns } from '../../src/db/dialects/turns.js';

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('Turns', () => {
  it('serves waiters one at a time, first come first served', async () => {
    const turns = new Turns();
    const served: string[] = [];
    await turns.take();
    for (const name of ['a', 'b', 'c']) void turns.take().then(() => served.push(name));
    await settle();
    expect(served).toEqual([]);
    turns.give();
    await settle();
    expect(served).toEqual(['a']);
    turns.give();
    await settle();
    expect(served).toEqual(['a', 'b']);
    turns.give();
    await settle();
    expect(served).toEqual(['a', 'b', 'c']);
    turns.give();
    // Free again: the next caller gets the turn at once.
    let took = false;
    void turns.take().then(() => (took = true));
    await settle();
    expect(took).toBe(true);
  });

  /** A clock the holders move forward as they "work", so the slices do not depend on the machine's load. */
  function manualClock() {
    let now = 0;
    return { now: () => now, work: (ms: number) => void (now += ms) };
  }

  it('with a time slice, hands over at once until the back-to-back stretch reaches it, then after the event loop turns', async () => {
    const clock = manualClock();
    const turns = new Turns(10, clock.now);
    const order: string[] = [];
    await turns.take();
    // b works past the slice; an immediate queued now shows when the event loop got a turn.
    const spend: Record<string, number> = { a: 3, b: 8, c: 3, d: 3 };
    const waiters = Object.keys(spend).map((name) =>
      turns.take().then(() => {
        order.push(name);
        clock.work(spend[name]);
        turns.give();
      }),
    );
    setImmediate(() => order.push('loop'));
    clock.work(1);
    turns.give();
    await Promise.all(waiters);
    // The holder, a and b reach 12 ms ≥ 10: the loop runs before c, and the stretch starts
    // again at c (c and d together stay under the slice).
    expect(order).toEqual(['a', 'b', 'loop', 'c', 'd']);
  });

  it('without a slice, a queue of holders runs as one stretch that the event loop cannot enter', async () => {
    const clock = manualClock();
    const turns = new Turns(Infinity, clock.now);
    const order: string[] = [];
    await turns.take();
    const waiters = ['a', 'b', 'c'].map((name) =>
      turns.take().then(() => {
        order.push(name);
        clock.work(1000);
        turns.give();
      }),
    );
    setImmediate(() => order.push('loop'));
    turns.give();
    await Promise.all(waiters);
    expect(order).toEqual(['a', 'b', 'c']);
  });

  it('a caller that asks while a handover waits for the loop queues behind the waiter, in order', async () => {
    const turns = new Turns(0);
    const order: string[] = [];
    await turns.take();
    const first = turns.take().then(() => {
      order.push('first');
      turns.give();
    });
    turns.give(); // slice 0: the handover to `first` waits for setImmediate
    const late = turns.take().then(() => {
      order.push('late');
      turns.give();
    });
    await Promise.all([first, late]);
    expect(order).toEqual(['first', 'late']);
  });
});
