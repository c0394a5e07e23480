// OAuth access tokens at /rest/, with the checks in core's order (rest-protocol.md §7,
// C:lib/oauth/auth.php): the token must exist, then the plan gate, the app installed and
// active, the token unexpired, the method's scope granted, the user able to log in, and the
// user allowed to use the app.
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/schema.js';
import type { Caller } from '../caller.js';
import { AuthError } from '../errors.js';
import { SELF_HOSTED_LICENSE } from '../../system/methods.js';
import type { AppDescriber, TokenAuthenticator } from '../contract.js';
import { hasScope } from '../scopes.js';
import { findUserById } from '../users.js';
import { appAllowsUser, findAppById, LOCAL_APP_STATUS } from './apps.js';
import { findAccessTokenRecord } from './tokens.js';

export const oauthTokenAuthenticator = (db: Db, clock: Clock, config: Pick<Config, 'plan'>): TokenAuthenticator => ({
  async authenticate(token: string, requiredScope: string | null): Promise<Caller> {
    const record = await findAccessTokenRecord(db, token);
    if (!record) throw new AuthError('tokenInvalid');
    if (config.plan === 'free') throw new AuthError('restNotInPlan');
    if (!record.app.active) throw new AuthError('appNotFound');
    if (record.expiresAt <= clock.now() / 1000) throw new AuthError('tokenExpired');
    const scopes = new Set(record.app.scopes);
    if (!hasScope(scopes, requiredScope)) throw new AuthError('tokenScopeMissing');
    const user = await findUserById(db, record.userId);
    if (!user || !user.active) throw new AuthError('userInactive');
    if (!(await appAllowsUser(db, record.app, user.id))) throw new AuthError('userNotAllowed');
    return {
      userId: user.id,
      isAdmin: user.isAdmin,
      authType: 'oauth',
      credentialId: record.app.id,
      clientId: record.app.clientId,
      scopes,
    };
  },
});

/** `app.info` for an application token (rest-protocol.md §9, app-info.md). */
export const oauthAppDescriber = (db: Db): AppDescriber => ({
  describe: (caller) => describeOAuthApp(db, caller),
});

async function describeOAuthApp(db: Db, caller: Caller): Promise<Record<string, unknown>> {
  const app = await findAppById(db, caller.credentialId);
  if (!app) throw new AuthError('appNotFound');
  return {
    ID: app.id,
    CODE: app.clientId,
    VERSION: 1,
    STATUS: LOCAL_APP_STATUS,
    INSTALLED: app.active,
    PAYMENT_EXPIRED: 'N',
    DAYS: null,
    LANGUAGE_ID: 'en',
    LICENSE: SELF_HOSTED_LICENSE,
  };
}
