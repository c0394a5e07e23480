// OAuth applications ("local applications" in Bitrix24 terms): a client ID, a secret (stored
// hashed), the scopes chosen at registration, an optional redirect URI, and the switches that
// disable an app or restrict it to some users.
import { randomBytes, randomInt } from 'node:crypto';
import { lockRows } from '../../db/dialects/rowLocks.js';
import type { Executor } from '../../db/schema.js';
import { generateSecret, hashSecret, secretMatches } from '../secrets.js';

/** Local applications' status code (app-info.md). */
export const LOCAL_APP_STATUS = 'L';

export interface OAuthApp {
  readonly id: number;
  readonly clientId: string;
  readonly title: string;
  readonly scopes: string[];
  readonly redirectUri: string | null;
  readonly active: boolean;
  readonly restricted: boolean;
}

type AppRow = {
  id: number; client_id: string; client_secret_hash: string; title: string; scopes: string;
  redirect_uri: string | null; active: number; restricted: number;
};

const APP_COLUMNS = ['id', 'client_id', 'client_secret_hash', 'title', 'scopes', 'redirect_uri', 'active', 'restricted'] as const;

function toApp(row: AppRow): OAuthApp {
  return {
    id: row.id,
    clientId: row.client_id,
    title: row.title,
    scopes: row.scopes === '' ? [] : row.scopes.split(','),
    redirectUri: row.redirect_uri,
    active: row.active === 1,
    restricted: row.restricted === 1,
  };
}

/** A client ID shaped like Bitrix24's local applications: `local.<14 hex>.<8 digits>`. */
function generateClientId(): string {
  const digits = String(randomInt(0, 100_000_000)).padStart(8, '0');
  return `local.${randomBytes(7).toString('hex')}.${digits}`;
}

/** Only absolute http(s) URLs without a fragment can receive a code (RFC 6749 §3.1.2). */
export function validateRedirectUri(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`not an absolute URL: "${text}"`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error('the redirect URI must be http or https');
  if (url.hash !== '' || text.includes('#')) throw new Error('the redirect URI must not have a #fragment');
  return url.toString();
}

export interface NewApp {
  readonly scopes: readonly string[];
  readonly title?: string;
  readonly redirectUri?: string | null;
}

export async function addApp(db: Executor, spec: NewApp, nowSeconds: number): Promise<{ app: OAuthApp; clientSecret: string }> {
  const clientSecret = generateSecret(50);
  const redirectUri = spec.redirectUri ? validateRedirectUri(spec.redirectUri) : null;
  const inserted = await db
    .insertInto('oauth_apps')
    .values({
      client_id: generateClientId(),
      client_secret_hash: hashSecret(clientSecret),
      title: spec.title ?? '',
      scopes: spec.scopes.join(','),
      redirect_uri: redirectUri,
      created_at: Math.floor(nowSeconds),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const app = await findAppById(db, inserted.id);
  if (!app) throw new Error('application vanished after insert');
  return { app, clientSecret };
}

export async function findAppById(db: Executor, id: number): Promise<OAuthApp | undefined> {
  const row = await db.selectFrom('oauth_apps').select(APP_COLUMNS).where('id', '=', id).executeTakeFirst();
  return row ? toApp(row) : undefined;
}

export async function findAppByClientId(db: Executor, clientId: string): Promise<OAuthApp | undefined> {
  const row = await db.selectFrom('oauth_apps').select(APP_COLUMNS).where('client_id', '=', clientId).executeTakeFirst();
  return row ? toApp(row) : undefined;
}

/** The active app whose client ID and secret both match; undefined otherwise. */
export async function authenticateClient(db: Executor, clientId: string, clientSecret: string): Promise<OAuthApp | undefined> {
  const row = await db.selectFrom('oauth_apps').select(APP_COLUMNS).where('client_id', '=', clientId).executeTakeFirst();
  if (!row || !secretMatches(clientSecret, row.client_secret_hash) || row.active !== 1) return undefined;
  return toApp(row);
}

export async function listApps(db: Executor): Promise<OAuthApp[]> {
  const rows = await db.selectFrom('oauth_apps').select(APP_COLUMNS).orderBy('id').execute();
  return rows.map(toApp);
}

export async function setAppActive(db: Executor, id: number, active: boolean): Promise<boolean> {
  const result = await db.updateTable('oauth_apps').set({ active: active ? 1 : 0 }).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Deletes the app with its codes, tokens and access list. */
export async function removeApp(db: Executor, id: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await trx.deleteFrom('oauth_tokens').where('app_id', '=', id).execute();
    await trx.deleteFrom('oauth_codes').where('app_id', '=', id).execute();
    await trx.deleteFrom('oauth_app_users').where('app_id', '=', id).execute();
    const result = await trx.deleteFrom('oauth_apps').where('id', '=', id).executeTakeFirst();
    return Number(result.numDeletedRows) > 0;
  });
}

/** Restricts the app to these users, or lifts the restriction when `userIds` is null. */
export async function restrictApp(db: Executor, id: number, userIds: readonly number[] | null): Promise<void> {
  await db.transaction().execute(async (trx) => {
    // Two restrictions of one app run one after the other instead of both inserting their lists.
    await lockRows(trx, 'oauth_apps', [id], 'noKeyUpdate');
    await trx.deleteFrom('oauth_app_users').where('app_id', '=', id).execute();
    if (userIds !== null && userIds.length > 0) {
      await trx.insertInto('oauth_app_users').values(userIds.map((userId) => ({ app_id: id, user_id: userId }))).execute();
    }
    await trx.updateTable('oauth_apps').set({ restricted: userIds === null ? 0 : 1 }).where('id', '=', id).execute();
  });
}

export async function allowedUsers(db: Executor, appId: number): Promise<number[]> {
  const rows = await db.selectFrom('oauth_app_users').select('user_id').where('app_id', '=', appId).orderBy('user_id').execute();
  return rows.map((row) => row.user_id);
}

/** `app restrict --users`: may this user use the app? */
export async function appAllowsUser(db: Executor, app: Pick<OAuthApp, 'id' | 'restricted'>, userId: number): Promise<boolean> {
  if (!app.restricted) return true;
  const row = await db
    .selectFrom('oauth_app_users')
    .select('user_id')
    .where('app_id', '=', app.id)
    .where('user_id', '=', userId)
    .executeTakeFirst();
  return row !== undefined;
}
