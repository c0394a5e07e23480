// Establishes the caller of a REST request, with the checks and the order of
// rest-protocol.md §1.5 (core's apauth): HTTPS, credentials, scope, manual hold, plan gate,
// and finally whether the user can be logged in.
import type { Caller } from './caller.js';
import { AuthError } from './errors.js';
import type { PhpMap } from '../php/query.js';
import type { Services } from '../services.js';
import { hasScope } from './scopes.js';
import { findUserById, findUserByLogin, type User } from './users.js';
import { findWebhookBySecret, type Webhook } from './webhooks.js';

export interface Credentials {
  readonly webhook?: { readonly login: string; readonly secret: string };
  /** The Authorization header, if any. */
  readonly authorization: string | undefined;
  readonly params: PhpMap;
  readonly isHttps: boolean;
}

/** Bearer header first, then `auth`, then `access_token`; arrays are skipped (core getAuthKey). */
export function findAccessToken(credentials: Credentials): string | undefined {
  const header = credentials.authorization;
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match) return match[1];
  }
  for (const name of ['auth', 'access_token']) {
    const value = credentials.params[name];
    if (typeof value === 'string' && value !== '') return value;
    if (typeof value === 'number') return String(value);
  }
  return undefined;
}

/**
 * The webhook's user: a numeric ID as given (core's `strval(intval($uid)) === $uid`), otherwise
 * an active user's LOGIN (rest-protocol.md §1.1). Whether an ID-addressed user is active is
 * checked later, when core "logs the user in".
 */
async function webhookUser(services: Services, login: string): Promise<User | undefined> {
  if (/^(0|-?[1-9]\d{0,15})$/.test(login)) return findUserById(services.db, Number(login));
  const user = await findUserByLogin(services.db, login);
  return user?.active ? user : undefined;
}

/** Cached webhooks are shared immutable snapshots, so their scope set can be shared too. */
const scopeSets = new WeakMap<Webhook, ReadonlySet<string>>();

function scopeSetOf(webhook: Webhook): ReadonlySet<string> {
  let scopes = scopeSets.get(webhook);
  if (!scopes) {
    scopes = new Set(webhook.scopes);
    scopeSets.set(webhook, scopes);
  }
  return scopes;
}

export async function authenticateWebhook(
  services: Services,
  login: string,
  secret: string,
  isHttps: boolean,
  requiredScope: string | null,
): Promise<Caller> {
  if (services.config.requireHttps && !isHttps) throw new AuthError('httpsRequired');
  // Taken before the credentials' token read, which is therefore issued after it (Caller.changesReadAfter).
  const changesReadAfter = services.changes.mark?.();
  const { user, webhook } = await services.credentials.lookup(login, secret, async () => {
    const found = await webhookUser(services, login);
    // Looked up for an unknown user too: the same work either way (findWebhookBySecret).
    return { user: found, webhook: await findWebhookBySecret(services.db, found?.id, secret) };
  });
  const now = services.clock.now() / 1000;
  // An expired or revoked webhook is no longer an active pair of user and secret, which core
  // answers with INVALID_CREDENTIALS (COMPATIBILITY.md explains the choice).
  if (!user || !webhook || !webhook.active || (webhook.expiresAt !== null && webhook.expiresAt <= now)) {
    throw new AuthError('webhookInvalid');
  }
  const scopes = scopeSetOf(webhook);
  if (!hasScope(scopes, requiredScope)) throw new AuthError('webhookScopeMissing');
  if (webhook.held) throw new AuthError('webhookHeld');
  if (services.config.plan === 'free') throw new AuthError('restNotInPlan');
  if (!user.active) throw new AuthError('userInactive');
  return {
    userId: user.id,
    isAdmin: user.isAdmin,
    authType: 'webhook',
    credentialId: webhook.id,
    scopes,
    ...(changesReadAfter === undefined ? {} : { changesReadAfter }),
  };
}

/**
 * Webhook credentials: the path's `{user}/{secret}`, or else `aplogin` and `ap` parameters,
 * which core's webhook handler reads from the same merged parameters (path wins).
 */
function webhookCredentials(credentials: Credentials): { login: string; secret: string } | undefined {
  if (credentials.webhook) return credentials.webhook;
  const { aplogin, ap } = credentials.params;
  if (aplogin === undefined || ap === undefined) return undefined;
  const text = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : '');
  return { login: text(aplogin), secret: text(ap) };
}

export async function authenticate(
  services: Services,
  credentials: Credentials,
  requiredScope: string | null,
): Promise<Caller> {
  const webhook = webhookCredentials(credentials);
  if (webhook) return authenticateWebhook(services, webhook.login, webhook.secret, credentials.isHttps, requiredScope);
  const token = findAccessToken(credentials);
  if (token === undefined) throw new AuthError('credentialsMissing');
  const caller = await services.tokens.authenticate(token, requiredScope);
  // An auth-level parameter, read from the request as core's OAuth reads it (events.md §2.1).
  const connector = credentials.params.auth_connector;
  if (typeof connector === 'string' && connector !== '') return { ...caller, authConnector: connector };
  if (typeof connector === 'number') return { ...caller, authConnector: String(connector) };
  return caller;
}
