// Group commit (src/db/dialects/groupCommit.ts) with a sync the test holds and releases: who
// waits for which sync, how syncs are shared, and what a failed sync does.
import { describe, expect, it } from 'vitest';
import { DurabilityLostError, GroupCommit } from '../../src/db/dialects/groupCommit.js';

/** A sync that stays pending until the test settles it. */
class HeldSyncs {
  readonly pending: Array<{ resolve(): void; reject(error: Error): void }> = [];
  readonly sync = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      this.pending.push({ resolve, reject });
    });
  get started(): number {
    return this.pending.length;
  }
  release(index: number): void {
    this.pending[index].resolve();
  }
  fail(index: number, error: Error): void {
    this.pending[index].reject(error);
  }
}

/** Settles after every queued promise callback has run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function track(promise: Promise<void>): { state: () => 'pending' | 'done' | Error } {
  let state: 'pending' | 'done' | Error = 'pending';
  promise.then(
    () => (state = 'done'),
    (error: Error) => (state = error),
  );
  return { state: () => state };
}

describe('group commit', () => {
  it('does not wait, nor sync, when nothing was committed', async () => {
    const syncs = new HeldSyncs();
    const group = new GroupCommit(syncs.sync);
    const wait = track(group.afterWrites());
    await settle();
    expect(wait.state()).toBe('done');
    expect(syncs.started).toBe(0);
  });

  it('holds a wait until the sync that began after its commit has finished', async () => {
    const syncs = new HeldSyncs();
    const group = new GroupCommit(syncs.sync);
    group.noteCommit();
    const wait = track(group.afterWrites());
    await settle();
    expect(syncs.started).toBe(1);
    expect(wait.state()).toBe('pending');
    syncs.release(0);
    await settle();
    expect(wait.state()).toBe('done');
    // Everything is synced now: the next wait is free.
    const again = track(group.afterWrites());
    await settle();
    expect(again.state()).toBe('done');
    expect(syncs.started).toBe(1);
  });

  it('shares one sync among the commits made before it began, and starts one more for the rest', async () => {
    const syncs = new HeldSyncs();
    const group = new GroupCommit(syncs.sync);
    // Five requests commit in turn before any of them asks to wait (as on one busy tick).
    for (let i = 0; i < 5; i++) group.noteCommit();
    const firstWaits = [];
    for (let i = 0; i < 5; i++) firstWaits.push(track(group.afterWrites()));
    expect(syncs.started).toBe(1);
    // Committed while the first sync runs: that sync may have missed it.
    group.noteCommit();
    const late = track(group.afterWrites());
    group.noteCommit();
    const later = track(group.afterWrites());
    expect(syncs.started).toBe(1);
    syncs.release(0);
    await settle();
    expect(firstWaits.map((wait) => wait.state())).toEqual(['done', 'done', 'done', 'done', 'done']);
    expect([late.state(), later.state()]).toEqual(['pending', 'pending']);
    expect(syncs.started).toBe(2);
    syncs.release(1);
    await settle();
    expect([late.state(), later.state()]).toEqual(['done', 'done']);
    expect(syncs.started).toBe(2);
  });

  it('rejects every wait the failed sync was to cover, and every later one', async () => {
    const syncs = new HeldSyncs();
    const group = new GroupCommit(syncs.sync);
    group.noteCommit();
    const covered = track(group.afterWrites());
    group.noteCommit();
    const next = track(group.afterWrites());
    syncs.fail(0, Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    await settle();
    expect(covered.state()).toBeInstanceOf(DurabilityLostError);
    expect(next.state()).toBeInstanceOf(DurabilityLostError);
    expect(((covered.state() as Error).cause as Error).message).toBe('EIO: i/o error, fdatasync');
    // Not even a read gets a success answer after that: it may show a write that is lost.
    const afterwards = track(group.afterWrites());
    await settle();
    expect(afterwards.state()).toBeInstanceOf(DurabilityLostError);
    expect(syncs.started).toBe(1);
  });

  it('treats a sync that throws before returning a promise as failed', async () => {
    const group = new GroupCommit(() => {
      throw new Error('no descriptor');
    });
    group.noteCommit();
    const wait = track(group.afterWrites());
    await settle();
    expect(wait.state()).toBeInstanceOf(DurabilityLostError);
  });
});
