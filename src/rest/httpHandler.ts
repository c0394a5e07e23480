// One REST request from the wire to the envelope, in core's processing order
// (rest-protocol.md §1.6): rate limit, route and parameters, method lookup (404 before any
// authentication), authentication and scope, operating-time limit, the method itself.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticate } from '../auth/authenticate.js';
import type { Services } from '../services.js';
import { runMethod } from './dispatch.js';
import { CONTENT_TYPES, errorBody, successBody } from './envelope.js';
import { RestError, restError } from './errors.js';
import { decodeRequestParams, type ParamLimits } from './params.js';
import { asciiRequestTarget, parseRestPath, type OutputFormat } from './route.js';

export const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'origin, content-type, accept, authorization',
  'x-content-type-options': 'nosniff',
} as const;

export function paramLimits(services: Services): ParamLimits {
  const { config } = services;
  return { maxDepth: config.maxParamDepth, maxVars: config.maxParamVars, maxJsonValues: config.maxJsonValues };
}

export function isHttpsRequest(request: FastifyRequest, trustProxy: boolean): boolean {
  if ((request.raw.socket as { encrypted?: boolean }).encrypted) return true;
  if (!trustProxy) return false;
  const forwarded = request.headers['x-forwarded-proto'];
  const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  return first === 'https';
}

export function sendError(reply: FastifyReply, error: RestError, format: OutputFormat = 'json'): FastifyReply {
  return reply
    .code(error.status)
    .headers(CORS_HEADERS)
    .header('content-type', CONTENT_TYPES[format])
    .send(errorBody(error, format));
}

/** Anything that is not a RestError is a bug: log it with an id and answer without details. */
export function unexpectedError(services: Services, request: FastifyRequest, error: unknown): RestError {
  services.log.error({ err: error, reqId: request.id }, 'unexpected error while answering a REST call');
  return restError('INTERNAL_SERVER_ERROR');
}

function splitUrl(url: string): { path: string; query: string } {
  const question = url.indexOf('?');
  return question === -1 ? { path: url, query: '' } : { path: url.slice(0, question), query: url.slice(question + 1) };
}

export async function handleRestRequest(services: Services, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const startedAt = services.clock.now() / 1000;
  const { path, query } = splitUrl(asciiRequestTarget(request.raw.url ?? '/'));
  const route = parseRestPath(path);
  const format = route.format;
  try {
    if (services.rateLimiter && !services.rateLimiter.take(request.ip)) throw restError('QUERY_LIMIT_EXCEEDED');
    const params = decodeRequestParams(
      {
        httpMethod: request.method,
        query,
        contentType: request.headers['content-type'],
        body: Buffer.isBuffer(request.body) ? request.body : undefined,
      },
      paramLimits(services),
    );
    const method = route.recognised && route.method !== '' ? services.registry.get(route.method) : undefined;
    if (!method) throw restError('ERROR_METHOD_NOT_FOUND');
    const caller = await authenticate(
      services,
      {
        webhook: route.webhook,
        authorization: request.headers.authorization,
        params,
        isHttps: isHttpsRequest(request, services.config.trustProxy),
      },
      method.scope,
    );
    // Core treats any call carrying `token` as a signed download/upload link and checks its
    // signature after authentication; this server never issues such links (§1.4).
    if (params.token !== undefined && params.token !== null) {
      throw restError('ACCESS_DENIED_REASON', { reason: 'Link check failed' });
    }
    const outcome = await runMethod(services, method, caller, params, startedAt, false);
    await reply.code(200).headers(CORS_HEADERS).header('content-type', CONTENT_TYPES[format]).send(successBody(outcome, format));
  } catch (error) {
    const restFailure = error instanceof RestError ? error : unexpectedError(services, request, error);
    await sendError(reply, restFailure, format);
  }
}
