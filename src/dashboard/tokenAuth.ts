// Access tokens of dashboard sessions at /rest/: the page acts as its signed-in user, with that
// user's rights and every scope (the user's own browser, not a third-party app). Any other
// token goes on to the OAuth authenticator. The checks mirror OAuth's: the token exists, the
// plan gate, the token unexpired (a signed-out or expired session ends its tokens), the user active.
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Db } from '../db/schema.js';
import type { TokenAuthenticator } from '../auth/contract.js';
import { AuthError } from '../auth/errors.js';
import { hasScope, KNOWN_SCOPES } from '../auth/scopes.js';
import { findUserById } from '../auth/users.js';
import { DASHBOARD_TOKEN_PREFIX, findDashboardToken } from './sessions.js';

const ALL_SCOPES: ReadonlySet<string> = new Set(KNOWN_SCOPES);

export const dashboardTokenAuthenticator = (
  db: Db,
  clock: Clock,
  config: Pick<Config, 'plan'>,
  others: TokenAuthenticator,
): TokenAuthenticator => ({
  async authenticate(token: string, requiredScope: string | null) {
    if (!token.startsWith(DASHBOARD_TOKEN_PREFIX)) return others.authenticate(token, requiredScope);
    const record = await findDashboardToken(db, token);
    if (!record) throw new AuthError('tokenInvalid');
    if (config.plan === 'free') throw new AuthError('restNotInPlan');
    if (record.expiresAt <= clock.now() / 1000) throw new AuthError('tokenExpired');
    if (!hasScope(ALL_SCOPES, requiredScope)) throw new AuthError('tokenScopeMissing');
    const user = await findUserById(db, record.userId);
    if (!user || !user.active) throw new AuthError('userInactive');
    return { userId: user.id, isAdmin: user.isAdmin, authType: 'session', credentialId: record.sessionId, scopes: ALL_SCOPES };
  },
});
