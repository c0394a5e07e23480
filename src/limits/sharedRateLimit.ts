// The request-rate limit (rest-protocol.md §4.1) kept in the database, for several processes on
// one PostgreSQL database: each request is one INSERT … ON CONFLICT DO UPDATE on the client's
// row, which drains the bucket by the time passed, adds the request if it fits, and says whether
// it did. The row lock that statement takes orders concurrent requests from every process, so
// there is no read-then-write race: N processes together give a client exactly one bucket.
//
// Time is the server's clock (as in leakyBucket.ts); machines behind one balancer must keep
// their clocks in step (NTP). A clock behind the row's drains nothing rather than going back.
import { sql } from 'kysely';
import type { Clock } from '../clock.js';
import { executeRepeated } from '../db/hotStatement.js';
import type { Db } from '../db/schema.js';
import type { RequestRateLimit } from './contract.js';
import type { RatePlan } from './leakyBucket.js';

/** Every this many requests a process deletes the buckets that have drained empty. */
const SWEEP_EVERY = 1000;

export function sharedRateLimit(db: Db, plan: RatePlan, clock: Clock): RequestRateLimit {
  const drain = sql`cast(${plan.drainPerSecond} as double precision)`;
  const burst = sql`cast(${plan.burst} as double precision)`;
  let taken = 0;
  const sweep = (now: number) => {
    const level = sql`level - (cast(${now} as bigint) - at_ms) * ${drain} / 1000.0`;
    db.deleteFrom('rate_buckets')
      .where(sql<boolean>`${level} <= 0`)
      .execute()
      .catch(() => {});
  };
  return {
    async take(client) {
      const now = Math.floor(clock.now());
      const at = sql`cast(${now} as bigint)`;
      const elapsed = sql`(case when ${at} > b.at_ms then ${at} - b.at_ms else 0 end)`;
      const drained = sql`(case when b.level - ${elapsed} * ${drain} / 1000.0 > 0 then b.level - ${elapsed} * ${drain} / 1000.0 else 0 end)`;
      const { rows } = await executeRepeated(db, sql<{ level: number; refused: number }>`
        insert into rate_buckets as b (client, level, at_ms, refused) values (${client}, 1, ${at}, 0)
        on conflict (client) do update set
          level = case when ${drained} + 1 > ${burst} then ${drained} else ${drained} + 1 end,
          refused = case when ${drained} + 1 > ${burst} then 1 else 0 end,
          at_ms = case when ${at} > b.at_ms then ${at} else b.at_ms end
        returning level, refused`);
      if (++taken % SWEEP_EVERY === 0) sweep(now);
      const row = rows[0];
      if (!row || Number(row.refused) === 0) return null;
      return Math.max(0, (Number(row.level) + 1 - plan.burst) / plan.drainPerSecond);
    },
  };
}
