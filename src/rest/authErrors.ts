// The REST pipeline's answers to the auth module's refusals (rest-protocol.md §3.2; the
// statuses are core's, COMPATIBILITY.md "Statuses"), applied once around authentication.
import { authenticate } from '../auth/authenticate.js';
import type { AuthErrorKind } from '../auth/errors.js';
import { withTranslation, type TranslationTable } from './translation.js';

export const AUTH_ERRORS: TranslationTable<AuthErrorKind> = {
  credentialsMissing: { key: 'NO_AUTH_FOUND' },
  httpsRequired: { key: 'HTTPS_REQUIRED' },
  webhookInvalid: { key: 'INVALID_CREDENTIALS' },
  webhookScopeMissing: { key: 'INSUFFICIENT_SCOPE_WEBHOOK' },
  webhookHeld: { key: 'OVERLOAD_LIMIT' },
  restNotInPlan: { key: 'ACCESS_DENIED_PLAN' },
  userInactive: { key: 'AUTHORIZATION_ERROR' },
  tokenInvalid: { key: 'INVALID_TOKEN' },
  tokenExpired: { key: 'EXPIRED_TOKEN' },
  tokenScopeMissing: { key: 'INSUFFICIENT_SCOPE_TOKEN' },
  appNotFound: { key: 'APPLICATION_NOT_FOUND' },
  userNotAllowed: { key: 'USER_ACCESS_ERROR' },
};

/** authenticate, with its refusals as the Bitrix errors a client expects. */
export function authenticateOrAnswer(...args: Parameters<typeof authenticate>): ReturnType<typeof authenticate> {
  return withTranslation(AUTH_ERRORS, () => authenticate(...args));
}
