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
});
