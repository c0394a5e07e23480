// Sales Intelligence settings, kept in the shared `settings` table: the portal region (which
// built-in sources exist) and whether social sites are recognised by their referrer (§3.1).
import { randomUUID } from 'node:crypto';
import { HotStatement } from '../db/hotStatement.js';
import type { Executor } from '../db/schema.js';
import { SITES_VERSION_SETTING } from '../sites/contract.js';
import { DEFAULT_TRACKING_SETTINGS, type Region, type TrackingSettings } from './sourceCatalog.js';

const REGION_KEY = 'tracking.region';
const SOCIAL_REFERRERS_KEY = 'tracking.social_referrers';

export const REGIONS: readonly Region[] = ['ru', 'other'];

/** Changes whenever a source or its values change, so a process can tell its copy is stale. */
const SOURCES_VERSION_KEY = 'tracking.sources_version';

export interface TrackingState {
  readonly settings: TrackingSettings;
  /** Names the current set of sources and values; '' before any was changed. */
  readonly sourcesVersion: string;
  /** Names the current set of own sites (the site channel, §3.5); '' before any was changed. */
  readonly sitesVersion: string;
}

// Read by every trace.add: compiled once (src/db/hotStatement.ts); the names are constants.
const trackingStateRows = new HotStatement<{ name: string; value: string }>((db) =>
  db.selectFrom('settings').select(['name', 'value']).where('name', 'in', [REGION_KEY, SOCIAL_REFERRERS_KEY, SOURCES_VERSION_KEY, SITES_VERSION_SETTING]),
);

/** The settings and the sources' version, in one query. */
export async function loadTrackingState(db: Executor): Promise<TrackingState> {
  const rows = await trackingStateRows.rows(db, []);
  const value = (name: string) => rows.find((row) => row.name === name)?.value;
  const region = value(REGION_KEY);
  const social = value(SOCIAL_REFERRERS_KEY);
  return {
    settings: {
      region: REGIONS.includes(region as Region) ? (region as Region) : DEFAULT_TRACKING_SETTINGS.region,
      socialReferrers: social === undefined ? DEFAULT_TRACKING_SETTINGS.socialReferrers : social === 'Y',
    },
    sourcesVersion: value(SOURCES_VERSION_KEY) ?? '',
    sitesVersion: value(SITES_VERSION_SETTING) ?? '',
  };
}

export async function loadTrackingSettings(db: Executor): Promise<TrackingSettings> {
  return (await loadTrackingState(db)).settings;
}

/** Every write to the sources or their values calls this in the same transaction. */
export async function markSourcesChanged(db: Executor): Promise<void> {
  await putSetting(db, SOURCES_VERSION_KEY, randomUUID());
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
