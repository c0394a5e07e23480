// Authorization codes and token pairs (rest-protocol.md §7, settings/oauth/*.md): a code lives
// 30 s and works once; an access token lives 1 hour, a refresh token 180 days, and a refresh
// retires the old refresh token and issues a new pair. Only hashes are stored.
import type { Db, Executor } from '../../db/schema.js';
import { generateSecret, hashSecret } from '../secrets.js';
import type { OAuthApp } from './apps.js';

export const CODE_SECONDS = 30;
export const ACCESS_TOKEN_SECONDS = 3600;
export const REFRESH_TOKEN_SECONDS = 180 * 24 * 3600;
const TOKEN_LENGTH = 48;

export interface IssuedPair {
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Unix seconds when the access token expires. */
  readonly expires: number;
  readonly userId: number;
}

/** Mints a pair for this app and user; drops the app's rows that can no longer be used. */
export async function issueTokenPair(db: Executor, appId: number, userId: number, nowSeconds: number): Promise<IssuedPair> {
  const now = Math.floor(nowSeconds);
  await db
    .deleteFrom('oauth_tokens')
    .where('app_id', '=', appId)
    .where('access_expires_at', '<=', now)
    .where((eb) => eb.or([eb('refresh_hash', 'is', null), eb('refresh_expires_at', '<=', now)]))
    .execute();
  const accessToken = generateSecret(TOKEN_LENGTH);
  const refreshToken = generateSecret(TOKEN_LENGTH);
  const expires = now + ACCESS_TOKEN_SECONDS;
  await db
    .insertInto('oauth_tokens')
    .values({
      app_id: appId,
      user_id: userId,
      access_hash: hashSecret(accessToken),
      access_expires_at: expires,
      refresh_hash: hashSecret(refreshToken),
      refresh_expires_at: now + REFRESH_TOKEN_SECONDS,
      created_at: now,
    })
    .execute();
  return { accessToken, refreshToken, expires, userId };
}

export async function issueCode(db: Executor, appId: number, userId: number, nowSeconds: number): Promise<string> {
  const code = generateSecret(32);
  const now = Math.floor(nowSeconds);
  await db.deleteFrom('oauth_codes').where('expires_at', '<=', now).execute();
  await db.insertInto('oauth_codes').values({ code_hash: hashSecret(code), app_id: appId, user_id: userId, expires_at: now + CODE_SECONDS }).execute();
  return code;
}

/** Exchanges a code for a first pair; undefined when the code is unknown, used, expired or another app's. */
export async function redeemCode(db: Db, app: OAuthApp, code: string, nowSeconds: number): Promise<IssuedPair | undefined> {
  return db.transaction().execute(async (trx) => {
    // Deleting first makes the code single-use even under concurrent redemption.
    const row = await trx.deleteFrom('oauth_codes').where('code_hash', '=', hashSecret(code)).returningAll().executeTakeFirst();
    if (!row || row.app_id !== app.id || row.expires_at <= Math.floor(nowSeconds)) return undefined;
    return issueTokenPair(trx, app.id, row.user_id, nowSeconds);
  });
}

/** Rotates a pair; undefined when the refresh token is unknown, used, expired or another app's. */
export async function refreshTokenPair(db: Db, app: OAuthApp, refreshToken: string, nowSeconds: number): Promise<IssuedPair | undefined> {
  const hash = hashSecret(refreshToken);
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('oauth_tokens')
      .select(['id', 'app_id', 'user_id', 'refresh_expires_at'])
      .where('refresh_hash', '=', hash)
      .executeTakeFirst();
    if (!row || row.app_id !== app.id || row.refresh_expires_at <= Math.floor(nowSeconds)) return undefined;
    // The old access token stays valid until it expires, so calls already in flight finish.
    const retired = await trx
      .updateTable('oauth_tokens')
      .set({ refresh_hash: null })
      .where('id', '=', row.id)
      .where('refresh_hash', '=', hash)
      .executeTakeFirst();
    if (Number(retired.numUpdatedRows) !== 1) return undefined;
    return issueTokenPair(trx, app.id, row.user_id, nowSeconds);
  });
}

export interface AccessTokenRecord {
  readonly userId: number;
  readonly expiresAt: number;
  readonly app: Pick<OAuthApp, 'id' | 'clientId' | 'scopes' | 'active' | 'restricted'>;
}

/** The token and its app, looked up by hash; undefined when no such access token exists. */
export async function findAccessTokenRecord(db: Executor, accessToken: string): Promise<AccessTokenRecord | undefined> {
  const row = await db
    .selectFrom('oauth_tokens')
    .innerJoin('oauth_apps', 'oauth_apps.id', 'oauth_tokens.app_id')
    .select([
      'oauth_tokens.user_id',
      'oauth_tokens.access_expires_at',
      'oauth_apps.id as app_id',
      'oauth_apps.client_id',
      'oauth_apps.scopes',
      'oauth_apps.active',
      'oauth_apps.restricted',
    ])
    .where('oauth_tokens.access_hash', '=', hashSecret(accessToken))
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    userId: row.user_id,
    expiresAt: row.access_expires_at,
    app: {
      id: row.app_id,
      clientId: row.client_id,
      scopes: row.scopes === '' ? [] : row.scopes.split(','),
      active: row.active === 1,
      restricted: row.restricted === 1,
    },
  };
}
