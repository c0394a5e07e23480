// Time is injected everywhere (DESIGN.md): token expiry, rate limits and operating-time buckets
// all read this clock, so tests can move time instead of sleeping.

export interface Clock {
  /** Milliseconds since the Unix epoch, with sub-millisecond precision where available. */
  now(): number;
}

export const systemClock: Clock = {
  now: () => performance.timeOrigin + performance.now(),
};

/** A clock that only moves when told to. */
export class ManualClock implements Clock {
  constructor(private current: number = Date.UTC(2026, 0, 1)) {}

  now(): number {
    return this.current;
  }

  set(ms: number): void {
    this.current = ms;
  }

  advance(ms: number): void {
    this.current += ms;
  }
}

export function nowSeconds(clock: Clock): number {
  return clock.now() / 1000;
}
