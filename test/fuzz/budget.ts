// Fuzzing over HTTP within a time budget that suits the backend. fast-check stops generating
// cases when the budget is spent (the interruptAfterTimeLimit plugin) instead of vitest killing
// the test while cases keep running in the background, and the case that was running then is
// awaited, so nothing of one property is still writing when the next one starts.
import fc from 'fast-check';
import { TEST_DIALECT } from '../helpers/database.js';

/**
 * Time allowed per HTTP case. Measured on 2 cores: about 6 ms a case on SQLite and 18 ms on
 * PostgreSQL (where each case's database dump is slower), 30 ms on PostgreSQL with both cores
 * busy elsewhere; the budget leaves room above that.
 */
const MS_PER_CASE = { sqlite: 20, postgres: 60 } as const;

/** What a property may take, and the vitest timeout around it (server start and stop, the last case). */
export function fuzzBudget(runs: number): { budgetMs: number; testTimeoutMs: number } {
  const budgetMs = Math.max(30_000, runs * MS_PER_CASE[TEST_DIALECT]);
  return { budgetMs, testTimeoutMs: budgetMs + 30_000 };
}

/**
 * Runs an async property for `numRuns` cases or until the budget is spent. Fails on a
 * counterexample, and when fewer than a third of the cases ran: the budget would then be
 * proving too little.
 */
export async function checkWithinBudget<Ts extends [unknown, ...unknown[]]>(
  arbitraries: { [K in keyof Ts]: fc.Arbitrary<Ts[K]> },
  predicate: (...args: Ts) => Promise<void>,
  numRuns: number,
): Promise<void> {
  const { budgetMs } = fuzzBudget(numRuns);
  let inFlight: Promise<unknown> = Promise.resolve();
  const tracked = (...args: Ts): Promise<void> => {
    const run = predicate(...args);
    inFlight = run.catch(() => undefined);
    return run;
  };
  const property = fc.asyncProperty(...(arbitraries as unknown as [fc.Arbitrary<unknown>]), tracked as never);
  const details = await fc.check(property, { numRuns, plugins: [fc.interruptAfterTimeLimit(budgetMs)] });
  await inFlight;
  if (details.failed) throw new Error(await fc.asyncDefaultReportMessage(details), { cause: details.errorInstance });
  const minimum = Math.ceil(numRuns / 3);
  if (details.numRuns < minimum) {
    throw new Error(`only ${details.numRuns} of ${numRuns} cases ran within ${budgetMs} ms (at least ${minimum} must)`);
  }
}
