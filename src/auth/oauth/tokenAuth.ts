// OAuth access tokens at /rest/, with the checks in core's order (rest-protocol.md §7,
// C:lib/oauth/auth.php): the token must exist, then the plan gate, the app installed and
// active, the token unexpired, the method's scope granted, the user able to log in, and the
// user allowed to use the app.
import type { MethodContext } from '../../rest/method.js';
import type { Caller } from '../caller.js';
import { AuthError } from '../errors.js';
import type { Services } from '../../services.js';
import { SELF_HOSTED_LICENSE } from '../../system/methods.js';
import type { TokenAuthenticator } from '../authenticate.js';
import { hasScope } from '../scopes.js';
import { findUserById } from '../users.js';
import { appAllowsUser, findAppById } from './apps.js';
import { LOCAL_APP_STATUS } from './portal.js';
import { findAccessTokenRecord } from './tokens.js';

export const oauthTokenAuthenticator: TokenAuthenticator = {
  async authenticate(token: string, requiredScope: string | null, services: Services): Promise<Caller> {
    const record = await findAccessTokenRecord(services.db, token);
    if (!record) throw new AuthError('tokenInvalid');
    if (services.config.plan === 'free') throw new AuthError('restNotInPlan');
    if (!record.app.active) throw new AuthError('appNotFound');
    if (record.expiresAt <= services.clock.now() / 1000) throw new AuthError('tokenExpired');
    const scopes = new Set(record.app.scopes);
    if (!hasScope(scopes, requiredScope)) throw new AuthError('tokenScopeMissing');
    const user = await findUserById(services.db, record.userId);
    if (!user || !user.active) throw new AuthError('userInactive');
    if (!(await appAllowsUser(services.db, record.app, user.id))) throw new AuthError('userNotAllowed');
    return {
      userId: user.id,
      isAdmin: user.isAdmin,
      authType: 'oauth',
      credentialId: record.app.id,
      clientId: record.app.clientId,
      scopes,
    };
  },
};

/** `app.info` for an application token (rest-protocol.md §9, app-info.md). */
export async function describeOAuthApp({ caller, services }: MethodContext): Promise<Record<string, unknown>> {
  const app = await findAppById(services.db, caller.credentialId);
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
