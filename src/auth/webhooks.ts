// Incoming webhooks: a user, a secret (stored hashed), scopes, an optional expiry, and the
// active/held flags that revoke or suspend it.
import { fitsIntegerColumn } from '../db/integers.js';
import type { Executor } from '../db/schema.js';
import { generateSecret } from './secrets.js';
import { webhookCodeHashes } from './webhookKey.js';

export interface Webhook {
  readonly id: number;
  readonly userId: number;
  readonly scopes: string[];
  readonly title: string;
  /** Unix seconds, or null for no expiry. */
  readonly expiresAt: number | null;
  readonly active: boolean;
  readonly held: boolean;
  readonly createdAt: number;
}

type WebhookRow = {
  id: number; user_id: number; scopes: string; title: string; expires_at: number | null;
  active: number; held: number; created_at: number; secret_hash: string;
};

function toWebhook(row: WebhookRow): Webhook {
  return {
    id: row.id,
    userId: row.user_id,
    scopes: row.scopes === '' ? [] : row.scopes.split(','),
    title: row.title,
    expiresAt: row.expires_at,
    active: row.active === 1,
    held: row.held === 1,
    createdAt: row.created_at,
  };
}

export interface NewWebhook {
  readonly userId: number;
  readonly scopes: readonly string[];
  readonly title?: string;
  /** Use this exact code instead of a random one (scripts that need a known URL). */
  readonly code?: string;
  readonly expiresAt?: number | null;
}

/**
 * A chosen code is as strong as its length: at least 16 characters, like the random codes
 * (16 of 36 letters and digits, about 82 bits), so a short one cannot be guessed online or
 * recovered from its unsalted hash. Codes stored before this rule keep working.
 */
export const WEBHOOK_CODE_PATTERN = /^[A-Za-z0-9_-]{16,128}$/;

export async function addWebhook(
  db: Executor,
  spec: NewWebhook,
  nowSeconds: number,
): Promise<{ webhook: Webhook; secret: string }> {
  const secret = spec.code ?? generateSecret();
  if (!WEBHOOK_CODE_PATTERN.test(secret)) {
    throw new Error('a webhook code must be 16-128 characters of letters, digits, "_" or "-"');
  }
  const { keyed, legacy } = await webhookCodeHashes(db, secret);
  const taken = await db.selectFrom('webhooks').select('id').where('secret_hash', 'in', [keyed, legacy]).executeTakeFirst();
  if (taken) throw new Error(`that code is already used by webhook ${taken.id}`);
  const inserted = await db
    .insertInto('webhooks')
    .values({
      user_id: spec.userId,
      secret_hash: keyed,
      scopes: spec.scopes.join(','),
      title: spec.title ?? '',
      expires_at: spec.expiresAt ?? null,
      created_at: Math.floor(nowSeconds),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const webhook = await findWebhookById(db, inserted.id);
  if (!webhook) throw new Error('webhook vanished after insert');
  return { webhook, secret };
}

export async function findWebhookById(db: Executor, id: number): Promise<Webhook | undefined> {
  if (!fitsIntegerColumn(id)) return undefined;
  const row = await db.selectFrom('webhooks').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toWebhook(row) : undefined;
}

export async function listWebhooks(db: Executor): Promise<Webhook[]> {
  const rows = await db.selectFrom('webhooks').selectAll().orderBy('id').execute();
  return rows.map(toWebhook);
}

/**
 * The user's webhook whose secret matches, or undefined. It is looked up by the secret's hashes
 * alone (a unique, indexed column) and its owner checked afterwards, so every refused attempt
 * costs the same hashing and one query whether the user exists (`userId` undefined when not),
 * has webhooks, or gave another user's secret: the answer time tells nothing about which users
 * exist. A hash compared in the database leaks nothing useful about secrets near it.
 */
export async function findWebhookBySecret(db: Executor, userId: number | undefined, secret: string): Promise<Webhook | undefined> {
  const { keyed, legacy } = await webhookCodeHashes(db, secret);
  const row = await db.selectFrom('webhooks').selectAll().where('secret_hash', 'in', [keyed, legacy]).executeTakeFirst();
  if (row === undefined || userId === undefined || row.user_id !== userId) return undefined;
  if (row.secret_hash === legacy) await rehash(db, row.id, legacy, keyed);
  return toWebhook(row);
}

/**
 * Stores a code an earlier version hashed without the key under the key, on its first
 * successful use. A failure here costs nothing but the upgrade: the next use tries again.
 */
async function rehash(db: Executor, id: number, legacy: string, keyed: string): Promise<void> {
  try {
    await db.updateTable('webhooks').set({ secret_hash: keyed }).where('id', '=', id).where('secret_hash', '=', legacy).execute();
  } catch {
    // The webhook still works through its old hash.
  }
}

export async function setWebhookFlag(
  db: Executor,
  id: number,
  flag: 'active' | 'held',
  value: boolean,
): Promise<boolean> {
  if (!fitsIntegerColumn(id)) return false;
  const result = await db
    .updateTable('webhooks')
    .set({ [flag]: value ? 1 : 0 })
    .where('id', '=', id)
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
