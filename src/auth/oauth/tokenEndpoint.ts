// `/oauth/token/` (rest-protocol.md §7, settings/oauth/index.md, auto-renewal.md): GET with a
// query (PHP SDK, docs) or POST with a form (b24jssdk, CRest); grant_type authorization_code
// or refresh_token. Errors are `{error, error_description}` with the statuses the PHP SDK
// expects (ApiLevelErrorHandler: 400 invalid_grant, 401 invalid_client).
import type { FastifyReply, FastifyRequest } from 'fastify';
import { RestError, restError } from '../../rest/errors.js';
import { CORS_HEADERS, isHttpsRequest, paramLimits, sendError, unexpectedError } from '../../rest/httpHandler.js';
import { decodeRequestParams, rawRequestOf } from '../../rest/params.js';
import type { PhpMap } from '../../php/query.js';
import type { Services } from '../../services.js';
import { authenticateClient } from './apps.js';
import { portalMemberId, requestOrigin, tokenAnswer } from './portal.js';
import { redeemCode, refreshTokenPair, type IssuedPair } from './tokens.js';

function textParam(params: PhpMap, name: string): string | undefined {
  const value = params[name];
  if (typeof value === 'number') return String(value);
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function missing(name: string): RestError {
  return restError('OAUTH_PARAMETER_MISSING', { name });
}

const GRANTS = ['authorization_code', 'refresh_token'] as const;

async function issueFor(services: Services, params: PhpMap): Promise<{ pair: IssuedPair; scopes: string[] }> {
  const grant = textParam(params, 'grant_type');
  if (grant === undefined) throw missing('grant_type');
  if (!(GRANTS as readonly string[]).includes(grant)) {
    throw restError('OAUTH_GRANT_TYPE_INVALID');
  }
  const clientId = textParam(params, 'client_id');
  const clientSecret = textParam(params, 'client_secret');
  const app = clientId && clientSecret ? await authenticateClient(services.db, clientId, clientSecret) : undefined;
  if (!app) throw restError('OAUTH_INVALID_CLIENT');
  const now = services.clock.now() / 1000;
  if (grant === 'authorization_code') {
    const code = textParam(params, 'code');
    if (code === undefined) throw missing('code');
    const pair = await redeemCode(services.db, app, code, now);
    if (!pair) throw restError('OAUTH_CODE_INVALID');
    return { pair, scopes: app.scopes };
  }
  const refreshToken = textParam(params, 'refresh_token');
  if (refreshToken === undefined) throw missing('refresh_token');
  const pair = await refreshTokenPair(services.db, app, refreshToken, now);
  if (!pair) throw restError('OAUTH_REFRESH_TOKEN_INVALID');
  return { pair, scopes: app.scopes };
}

export async function handleTokenRequest(services: Services, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  // Token answers must never be cached (RFC 6749 §5.1).
  reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
  try {
    if (services.config.requireHttps && !isHttpsRequest(request, services.config.trustProxy)) {
      throw restError('OAUTH_HTTPS_REQUIRED');
    }
    const params = decodeRequestParams(rawRequestOf(request), paramLimits(services));
    const { pair, scopes } = await issueFor(services, params);
    const answer = tokenAnswer(pair, scopes, requestOrigin(request, services), await portalMemberId(services.db));
    await reply.code(200).headers(CORS_HEADERS).header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(answer));
  } catch (error) {
    await sendError(reply, error instanceof RestError ? error : unexpectedError(services, request, error));
  }
}
