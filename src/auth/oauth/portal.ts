// How this server names itself in OAuth answers. It is both the portal and the authorization
// server, so `client_endpoint` and `server_endpoint` are both its own `/rest/`, and the
// b24jssdk, which refreshes at `{server_endpoint minus /rest/}/oauth/token/`, comes back here.
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Executor } from '../../db/schema.js';
import { isHttpsRequest } from '../../rest/httpHandler.js';
import type { Services } from '../../services.js';
import { settingOrDefault } from '../../system/settings.js';
import { LOCAL_APP_STATUS } from './apps.js';
import { ACCESS_TOKEN_SECONDS, type IssuedPair } from './tokens.js';

/** The portal's permanent identifier, made on first use (32 hex digits, like Bitrix24's). */
export function portalMemberId(db: Executor): Promise<string> {
  return settingOrDefault(db, 'member_id', randomBytes(16).toString('hex'));
}

export interface PublicOrigin {
  /** `https://host:port` */
  readonly origin: string;
  /** `host:port` */
  readonly host: string;
}

const HOST_PATTERN = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/;

/** The origin the client used to reach us (Host, and X-Forwarded-* only behind --trust-proxy). */
export function requestOrigin(request: FastifyRequest, services: Services): PublicOrigin {
  const scheme = isHttpsRequest(request, services.config.trustProxy) ? 'https' : 'http';
  const claimed = request.host;
  const host = HOST_PATTERN.test(claimed) ? claimed : `${services.config.host}:${request.socket.localPort}`;
  return { origin: `${scheme}://${host}`, host };
}

export function originFromUrl(baseUrl: string): PublicOrigin {
  const url = new URL(baseUrl);
  return { origin: url.origin, host: url.host };
}

export interface TokenAnswer {
  access_token: string;
  client_endpoint: string;
  domain: string;
  expires: number;
  expires_in: number;
  member_id: string;
  refresh_token: string;
  scope: string;
  server_endpoint: string;
  status: string;
  user_id: number;
}

/** Every field of the token endpoint's answer (settings/oauth/auto-renewal.md). */
export function tokenAnswer(pair: IssuedPair, scopes: readonly string[], where: PublicOrigin, memberId: string): TokenAnswer {
  return {
    access_token: pair.accessToken,
    client_endpoint: `${where.origin}/rest/`,
    domain: where.host,
    expires: pair.expires,
    expires_in: ACCESS_TOKEN_SECONDS,
    member_id: memberId,
    refresh_token: pair.refreshToken,
    scope: scopes.join(','),
    server_endpoint: `${where.origin}/rest/`,
    status: LOCAL_APP_STATUS,
    user_id: pair.userId,
  };
}
