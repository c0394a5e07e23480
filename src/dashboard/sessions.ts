// Dashboard sign-in sessions and the access tokens their pages call /rest/ with. The session ID
// lives only in the browser's HttpOnly cookie; a page asks /app/api/token for a short-lived
// token of the same user (COMPATIBILITY.md "Dashboard"). Both are random (crypto.randomBytes)
// and stored only as SHA-256 hashes. Signing out deletes the session and, by cascade, its tokens.
import type { Executor } from '../db/schema.js';
import { generateSecret, hashSecret } from '../auth/secrets.js';

/** A session ends this long after sign-in. */
export const SESSION_SECONDS = 8 * 3600;
/** A page's access token lives this long; the page fetches a new one when it runs out. */
export const DASHBOARD_TOKEN_SECONDS = 600;
/** Dashboard tokens carry a character OAuth tokens never contain, so each kind has one lookup. */
export const DASHBOARD_TOKEN_PREFIX = 'dash.';

export interface DashboardSession {
  readonly id: number;
  readonly userId: number;
  readonly expiresAt: number;
}

export async function openSession(db: Executor, userId: number, nowSeconds: number): Promise<{ secret: string; expiresAt: number }> {
  const now = Math.floor(nowSeconds);
  await db.deleteFrom('dashboard_sessions').where('expires_at', '<=', now).execute();
  const secret = generateSecret(48);
  const expiresAt = now + SESSION_SECONDS;
  await db.insertInto('dashboard_sessions').values({ session_hash: hashSecret(secret), user_id: userId, created_at: now, expires_at: expiresAt }).execute();
  return { secret, expiresAt };
}

/** The unexpired session this cookie value names, if any. */
export async function findSession(db: Executor, secret: string, nowSeconds: number): Promise<DashboardSession | undefined> {
  const row = await db
    .selectFrom('dashboard_sessions')
    .select(['id', 'user_id', 'expires_at'])
    .where('session_hash', '=', hashSecret(secret))
    .executeTakeFirst();
  if (!row || Number(row.expires_at) <= Math.floor(nowSeconds)) return undefined;
  return { id: row.id, userId: row.user_id, expiresAt: Number(row.expires_at) };
}

export async function closeSession(db: Executor, secret: string): Promise<void> {
  await db.deleteFrom('dashboard_sessions').where('session_hash', '=', hashSecret(secret)).execute();
}

/** A new access token for the session; it never outlives the session. */
export async function issueDashboardToken(db: Executor, session: DashboardSession, nowSeconds: number): Promise<{ token: string; expiresAt: number }> {
  const now = Math.floor(nowSeconds);
  await db.deleteFrom('dashboard_tokens').where('expires_at', '<=', now).execute();
  const token = DASHBOARD_TOKEN_PREFIX + generateSecret(48);
  const expiresAt = Math.min(now + DASHBOARD_TOKEN_SECONDS, session.expiresAt);
  await db.insertInto('dashboard_tokens').values({ token_hash: hashSecret(token), session_id: session.id, expires_at: expiresAt }).execute();
  return { token, expiresAt };
}

export interface DashboardTokenRecord {
  readonly sessionId: number;
  readonly userId: number;
  /** The earlier of the token's and its session's end, in Unix seconds. */
  readonly expiresAt: number;
}

export async function findDashboardToken(db: Executor, token: string): Promise<DashboardTokenRecord | undefined> {
  const row = await db
    .selectFrom('dashboard_tokens')
    .innerJoin('dashboard_sessions', 'dashboard_sessions.id', 'dashboard_tokens.session_id')
    .select(['dashboard_tokens.session_id', 'dashboard_tokens.expires_at', 'dashboard_sessions.user_id', 'dashboard_sessions.expires_at as session_expires_at'])
    .where('dashboard_tokens.token_hash', '=', hashSecret(token))
    .executeTakeFirst();
  if (!row) return undefined;
  return { sessionId: row.session_id, userId: row.user_id, expiresAt: Math.min(Number(row.expires_at), Number(row.session_expires_at)) };
}
