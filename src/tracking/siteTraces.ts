// Traces the website sends by itself (/pub/guest.php storeTrace and registerOrder): saved bound
// to nothing, written by no user, and of use only for a while (call dedup within minutes, an
// order's binding). Bitrix's TraceTable::deleteUnusedTraces removes such traces once they are a
// day old, at most 200 at a time, at most once per 36000 s (sales-intelligence.md §1.1).
import type { Executor } from '../db/schema.js';
import { lockSetting, readSetting, settingOrDefault, writeSetting } from '../system/settings.js';
import { removeUnusedTraces } from './bindings.js';

/** `created_by` of a trace the website stored: no user has ID 0, so only administrators read it while unbound. */
export const SITE_VISITOR = 0;
/** Age after which an unbound site trace goes. */
export const SITE_TRACE_LIFETIME_SECONDS = 86_400;
/** Bitrix's throttle (option crm/tracking_trace_del_time). */
export const SITE_TRACE_CLEANUP_INTERVAL_SECONDS = 36_000;
export const SITE_TRACE_CLEANUP_LIMIT = 200;

const LAST_CLEANUP_SETTING = 'tracking.site_trace_cleanup_at';

/**
 * Removes up to `limit` site traces older than a day that nothing binds or carries, unless the
 * last run was less than the interval ago (any process's: the time is a settings row). Returns
 * the IDs removed, or null when it was not yet due.
 */
export async function removeStaleSiteTraces(trx: Executor, nowSeconds: number, limit = SITE_TRACE_CLEANUP_LIMIT): Promise<number[] | null> {
  await settingOrDefault(trx, LAST_CLEANUP_SETTING, '0');
  await lockSetting(trx, LAST_CLEANUP_SETTING);
  const last = Number((await readSetting(trx, LAST_CLEANUP_SETTING)) ?? '0');
  if (nowSeconds - last < SITE_TRACE_CLEANUP_INTERVAL_SECONDS) return null;
  await writeSetting(trx, LAST_CLEANUP_SETTING, String(Math.floor(nowSeconds)));
  const stale = await trx
    .selectFrom('tracking_traces')
    .select('id')
    .where('bound', '=', 0)
    .where('created_by', '=', SITE_VISITOR)
    .where('created_at', '<', Math.floor(nowSeconds) - SITE_TRACE_LIFETIME_SECONDS)
    .orderBy('id')
    .limit(limit)
    .execute();
  return removeUnusedTraces(
    trx,
    stale.map((row) => row.id),
  );
}
