// Hot statements are compiled once per dialect and shape and run with each call's values
// (src/db/hotStatement.ts): what runs must be exactly what building the query with the values
// would have run, on whichever database TEST_DB names.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HotStatement } from '../../src/db/hotStatement.js';
import { withRowLock } from '../../src/db/dialects/rowLocks.js';
import { startTestServices, type TestServices } from '../helpers/server.js';

let running: TestServices;
beforeAll(async () => {
  running = await startTestServices();
});
afterAll(async () => {
  await running.close();
});

const insertSettings = new HotStatement((db, $, rows) =>
  db.insertInto('settings').values(Array.from({ length: rows }, (_, row) => ({ name: $(2 * row), value: $(2 * row + 1) }))),
);

const lockedSetting = new HotStatement<{ name: string; value: string }>((db, $) =>
  withRowLock(db, db.selectFrom('settings').select(['name', 'value']).where('name', '=', $(0)).where('value', '<>', $(1)).limit(1), 'update'),
);

describe('HotStatement', () => {
  it('runs the SQL and parameters that building the query with the values gives', async () => {
    const db = running.services.db;
    const built = withRowLock(db, db.selectFrom('settings').select(['name', 'value']).where('name', '=', 'hot.a').where('value', '<>', 'x').limit(1), 'update').compile();
    const kept = lockedSetting.compiledFor(db, ['hot.a', 'x']);
    expect(kept.sql).toBe(built.sql);
    expect(kept.parameters).toEqual(built.parameters);
    // A second call binds its own values into the same text.
    const again = lockedSetting.compiledFor(db, ['hot.b', 'y']);
    expect(again.sql).toBe(built.sql);
    expect(again.parameters).toEqual(db.selectFrom('settings').select(['name', 'value']).where('name', '=', 'hot.b').where('value', '<>', 'y').limit(1).compile().parameters);
  });

  it('keeps one text per row count and writes rows in the order given', async () => {
    const db = running.services.db;
    await insertSettings.execute(db, ['hot.1', 'one'], 1);
    await insertSettings.execute(db, ['hot.2', 'two', 'hot.3', 'three'], 2);
    const rows = await db.selectFrom('settings').select(['name', 'value']).where('name', 'like', 'hot.%').orderBy('name').execute();
    expect(rows).toEqual([
      { name: 'hot.1', value: 'one' },
      { name: 'hot.2', value: 'two' },
      { name: 'hot.3', value: 'three' },
    ]);
    expect(await lockedSetting.rows(db, ['hot.2', 'one'])).toEqual([{ name: 'hot.2', value: 'two' }]);
    expect(await lockedSetting.rows(db, ['hot.2', 'two'])).toEqual([]);
  });

  it('binds text as the compiler does, U+0000 replaced for both databases', async () => {
    const db = running.services.db;
    await insertSettings.execute(db, ['hot.nul', 'a\u0000b'], 1);
    const stored = await db.selectFrom('settings').select('value').where('name', '=', 'hot.nul').executeTakeFirstOrThrow();
    expect(stored.value).toBe('a\uFFFDb');
    expect(await lockedSetting.rows(db, ['hot.nul', 'a\u0000c'])).toEqual([{ name: 'hot.nul', value: 'a\uFFFDb' }]);
  });
});
