// Sales Intelligence settings, kept in the shared `settings` table: the portal region (which
// built-in sources exist) and whether social sites are recognised by their referrer (§3.1).
import type { Executor } from '../db/schema.js';
import { DEFAULT_TRACKING_SETTINGS, type Region, type TrackingSettings } from './sourceCatalog.js';

const REGION_KEY = 'tracking.region';
const SOCIAL_REFERRERS_KEY = 'tracking.social_referrers';

export const REGIONS: readonly Region[] = ['ru', 'other'];

export async function loadTrackingSettings(db: Executor): Promise<TrackingSettings> {
  const rows = await db.selectFrom('settings').select(['name', 'value']).where('name', 'in', [REGION_KEY, SOCIAL_REFERRERS_KEY]).execute();
  const value = (name: string) => rows.find((row) => row.name === name)?.value;
  const region = value(REGION_KEY);
  const social = value(SOCIAL_REFERRERS_KEY);
  return {
    region: REGIONS.includes(region as Region) ? (region as Region) : DEFAULT_TRACKING_SETTINGS.region,
    socialReferrers: social === undefined ? DEFAULT_TRACKING_SETTINGS.socialReferrers : social === 'Y',
  };
}

async function putSetting(db: Executor, name: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ name, value })
    .onConflict((conflict) => conflict.column('name').doUpdateSet({ value }))
    .execute();
}

export async function saveTrackingSettings(db: Executor, changes: Partial<TrackingSettings>): Promise<TrackingSettings> {
  if (changes.region !== undefined) {
    if (!REGIONS.includes(changes.region)) throw new Error(`region must be one of ${REGIONS.join(', ')}`);
    await putSetting(db, REGION_KEY, changes.region);
  }
  if (changes.socialReferrers !== undefined) await putSetting(db, SOCIAL_REFERRERS_KEY, changes.socialReferrers ? 'Y' : 'N');
  return loadTrackingSettings(db);
}
