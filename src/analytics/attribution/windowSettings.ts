// The attribution window's settings (sales-intelligence.md §4.4), kept in the shared `settings`
// table so the CLI and other modules (the site tracker) read the same values: the window in days
// (Bitrix's `~crm_tracking_attr_window`, default 28, clamped to 1..180 on save) and the switch
// that turns it on for items added without a visit (`~crm_tracking_attr_window_offline`, default Y).
import type { Executor } from '../../db/schema.js';
import { writeSetting } from '../../system/settings.js';

/** Read by the tracker pack too: keep the name. */
export const WINDOW_DAYS_KEY = 'tracking.attribution_window_days';
export const WINDOW_OFFLINE_KEY = 'tracking.attribution_window_offline';

export const DEFAULT_WINDOW_DAYS = 28;
export const MIN_WINDOW_DAYS = 1;
export const MAX_WINDOW_DAYS = 180;

export interface WindowSettings {
  /** Whole days, 1..180. */
  readonly days: number;
  /** Whether a lead or deal added without UTM_SOURCE takes its client's recent source. */
  readonly offline: boolean;
}

export function clampWindowDays(days: number): number {
  return Math.min(MAX_WINDOW_DAYS, Math.max(MIN_WINDOW_DAYS, Math.trunc(days)));
}

/** A stored value that is not a whole number (written by hand) reads as the default; one out of range is clamped. */
function storedDays(text: string | undefined): number {
  if (text === undefined || !/^\s*-?\d+\s*$/.test(text)) return DEFAULT_WINDOW_DAYS;
  return clampWindowDays(Number(text));
}

export async function loadWindowSettings(db: Executor): Promise<WindowSettings> {
  const rows = await db.selectFrom('settings').select(['name', 'value']).where('name', 'in', [WINDOW_DAYS_KEY, WINDOW_OFFLINE_KEY]).execute();
  const value = (name: string) => rows.find((row) => row.name === name)?.value;
  return { days: storedDays(value(WINDOW_DAYS_KEY)), offline: value(WINDOW_OFFLINE_KEY) !== 'N' };
}

/** Saves the given settings (days clamped to 1..180, as Bitrix's settings page does) and returns them all. */
export async function saveWindowSettings(db: Executor, changes: Partial<WindowSettings>): Promise<WindowSettings> {
  if (changes.days !== undefined) await writeSetting(db, WINDOW_DAYS_KEY, String(clampWindowDays(changes.days)));
  if (changes.offline !== undefined) await writeSetting(db, WINDOW_OFFLINE_KEY, changes.offline ? 'Y' : 'N');
  return loadWindowSettings(db);
}
