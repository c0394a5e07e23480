// One REST request from the wire to the envelope, in core's processing order
// (rest-protocol.md §1.6): rate limit, route and parameters, method lookup (404 before any
// authentication), authentication and scope, operating-time limit, the method itself.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { authenticateOrAnswer } from './authErrors.js';
import type { Services } from '../services.js';
import { unexpectedErrorAnswer } from './databaseError.js';
import { CONTENT_TYPES, errorBody, successBody } from './envelope.js';
import { RestError, restError } from './errors.js';
import { decodeRequestParams, type ParamLimits } from './params.js';
import { asciiRequestTarget, parseRestPath, type OutputFormat, type RestRoute } from './route.js';

export const CORS_HEADERS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'origin, content-type, accept, authorization',
  'x-content-type-options': 'nosniff',
} as const;

/** What every REST answer carries, in the order it is written. */
const ANSWER_HEADERS: Record<OutputFormat, Record<string, string>> = {
  json: { ...CORS_HEADERS, 'content-type': CONTENT_TYPES.json },
  xml: { ...CORS_HEADERS, 'content-type': CONTENT_TYPES.xml },
};

export function paramLimits(services: Services): ParamLimits {
  const { config } = services;
  return { maxDepth: config.maxParamDepth, maxVars: config.maxParamVars, maxJsonValues: config.maxJsonValues };
}

export function isHttpsRequest(request: FastifyRequest, trustProxy: boolean): boolean {
  if ((request.raw.socket as { encrypted?: boolean }).encrypted) return true;
  // Fastify reads the last X-Forwarded-Proto entry, the one our own proxy set; earlier
  // entries come from the client and prove nothing.
  return trustProxy && request.protocol === 'https';
}

/**
 * The client address the limits key on (rest-protocol.md §4.1: the request's source IP).
 * Behind --trust-proxy it is the last X-Forwarded-For entry, the one our own proxy appended:
 * entries further left come from the client, which could rotate them to dodge the limit.
 */
export function clientAddress(request: FastifyRequest, trustProxy: boolean): string {
  const socketAddress = request.raw.socket.remoteAddress ?? '';
  if (!trustProxy) return socketAddress;
  return request.ips?.[1] ?? socketAddress;
}

export function sendError(reply: FastifyReply, error: RestError, format: OutputFormat = 'json'): FastifyReply {
  return reply.code(error.status).headers(ANSWER_HEADERS[format]).send(errorBody(error, format));
}

/**
 * Anything that is not a RestError is logged with an id and answered without details: core's
 * SQL error for a statement the database refused, INTERNAL_SERVER_ERROR for anything else.
 */
export function unexpectedError(services: Services, request: FastifyRequest, error: unknown): RestError {
  // `req` goes through the logger's serializer, which masks secrets in the URL.
  services.log.error({ err: error, reqId: request.id, req: request }, 'unexpected error while answering a REST call');
  return unexpectedErrorAnswer(error);
}

function splitUrl(url: string): { path: string; query: string } {
  const question = url.indexOf('?');
  return question === -1 ? { path: url, query: '' } : { path: url.slice(0, question), query: url.slice(question + 1) };
}

interface RestAnswer {
  readonly status: number;
  readonly body: string;
  readonly headers?: Record<string, string>;
}

function errorAnswer(error: RestError, format: OutputFormat, headers?: Record<string, string>): RestAnswer {
  return { status: error.status, body: errorBody(error, format), headers };
}

/** The REST pipeline of §1.6, producing the answer without touching the reply. */
async function answerRestRequest(
  services: Services,
  request: FastifyRequest,
  route: RestRoute,
  query: string,
  startedAt: number,
): Promise<RestAnswer> {
  const format = route.format;
  try {
    const limiter = services.rateLimiter;
    const client = limiter ? clientAddress(request, services.config.trustProxy) : '';
    const waitSeconds = limiter ? await limiter.take(client) : null;
    if (waitSeconds !== null) {
      // Only got honours Retry-After (clients.md §8.5); it costs nothing to tell everyone.
      const retryAfter = String(Math.max(1, Math.ceil(waitSeconds)));
      return errorAnswer(restError('QUERY_LIMIT_EXCEEDED'), format, { 'retry-after': retryAfter });
    }
    const params = decodeRequestParams(
      {
        httpMethod: request.method,
        query,
        contentType: request.headers['content-type'],
        body: Buffer.isBuffer(request.body) ? request.body : undefined,
      },
      paramLimits(services),
    );
    if (await services.portal.isClosed()) throw restError('PORTAL_DELETED');
    const method = route.recognised && route.method !== '' ? services.registry.get(route.method) : undefined;
    if (!method) throw restError('ERROR_METHOD_NOT_FOUND');
    const caller = await authenticateOrAnswer(
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
      throw restError('ACCESS_DENIED_LINK_CHECK');
    }
    const outcome = await services.ports.calls.run(method, caller, params, startedAt, false);
    return { status: 200, body: successBody(outcome, format) };
  } catch (error) {
    return errorAnswer(error instanceof RestError ? error : unexpectedError(services, request, error), format);
  }
}

/**
 * Answers within the request timeout (the cloud's 60 s, limits.md) with a JSON error instead
 * of hanging. The method keeps running to its end; only its answer is dropped.
 */
function timeoutAnswer(
  services: Services,
  request: FastifyRequest,
  format: OutputFormat,
): { answer: Promise<RestAnswer>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  const answer = new Promise<RestAnswer>((resolve) => {
    timer = setTimeout(() => {
      const seconds = services.config.requestTimeoutMs / 1000;
      services.log.warn({ reqId: request.id, req: request }, 'REST call timed out; its answer is dropped');
      resolve(errorAnswer(restError('REQUEST_TIMEOUT', { seconds }), format));
    }, services.config.requestTimeoutMs);
  });
  return { answer, cancel: () => clearTimeout(timer) };
}

export async function handleRestRequest(services: Services, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const startedAt = services.clock.now() / 1000;
  const { path, query } = splitUrl(asciiRequestTarget(request.raw.url ?? '/'));
  const route = parseRestPath(path);
  const format = route.format;
  const timeout = timeoutAnswer(services, request, format);
  const answer = await Promise.race([answerRestRequest(services, request, route, query, startedAt), timeout.answer]);
  timeout.cancel();
  reply.code(answer.status).headers(ANSWER_HEADERS[format]);
  if (answer.headers) reply.headers(answer.headers);
  await reply.send(answer.body);
}
