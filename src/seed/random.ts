// A small seeded PRNG (mulberry32) for `salestrace seed`: the same --seed on the same database
// gives the same rows, which Math.random cannot promise.

export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(list: readonly T[]): T {
    return list[Math.floor(this.next() * list.length)];
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** One entry of a list weighted by `weight`. */
  weighted<T extends { readonly weight: number }>(list: readonly T[]): T {
    const total = list.reduce((sum, entry) => sum + entry.weight, 0);
    let left = this.next() * total;
    for (const entry of list) {
      left -= entry.weight;
      if (left < 0) return entry;
    }
    return list[list.length - 1];
  }
}
