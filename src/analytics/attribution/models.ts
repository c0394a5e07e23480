// The attribution models: how one won deal's credit is shared among the touches of its journey,
// and how that share becomes whole cents (and whole ten-thousandths of a deal) that add up to
// exactly the deal's amount. Pure functions; the service feeds them journeys from the store.
//
// Every model states its shares as integer weights, so the split is exact: linear gives
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
export const DECAY_SCALE = 1_000_000;

/** Oldest first, a trace's ID breaking a tie of times. */
export function inTimeOrder(touches: readonly Touch[]): Touch[] {
  return [...touches].sort((a, b) => a.at - b.at || a.traceId - b.traceId);
}

/**
 * Each source's integer weight under the model: `touches` in time order (at least one),
 * `sourceAt[i]` the index of touch i's source in the deal's list of sources, `count` its length.
 */
function modelWeights(model: AttributionModel, touches: readonly Touch[], sourceAt: readonly number[], count: number, wonAt: number, options: ModelOptions): number[] {
  const n = touches.length;
  const weights = new Array<number>(count).fill(0);
  switch (model) {
    case 'firstTouch':
      weights[sourceAt[0]] = 1;
      break;
    case 'lastTouch':
      weights[sourceAt[n - 1]] = 1;
      break;
    case 'lastNonDirect': {
      // The last touch with a source; organic only when nothing else is there.
      let at = n - 1;
      while (at > 0 && touches[at].sourceId === ORGANIC) at--;
      weights[sourceAt[touches[at].sourceId === ORGANIC ? n - 1 : at]] = 1;
      break;
    }
    case 'linear':
      for (let i = 0; i < n; i++) weights[sourceAt[i]] += 1;
      break;
    case 'positionBased':
      for (let i = 0; i < n; i++) weights[sourceAt[i]] += n > 2 && (i === 0 || i === n - 1) ? 2 * (n - 2) : 1;
      break;
    case 'timeDecay':
      for (let i = 0; i < n; i++) {
        const age = Math.max(0, wonAt - touches[i].at);
        // At least 1, so a very old touch still counts a little and the weights never sum to 0.
        weights[sourceAt[i]] += Math.max(1, Math.round(DECAY_SCALE * 2 ** (-age / options.halfLifeSeconds)));
      }
      break;
  }
  return weights;
}

/**
 * Splits `total` whole units in proportion to the (non-negative integer) weights by the largest
 * remainder: each part gets the whole part of its quota, and the units left over go one each to
 * the largest fractions (ties: the part listed first). The parts add up to `total` exactly. A
 * negative total is split as its magnitude and given back negative. Exact integer arithmetic:
 * in doubles while every product is a safe integer, in BigInt beyond.
 */
export function largestRemainder(total: number, weights: readonly number[]): number[] {
  if (total < 0) return largestRemainder(-total, weights).map((part) => -part || 0);
  let sum = 0;
  for (const w of weights) sum += w;
  if (!(sum > 0)) throw new Error('largestRemainder needs a positive weight');
  const parts = new Array<number>(weights.length);
  const rests = new Array<number>(weights.length);
  let left = total;
  if (total * sum <= Number.MAX_SAFE_INTEGER) {
    for (let i = 0; i < weights.length; i++) {
      const product = total * weights[i];
      rests[i] = product % sum;
      parts[i] = (product - rests[i]) / sum;
      left -= parts[i];
    }
  } else {
    const bigTotal = BigInt(total);
    const bigSum = BigInt(sum);
    const bigRests: bigint[] = [];
    for (let i = 0; i < weights.length; i++) {
      const product = bigTotal * BigInt(weights[i]);
      bigRests.push(product % bigSum);
      parts[i] = Number(product / bigSum);
      left -= parts[i];
    }
    // Ranks of the remainders stand in for them below.
    const order = bigRests.map((rest, i) => ({ rest, i })).sort((a, b) => (a.rest === b.rest ? a.i - b.i : a.rest > b.rest ? -1 : 1));
    order.forEach(({ i }, rank) => (rests[i] = order.length - rank));
  }
  if (left > 0) {
    const order = weights.map((_, i) => i).sort((a, b) => rests[b] - rests[a] || a - b);
    for (let k = 0; k < left; k++) parts[order[k]]++;
  }
  return parts;
}

/** One deal's credit to one source under one model: units of a deal (DEAL_UNITS) and cents. */
export interface Credit {
  readonly units: number;
  readonly cents: number;
}

/**
 * A deal's credits per source under each model. `touches` in time order; none at all credits
 * the whole deal to organic traffic under every model. `cents` (whole cents) null: the amount
 * cannot be expressed in the account currency, so only the count is credited.
 */
export function creditDeal(touches: readonly Touch[], wonAt: number, cents: number | null, options: ModelOptions): Record<AttributionModel, Map<number, Credit>> {
  const journey = touches.length > 0 ? touches : [{ traceId: 0, at: wonAt, sourceId: ORGANIC }];
  const sources: number[] = [];
  const sourceAt = journey.map((touch) => {
    let at = sources.indexOf(touch.sourceId);
    if (at < 0) at = sources.push(touch.sourceId) - 1;
    return at;
  });
  const result = {} as Record<AttributionModel, Map<number, Credit>>;
  for (const model of MODELS) {
    const weights = modelWeights(model, journey, sourceAt, sources.length, wonAt, options);
    const units = largestRemainder(DEAL_UNITS, weights);
    const money = cents === null ? null : largestRemainder(cents, weights);
    const credits = new Map<number, Credit>();
    for (let i = 0; i < sources.length; i++) if (weights[i] > 0) credits.set(sources[i], { units: units[i], cents: money === null ? 0 : money[i] });
    result[model] = credits;
  }
  return result;
}
