// Webhook codes are stored as HMAC-SHA-256 under a key of this installation, kept in the
// `settings` table (made by a migration), so a hash seen on its own (a copied `webhooks` table,
// a statement log of the lookup) cannot be checked against guessed codes. Codes stored by
// earlier versions as plain SHA-256 are still recognised and re-hashed on their first use.
import { createHash, createHmac } from 'node:crypto';
import type { Executor } from '../db/schema.js';
import { readSetting } from '../system/settings.js';

export const WEBHOOK_KEY_SETTING = 'auth.webhook_hash_key';

/** The key never changes once made, so each database handle reads it once. */
const keys = new WeakMap<Executor, Buffer>();

async function webhookHashKey(db: Executor): Promise<Buffer> {
  let key = keys.get(db);
  if (!key) {
    const stored = await readSetting(db, WEBHOOK_KEY_SETTING);
    if (!stored) throw new Error(`setting ${WEBHOOK_KEY_SETTING} is missing: the database was not migrated`);
    key = Buffer.from(stored, 'hex');
    keys.set(db, key);
  }
  return key;
}

export interface CodeHashes {
  /** How a code is stored now. */
  readonly keyed: string;
  /** How versions before the key stored it. */
  readonly legacy: string;
}

export async function webhookCodeHashes(db: Executor, code: string): Promise<CodeHashes> {
  const key = await webhookHashKey(db);
  return {
    keyed: createHmac('sha256', key).update(code, 'utf8').digest('hex'),
    legacy: createHash('sha256').update(code, 'utf8').digest('hex'),
  };
}
