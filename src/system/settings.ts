// Server-wide settings in the `settings` table, so the CLI (a separate process) can change
// them while the server runs.
import { withRowLock } from '../db/dialects/rowLocks.js';
import type { Executor } from '../db/schema.js';

/**
 * Locks one settings row until the transaction ends (PostgreSQL; SQLite's writers already take
 * turns), so that transactions which decide from the same state run one after the other.
 */
export async function lockSetting(db: Executor, name: string): Promise<void> {
  const query = db.selectFrom('settings').select('name').where('name', '=', name);
  await withRowLock(db, query, 'update').execute();
}

export async function readSetting(db: Executor, name: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value;
}

export async function writeSetting(db: Executor, name: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ name, value })
    .onConflict((conflict) => conflict.column('name').doUpdateSet({ value }))
    .execute();
}

/** Stores `value` unless the setting exists, and returns what is stored (race-free across processes). */
export async function settingOrDefault(db: Executor, name: string, value: string): Promise<string> {
  await db.insertInto('settings').values({ name, value }).onConflict((conflict) => conflict.column('name').doNothing()).execute();
  return (await readSetting(db, name)) ?? value;
}
