// Why a caller is refused, by kind, in the order of the checks (authenticate.ts, tokenAuth.ts).
// No Bitrix text here: the REST pipeline answers each kind from its table (rest/authErrors.ts).
import { DomainError } from '../domainError.js';

export const AUTH_ERROR_KINDS = [
  /** Neither webhook credentials nor an access token. */
  'credentialsMissing',
  /** The server requires HTTPS and the request came over HTTP. */
  'httpsRequired',
  /** No active, unexpired webhook with this user and secret. */
  'webhookInvalid',
  'webhookScopeMissing',
  /** The administrator put the webhook on hold. */
  'webhookHeld',
  /** `--plan free`: REST is refused as a whole. */
  'restNotInPlan',
  /** The user cannot log in. */
  'userInactive',
  'tokenInvalid',
  'tokenExpired',
  'tokenScopeMissing',
  /** The token's application is switched off, or gone. */
  'appNotFound',
  /** The application is restricted to other users. */
  'userNotAllowed',
] as const;

export type AuthErrorKind = (typeof AUTH_ERROR_KINDS)[number];

export class AuthError extends DomainError<AuthErrorKind> {}
