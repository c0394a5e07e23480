// Random leads, deals and bindings for the analytics tests that check a report against a plain
// recount (reportRandom, dailyReport): written straight into the tables, each item remembering
// what the recount needs, and the trace its newest binding points to.
import type { Executor } from '../../src/db/schema.js';

export interface RandomItem { type: 1 | 2; id: number; created: number; cents: number; currency: string; won: boolean; newest?: number }

/** A repeatable generator of numbers in [0, 1). */
export function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

/** A lead or a deal (a fifth in EUR, deals won at `wonShare`); `created` is asked for after the amount and currency. */
export async function insertRandomItem(db: Executor, random: () => number, created: () => number, wonShare: number): Promise<RandomItem> {
  const type = random() < 0.5 ? 1 : 2;
  const cents = Math.floor(random() * 100_000);
  const currency = random() < 0.2 ? 'EUR' : 'USD';
  const at = created();
  const won = type === 2 && random() < wonShare;
  const values = { title: 'r', opportunity: (cents / 100).toFixed(2), currency_id: currency, date_create: at, assigned_by_id: 1 } as any;
  const row =
    type === 1
      ? await db.insertInto('crm_lead').values(values).returning('id').executeTakeFirstOrThrow()
      : await db.insertInto('crm_deal').values({ ...values, stage_id: won ? 'WON' : 'NEW', stage_semantic_id: won ? 'S' : 'P' }).returning('id').executeTakeFirstOrThrow();
  return { type, id: Number(row.id), created: at, cents, currency, won };
}

/** 0 to `most` bindings per item to random traces, written in a shuffled order across items. */
export async function bindShuffled(db: Executor, random: () => number, items: readonly RandomItem[], traceIds: readonly number[], most: number): Promise<void> {
  const pick = () => traceIds[Math.floor(random() * traceIds.length)];
  const bindings: [RandomItem, number][] = [];
  for (const item of items) for (let k = Math.floor(random() * (most + 1)); k > 0; k--) bindings.push([item, pick()]);
  bindings.sort(() => random() - 0.5);
  for (const [item, trace] of bindings) {
    const row = await db
      .insertInto('tracking_trace_items')
      .values({ trace_id: trace, entity_type_id: item.type, entity_id: item.id })
      .onConflict((c) => c.columns(['trace_id', 'entity_type_id', 'entity_id']).doNothing())
      .returning('id')
      .executeTakeFirst();
    if (row) item.newest = trace;
  }
}
