// Guests in the database (b_crm_button_guest, b_crm_button_guest_entity; tracker-and-calls.md
// §3.4) and the public endpoints' settings row.
import { randomInt } from 'node:crypto';
import type { Executor } from '../db/schema.js';
import { readSetting, writeSetting } from '../system/settings.js';
import type { GuestItem, PublicSiteSettings } from './contract.js';

const GID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
export const GID_LENGTH = 32;

/** 32 characters, each drawn by the CSPRNG (Bitrix uses Random::getString(32)). */
export function newGid(): string {
  let gid = '';
  for (let i = 0; i < GID_LENGTH; i++) gid += GID_ALPHABET[randomInt(GID_ALPHABET.length)];
  return gid;
}

export async function guestIdOf(db: Executor, gid: string): Promise<number | undefined> {
  return (await db.selectFrom('site_guests').select('id').where('gid', '=', gid).executeTakeFirst())?.id;
}

/** The guest's row ID, inserting it when new (a concurrent insert of the same gid is taken as ours). */
export async function ensureGuest(db: Executor, gid: string, nowSeconds: number): Promise<number> {
  await db
    .insertInto('site_guests')
    .values({ gid, created_at: Math.floor(nowSeconds) })
    .onConflict((conflict) => conflict.column('gid').doNothing())
    .execute();
  const id = await guestIdOf(db, gid);
  if (id === undefined) throw new Error('guest row vanished after insert');
  return id;
}

export async function insertGuestItems(db: Executor, guestId: number, items: readonly GuestItem[], nowSeconds: number): Promise<void> {
  if (items.length === 0) return;
  await db
    .insertInto('site_guest_items')
    .values(items.map((item) => ({ guest_id: guestId, entity_type_id: item.entityTypeId, entity_id: item.entityId, created_at: Math.floor(nowSeconds) })))
    .onConflict((conflict) => conflict.columns(['guest_id', 'entity_type_id', 'entity_id']).doNothing())
    .execute();
}

export async function itemsOfGuest(db: Executor, gid: string): Promise<GuestItem[]> {
  const rows = await db
    .selectFrom('site_guest_items')
    .innerJoin('site_guests', 'site_guests.id', 'site_guest_items.guest_id')
    .select(['site_guest_items.entity_type_id', 'site_guest_items.entity_id'])
    .where('site_guests.gid', '=', gid)
    .orderBy('site_guest_items.id')
    .execute();
  return rows.map((row) => ({ entityTypeId: row.entity_type_id, entityId: row.entity_id }));
}

const ANY_ORIGIN_SETTING = 'sites.guest_any_origin';

export async function loadPublicSettings(db: Executor): Promise<PublicSiteSettings> {
  return { anyOrigin: (await readSetting(db, ANY_ORIGIN_SETTING)) === 'Y' };
}

export async function savePublicSettings(db: Executor, changes: Partial<PublicSiteSettings>): Promise<void> {
  if (changes.anyOrigin !== undefined) await writeSetting(db, ANY_ORIGIN_SETTING, changes.anyOrigin ? 'Y' : 'N');
}
