// OAuth access tokens at /rest/, with the checks in core's order (rest-protocol.md §7,
// C:lib/oauth/auth.php): the token must exist, then the plan gate, the app installed and
// active, the token unexpired, the method's scope granted, the user able to log in, and the
// user allowed to use the app.
import type { Clock } from '../../clock.js';
import type { Config } from '../../config.js';
import type { Db } from '../../db/schema.js';
import { restError } from '../../rest/errors.js';
import type { Caller } from '../caller.js';
import { SELF_HOSTED_LICENSE } from '../../system/methods.js';
import type { AppDescriber, TokenAuthenticator } from '../contract.js';
import { hasScope } from '../scopes.js';
import { findUserById } from '../users.js';
import { appAllowsUser, findAppById, LOCAL_APP_STATUS } from './apps.js';
import { findAccessTokenRecord } from './tokens.js';

export const oauthTokenAuthenticator = (db: Db, clock: Clock, config: Pick<Config, 'plan'>): TokenAuthenticator => ({
  async authenticate(token: string, requiredScope: string | null): Promise<Caller> {
    const record = await findAccessTokenRecord(db, token);
    if (!record) throw restError('INVALID_TOKEN');
    if (config.plan === 'free') throw restError('ACCESS_DENIED_PLAN');
    if (!record.app.active) throw restError('APPLICATION_NOT_FOUND');
    if (record.expiresAt <= clock.now() / 1000) throw restError('EXPIRED_TOKEN');
    const scopes = new Set(record.app.scopes);
    if (!hasScope(scopes, requiredScope)) throw restError('INSUFFICIENT_SCOPE_TOKEN');
    const user = await findUserById(db, record.userId);
    if (!user || !user.active) throw restError('AUTHORIZATION_ERROR');
    if (!(await appAllowsUser(db, record.app, user.id))) throw restError('USER_ACCESS_ERROR');
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
  if (!app) throw restError('APPLICATION_NOT_FOUND');
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
