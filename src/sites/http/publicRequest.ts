// What the public website endpoints (/pub/guest.php, /pub/form/…) share: the per-IP limit, the
// parameters read with PHP's rules, the guest cookie, and CORS with credentials for the origins
// of active own sites only (COMPATIBILITY.md, "The website side").
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LeakyBucket } from '../../limits/leakyBucket.js';
import type { Logger } from '../../logger.js';
import type { PhpMap } from '../../php/query.js';
import { RestError, restError } from '../../rest/errors.js';
import { decodeRequestParams, rawRequestOf, type ParamLimits } from '../../rest/params.js';
import { hostOf } from '../../tracking/channels.js';
import type { PublicSettingsPort } from '../contract.js';

/** The public endpoints' needs, filled by src/routes.ts from the services. */
export interface PublicEndpointContext {
  readonly settings: PublicSettingsPort;
  readonly limits: ParamLimits;
  /** Per client address; its own bucket, apart from the REST limit. */
  readonly limiter: LeakyBucket;
  readonly clientKey: (request: FastifyRequest) => string;
  readonly isHttps: (request: FastifyRequest) => boolean;
  readonly log: Logger;
}

/** Largest body a public endpoint reads: a TRACE of 256 KiB, form-encoded. */
export const PUBLIC_BODY_LIMIT = 1024 * 1024;
/** Per client address: 120 requests at once, 5 a second after that. */
export const PUBLIC_RATE_PLAN = { drainPerSecond: 5, burst: 120 } as const;

export const GUEST_COOKIE = 'b24_crm_guest_id';
/** 10 years, as the portal's cookie. */
const GUEST_COOKIE_SECONDS = 10 * 365 * 86_400;
/** What a gid may look like; anything else is treated as no gid. */
const GID_SHAPE = /^[A-Za-z0-9_-]{1,64}$/;

export function validGid(value: unknown): string | null {
  return typeof value === 'string' && GID_SHAPE.test(value) ? value : null;
}

/** The guest cookie's gid; a value the old tracker wrote JSON-quoted is unwrapped. */
export function cookieGid(request: FastifyRequest): string | null {
  const header = request.headers.cookie;
  if (typeof header !== 'string') return null;
  for (const part of header.split(';')) {
    const at = part.indexOf('=');
    if (at === -1 || part.slice(0, at).trim() !== GUEST_COOKIE) continue;
    let value = part.slice(at + 1).trim();
    try {
      value = decodeURIComponent(value);
    } catch {
      return null;
    }
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return validGid(value);
  }
  return null;
}

export function guestCookie(gid: string, secure: boolean): string {
  // A cross-site request sends the cookie only with SameSite=None, which browsers accept only when Secure.
  const sameSite = secure ? 'SameSite=None; Secure' : 'SameSite=Lax';
  return `${GUEST_COOKIE}=${gid}; Path=/; Max-Age=${GUEST_COOKIE_SECONDS}; HttpOnly; ${sameSite}`;
}

/** The request's Origin header, or null when it has none. */
export function originOf(request: FastifyRequest): string | null {
  const origin = request.headers.origin;
  return typeof origin === 'string' && origin !== '' ? origin : null;
}

/** Whether an Origin may call with credentials: an active own site's, or any when the option is on. */
export async function originAllowed(context: PublicEndpointContext, origin: string): Promise<boolean> {
  if ((await context.settings.publicSettings()).anyOrigin) return true;
  if (!/^https?:\/\/[^/]+$/i.test(origin)) return false;
  const host = hostOf(origin);
  return host !== null && (await context.settings.activeSiteHosts()).has(host);
}

export function corsHeaders(origin: string): Record<string, string> {
  return { 'access-control-allow-origin': origin, 'access-control-allow-credentials': 'true' };
}

/** The per-IP limit; a RestError when the client is over it. */
export function checkRate(context: PublicEndpointContext, request: FastifyRequest, reply: FastifyReply): void {
  const key = context.clientKey(request);
  if (context.limiter.take(key)) return;
  reply.header('retry-after', String(Math.ceil(context.limiter.secondsUntilFree(key))));
  throw restError('QUERY_LIMIT_EXCEEDED');
}

/** GET and POST parameters merged with PHP's rules (form fields, or a JSON body). */
export function publicParams(context: PublicEndpointContext, request: FastifyRequest): PhpMap {
  return decodeRequestParams(rawRequestOf(request), context.limits);
}

const BASE_HEADERS = {
  'content-type': 'application/json; charset=UTF-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  vary: 'Origin',
} as const;

export function sendJson(reply: FastifyReply, status: number, body: unknown, extra: Record<string, string> = {}): FastifyReply {
  return reply.code(status).headers({ ...BASE_HEADERS, ...extra }).send(JSON.stringify(body));
}

/** A refusal as `{error, error_description}`; anything unexpected is logged and answered without details. */
export function sendFailure(context: PublicEndpointContext, request: FastifyRequest, reply: FastifyReply, error: unknown, extra: Record<string, string> = {}): FastifyReply {
  if (error instanceof RestError) return sendJson(reply, error.status, error.toBody(), extra);
  context.log.error({ err: error, reqId: request.id }, 'unexpected error on a public website endpoint');
  const failure = restError('INTERNAL_SERVER_ERROR');
  return sendJson(reply, failure.status, failure.toBody(), extra);
}
