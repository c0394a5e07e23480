// The limits several processes share on PostgreSQL (src/limits/sharedRateLimit.ts,
// sharedOperatingTime.ts), driven directly from eight pools of their own on one database, as
// eight processes would: every check is one atomic statement, so concurrency neither lets
// extra requests through nor loses recorded time. Only under TEST_DB=postgres.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { resolveConfig } from '../../src/config.js';
import type { OpenedDatabase } from '../../src/db/dialects/types.js';
import { openDatabase } from '../../src/db/open.js';
import type { Database } from '../../src/db/schema.js';
import { SharedOperatingTime } from '../../src/limits/sharedOperatingTime.js';
import { sharedRateLimit } from '../../src/limits/sharedRateLimit.js';
import { restError } from '../../src/rest/errors.js';
import { createTestDatabase, TEST_DIALECT, type TestDatabase } from '../helpers/database.js';

const PROCESSES = 8;

describe.skipIf(TEST_DIALECT !== 'postgres')('limits shared through PostgreSQL', () => {
  let database: TestDatabase;
  const opened: OpenedDatabase<Database>[] = [];
  const clock = new ManualClock(1_800_000_000_000);

  beforeAll(async () => {
    database = await createTestDatabase();
    const config = resolveConfig({ databaseUrl: database.url, dataDir: '/nonexistent' });
    for (let i = 0; i < PROCESSES; i++) opened.push(await openDatabase(config));
  });
  afterAll(async () => {
    for (const one of opened) await one.close();
    await database?.drop();
  });

  it('lets exactly the burst through when eight processes take from one bucket at once', async () => {
    const limits = opened.map((one) => sharedRateLimit(one.db, { drainPerSecond: 2, burst: 50 }, clock));
    const answers = await Promise.all(Array.from({ length: 200 }, (_, i) => limits[i % PROCESSES].take('10.0.0.1')));
    expect(answers.filter((wait) => wait === null)).toHaveLength(50);
    // Full: one more request fits after 0.5 s.
    expect(answers.filter((wait) => wait !== null).every((wait) => wait === 0.5)).toBe(true);
    expect(await limits[3].take('10.0.0.2')).toBeNull();
    clock.advance(499);
    // 0.998 drained: 0.001 s short of one more.
    expect(await limits[1].take('10.0.0.1')).toBeCloseTo(0.001, 9);
    clock.advance(1000);
    expect(await limits[2].take('10.0.0.1')).toBeNull();
    expect(await limits[5].take('10.0.0.1')).toBeNull();
    // Two fitted into the 2 s drained (49.002 → 47.002 → 49.002); the third is 0.001 s short again.
    expect(await limits[6].take('10.0.0.1')).toBeCloseTo(0.001, 9);
  });

  it('adds up the time of concurrent calls recorded by eight processes, and refuses past the limit everywhere', async () => {
    const limits = opened.map((one) => new SharedOperatingTime(one.db, 100, clock));
    const key = 'webhook:7:crm.tracking.trace.add';
    const start = clock.now() / 1000;
    await Promise.all(Array.from({ length: 96 }, (_, i) => limits[i % PROCESSES].record(key, start, 1.25)));
    const seen = await new SharedOperatingTime(opened[0].db, null, clock).check(key);
    expect(seen).toEqual({ total: 120, oldest: Math.floor(start) });
    await Promise.all(limits.map((limit) => expect(limit.check('webhook:7:crm.item.list')).resolves.toEqual({ total: 0, oldest: null })));
    // 120 s over a limit of 100: refused by every process.
    const refused = restError('OPERATION_TIME_LIMIT');
    await Promise.all(limits.map((limit) => expect(limit.check(key)).rejects.toEqual(refused)));
    clock.advance(600_000);
    await expect(limits[4].check(key)).resolves.toEqual({ total: 0, oldest: null });
  });
});
