// The attribution models: how one won deal's credit is shared among the touches of its journey,
// and how that share becomes whole cents (and whole ten-thousandths of a deal) that add up to
// exactly the deal's amount. Pure functions; the service feeds them journeys from the store.
//
// Every model states its shares as integer weights (BigInt), so the split is exact: linear gives
// each touch 1; position-based gives 2(n−2) to the first and last and 1 to each middle touch of
// n ≥ 3 (40/20/40), 1 and 1 for two touches; time decay gives 2^(−age / half-life) scaled to
// integers (DECAY_SCALE). A deal's units go by the largest remainder (Hamilton's method).

/** Organic traffic ("Other traffic"): a touch without a source. */
export const ORGANIC = 0;

export const MODELS = ['firstTouch', 'lastTouch', 'lastNonDirect', 'linear', 'positionBased', 'timeDecay'] as const;
export type AttributionModel = (typeof MODELS)[number];

/** One visit on the way to the deal, oldest first in a journey. */
export interface Touch {
  readonly traceId: number;
  /** Unix seconds. */
  readonly at: number;
  /** 0 for organic traffic. */
  readonly sourceId: number;
}

export interface ModelOptions {
  /** Time decay's half-life in seconds. */
  readonly halfLifeSeconds: number;
}

/** A deal's count in units: one deal is 10 000 units, so counts have four decimals. */
export const DEAL_UNITS = 10_000;

/** Decay weights are 2^(−age / half-life) times this, rounded: fine enough, and exact from there on. */
export const DECAY_SCALE = 1_000_000_000_000;

/** Oldest first, a trace's ID breaking a tie of times. */
export function inTimeOrder(touches: readonly Touch[]): Touch[] {
  return [...touches].sort((a, b) => a.at - b.at || a.traceId - b.traceId);
}

/** Each touch's integer weight under the model; `touches` in time order, at least one. */
export function touchWeights(model: AttributionModel, touches: readonly Touch[], wonAt: number, options: ModelOptions): bigint[] {
  const n = touches.length;
  const weights = touches.map(() => 0n);
  switch (model) {
    case 'firstTouch':
      weights[0] = 1n;
      break;
    case 'lastTouch':
      weights[n - 1] = 1n;
      break;
    case 'lastNonDirect': {
      // The last touch with a source; organic only when nothing else is there.
      let at = n - 1;
      for (let i = n - 1; i >= 0; i--) {
        if (touches[i].sourceId !== ORGANIC) {
          at = i;
          break;
        }
      }
      weights[at] = 1n;
      break;
    }
    case 'linear':
      weights.fill(1n);
      break;
    case 'positionBased':
      if (n <= 2) weights.fill(1n);
      else {
        weights.fill(1n);
        weights[0] = BigInt(2 * (n - 2));
        weights[n - 1] = BigInt(2 * (n - 2));
      }
      break;
    case 'timeDecay':
      for (let i = 0; i < n; i++) {
        const age = Math.max(0, wonAt - touches[i].at);
        // At least 1, so a very old touch still counts a little and the weights never sum to 0.
        weights[i] = BigInt(Math.max(1, Math.round(DECAY_SCALE * 2 ** (-age / options.halfLifeSeconds))));
      }
      break;
  }
  return weights;
}

/** Weights summed per source, in the order the sources first appear in the journey. */
export function sourceWeights(touches: readonly Touch[], weights: readonly bigint[]): Map<number, bigint> {
  const bySource = new Map<number, bigint>();
  touches.forEach((touch, i) => bySource.set(touch.sourceId, (bySource.get(touch.sourceId) ?? 0n) + weights[i]));
  for (const [source, weight] of bySource) if (weight === 0n) bySource.delete(source);
  return bySource;
}

/**
 * Splits `total` whole units in proportion to the weights by the largest remainder: each part
 * gets the whole part of its quota, and the units left over go one each to the largest
 * fractions (ties: the part listed first). The parts add up to `total` exactly. A negative
 * total is split as its magnitude and given back negative.
 */
export function largestRemainder(total: bigint, weights: readonly bigint[]): bigint[] {
  if (total < 0n) return largestRemainder(-total, weights).map((part) => -part);
  const sum = weights.reduce((a, b) => a + b, 0n);
  if (sum <= 0n) throw new Error('largestRemainder needs a positive weight');
  const parts = weights.map((w) => (total * w) / sum);
  const remainders = weights.map((w, i) => ({ i, rest: (total * w) % sum }));
  let left = total - parts.reduce((a, b) => a + b, 0n);
  remainders.sort((a, b) => (a.rest === b.rest ? a.i - b.i : a.rest > b.rest ? -1 : 1));
  for (let k = 0; left > 0n; k++, left--) parts[remainders[k].i]++;
  return parts;
}

/** One deal's credit to one source under one model: units of a deal (DEAL_UNITS) and cents. */
export interface Credit {
  readonly units: bigint;
  readonly cents: bigint;
}

/**
 * A deal's credits per source under each model. `touches` in time order; none at all credits
 * the whole deal to organic traffic under every model. `cents` null: the amount cannot be
 * expressed in the account currency, so only the count is credited.
 */
export function creditDeal(
  touches: readonly Touch[],
  wonAt: number,
  cents: bigint | null,
  options: ModelOptions,
): Record<AttributionModel, Map<number, Credit>> {
  const journey = touches.length > 0 ? touches : [{ traceId: 0, at: wonAt, sourceId: ORGANIC }];
  const result = {} as Record<AttributionModel, Map<number, Credit>>;
  for (const model of MODELS) {
    const bySource = sourceWeights(journey, touchWeights(model, journey, wonAt, options));
    const sources = [...bySource.keys()];
    const weights = [...bySource.values()];
    const units = largestRemainder(BigInt(DEAL_UNITS), weights);
    const money = cents === null ? weights.map(() => 0n) : largestRemainder(cents, weights);
    result[model] = new Map(sources.map((source, i) => [source, { units: units[i], cents: money[i] }]));
  }
  return result;
}
