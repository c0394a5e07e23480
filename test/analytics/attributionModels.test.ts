// The attribution models on hand-made journeys, every number pinned, and on random journeys the
// property the report rests on: under every model one deal's credits add up to exactly its
// amount in cents and to exactly one deal.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { creditDeal, largestRemainder, MODELS, ORGANIC, type AttributionModel, type Touch } from '../../src/analytics/attribution/models.js';

const DAY = 86_400;
const WON = 1_775_000_000;
const GOOGLE = 1;
const FB = 2;
const INSTAGRAM = 3;
const WEEK = { halfLifeSeconds: 7 * DAY };

function touch(traceId: number, daysBefore: number, sourceId: number): Touch {
  return { traceId, at: WON - daysBefore * DAY, sourceId };
}

/** A deal's credits as plain numbers: {model: {source: [units, cents]}}. */
function credits(touches: Touch[], cents: number | null, options = WEEK): Record<string, Record<number, [number, number]>> {
  const result = creditDeal(touches, WON, cents, options);
  return Object.fromEntries(
    MODELS.map((model) => [model, Object.fromEntries([...result[model]].map(([source, c]) => [source, [c.units, c.cents]]))]),
  );
}

describe('hand-made journeys', () => {
  // google 3 days before the win, organic 2 days before, fb 1 day before; 1000.00.
  const three = [touch(11, 3, GOOGLE), touch(12, 2, ORGANIC), touch(13, 1, FB)];

  it('three touches, every model', () => {
    expect(credits(three, 100000)).toEqual({
      firstTouch: { [GOOGLE]: [10000, 100000] },
      lastTouch: { [FB]: [10000, 100000] },
      lastNonDirect: { [FB]: [10000, 100000] },
      // 1/3 each; the leftover cent and unit go to the first listed of equal remainders.
      linear: { [GOOGLE]: [3334, 33334], [ORGANIC]: [3333, 33333], [FB]: [3333, 33333] },
      positionBased: { [GOOGLE]: [4000, 40000], [ORGANIC]: [2000, 20000], [FB]: [4000, 40000] },
      // 2^(-3/7) : 2^(-2/7) : 2^(-1/7) = 0.7430 : 0.8203 : 0.9057.
      timeDecay: { [GOOGLE]: [3009, 30092], [ORGANIC]: [3323, 33225], [FB]: [3668, 36683] },
    });
  });

  it('time decay with a one-day half-life: 1 : 2 : 4', () => {
    expect(credits(three, 100000, { halfLifeSeconds: DAY }).timeDecay).toEqual({
      [GOOGLE]: [1429, 14286],
      [ORGANIC]: [2857, 28571],
      [FB]: [5714, 57143],
    });
  });

  it('two touches: position-based is 50/50; last non-direct skips organic', () => {
    const two = [touch(21, 5, GOOGLE), touch(22, 1, ORGANIC)];
    expect(credits(two, 10001)).toEqual({
      firstTouch: { [GOOGLE]: [10000, 10001] },
      lastTouch: { [ORGANIC]: [10000, 10001] },
      lastNonDirect: { [GOOGLE]: [10000, 10001] },
      linear: { [GOOGLE]: [5000, 5001], [ORGANIC]: [5000, 5000] },
      positionBased: { [GOOGLE]: [5000, 5001], [ORGANIC]: [5000, 5000] },
      // 2^(-5/7) : 2^(-1/7) = 0.6095 : 0.9057
      timeDecay: { [GOOGLE]: [4023, 4023], [ORGANIC]: [5977, 5978] },
    });
  });

  it('one source visited twice among four touches: its credits add up', () => {
    const four = [touch(31, 9, GOOGLE), touch(32, 6, FB), touch(33, 4, GOOGLE), touch(34, 2, ORGANIC)];
    const result = credits(four, 50000);
    // 40 / 10 / 10 / 40: google gets the first and a middle touch.
    expect(result.positionBased).toEqual({ [GOOGLE]: [5000, 25000], [FB]: [1000, 5000], [ORGANIC]: [4000, 20000] });
    expect(result.linear).toEqual({ [GOOGLE]: [5000, 25000], [FB]: [2500, 12500], [ORGANIC]: [2500, 12500] });
    expect(result.lastNonDirect).toEqual({ [GOOGLE]: [10000, 50000] });
  });

  it('only organic touches: last non-direct falls back to organic', () => {
    expect(credits([touch(41, 3, ORGANIC), touch(42, 1, ORGANIC)], 700).lastNonDirect).toEqual({ [ORGANIC]: [10000, 700] });
  });

  it('no touch at all: the whole deal is organic under every model', () => {
    const all = { [ORGANIC]: [10000, 12345] };
    expect(credits([], 12345)).toEqual(Object.fromEntries(MODELS.map((model) => [model, all])));
  });

  it('one touch takes everything; an amount without a rate credits only the count', () => {
    const one = credits([touch(51, 0, INSTAGRAM)], null);
    for (const model of MODELS) expect(one[model]).toEqual({ [INSTAGRAM]: [10000, 0] });
  });

  it('largest remainder: exact sums, ties to the part listed first, negatives mirrored', () => {
    expect(largestRemainder(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(largestRemainder(100, [1, 2, 4])).toEqual([14, 29, 57]);
    expect(largestRemainder(-10, [1, 1, 1])).toEqual([-4, -3, -3]);
    expect(largestRemainder(0, [3, 5])).toEqual([0, 0]);
    // Beyond safe doubles the same split is made in BigInt: 2^53 + 1 units, 1 : 1 : 1.
    expect(largestRemainder(2 ** 53 - 1, [1, 1, 1])).toEqual([3002399751580331, 3002399751580330, 3002399751580330]);
    expect(largestRemainder(1_000_000_000_000, [999_999, 1, 1])).toEqual([999_998_000_002, 999_999, 999_999]);
  });
});

describe('random journeys', () => {
  const touches = fc.array(
    fc.record({ traceId: fc.integer({ min: 1, max: 1_000_000 }), daysBefore: fc.double({ min: 0, max: 90, noNaN: true }), sourceId: fc.integer({ min: 0, max: 6 }) }),
    { maxLength: 12 },
  );

  it('every model credits exactly the deal and its amount, never a negative share of a positive amount', () => {
    fc.assert(
      fc.property(
        touches,
        fc.integer({ min: -10_000_000, max: 1_000_000_000_000 }),
        fc.double({ min: 0.01, max: 365, noNaN: true }),
        (list, cents, halfLifeDays) => {
          const journey = list.map((t) => ({ traceId: t.traceId, at: Math.round(WON - t.daysBefore * DAY), sourceId: t.sourceId })).sort((a, b) => a.at - b.at);
          const result = creditDeal(journey, WON, cents, { halfLifeSeconds: halfLifeDays * DAY });
          for (const model of MODELS as readonly AttributionModel[]) {
            const parts = [...result[model].values()];
            expect(parts.reduce((sum, c) => sum + c.units, 0)).toBe(10000);
            expect(parts.reduce((sum, c) => sum + c.cents, 0)).toBe(cents);
            for (const part of parts) {
              expect(part.units >= 0).toBe(true);
              if (cents >= 0) expect(part.cents >= 0).toBe(true);
            }
            // Only sources of the journey (organic when it is empty) get credit.
            const sources = new Set(journey.length > 0 ? journey.map((t) => t.sourceId) : [ORGANIC]);
            for (const source of result[model].keys()) expect(sources.has(source)).toBe(true);
          }
        },
      ),
      { numRuns: 400 },
    );
  });
});
