// The web dashboard at /app/: its page and assets, and the sign-in endpoints under /app/api/.
// The page signs in with a login and password (the same ones as /oauth/authorize/) and gets a
// session cookie; it then exchanges the cookie for short-lived access tokens it sends to /rest/
// as `Authorization: Bearer`. /rest/ itself never reads the cookie, so no other site can make
// a browser call the API with it; the /app/api/ endpoints refuse any request whose Origin is
// not this server (COMPATIBILITY.md "Dashboard").
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LeakyBucket } from '../limits/leakyBucket.js';
import { clientAddress, isHttpsRequest, unexpectedError } from '../rest/httpHandler.js';
import type { RouteInstaller } from '../server.js';
import type { Services } from '../services.js';
import { checkLogin } from '../auth/oauth/passwords.js';
import { requestOrigin } from '../auth/oauth/portal.js';
import { findUserById } from '../auth/users.js';
import { closeSession, findSession, issueDashboardToken, openSession } from './sessions.js';
import { StaticFiles, withPageHeaders } from './staticFiles.js';

export const SESSION_COOKIE = 'salestrace_session';
/** As /oauth/authorize/: ten failed sign-ins at once, then one more every six seconds, per client IP. */
const FAILED_LOGIN_PLAN = { burst: 10, drainPerSecond: 1 / 6 };
const MAX_CREDENTIAL_CHARS = 1024;

function cookieValue(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq !== -1 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

function sessionCookie(value: string, maxAge: number, secure: boolean): string {
  return `${SESSION_COOKIE}=${value}; Path=/app/; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure ? '; Secure' : ''}`;
}

function sendJson(reply: FastifyReply, status: number, body: unknown): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/json; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-content-type-options', 'nosniff')
    .send(JSON.stringify(body));
}

/** Only the dashboard's own page may call /app/api/: the browser's Origin (and Fetch Metadata) must say so. */
function fromOwnPage(request: FastifyRequest, services: Services): boolean {
  const site = request.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') return false;
  return request.headers.origin === requestOrigin(request, services).origin;
}

function jsonBody(request: FastifyRequest): Record<string, unknown> {
  if (!Buffer.isBuffer(request.body) || request.body.length > 16 * 1024) return {};
  try {
    const parsed: unknown = JSON.parse(request.body.toString('utf8'));
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

function text(value: unknown): string {
  return typeof value === 'string' && value.length <= MAX_CREDENTIAL_CHARS ? value : '';
}

async function userView(services: Services, userId: number) {
  const user = await findUserById(services.db, userId);
  if (!user || !user.active) return undefined;
  return { ID: user.id, LOGIN: user.login, NAME: user.name, LAST_NAME: user.lastName, IS_ADMIN: user.isAdmin };
}

export const dashboardRoutes: RouteInstaller = (app, services) => {
  const files = new StaticFiles();
  const failedLogins = new LeakyBucket(FAILED_LOGIN_PLAN, services.clock);
  const now = () => services.clock.now() / 1000;
  const guarded =
    (handler: (request: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply>) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
      try {
        if (!fromOwnPage(request, services)) {
          await sendJson(reply, 403, { error: 'CROSS_SITE_REQUEST' });
          return;
        }
        await handler(request, reply);
      } catch (error) {
        unexpectedError(services, request, error);
        await sendJson(reply, 500, { error: 'INTERNAL_SERVER_ERROR' });
      }
    };

  app.get('/app', (_request, reply) => reply.code(301).header('location', '/app/').send());
  for (const url of ['/app/', '/app/index.html']) {
    app.get(url, (_request, reply) => {
      const page = files.page();
      if (!page) return sendJson(reply, 404, { error: 'DASHBOARD_NOT_BUILT' });
      return withPageHeaders(reply).code(200).header('content-type', 'text/html; charset=utf-8').header('cache-control', 'no-cache').send(page);
    });
  }
  app.get('/app/assets/:name', (request, reply) => {
    const asset = files.asset((request.params as { name: string }).name);
    if (!asset) return withPageHeaders(reply).code(404).header('content-type', 'text/plain; charset=utf-8').send('Not found');
    return withPageHeaders(reply).code(200).header('content-type', asset.type).header('cache-control', 'no-cache').send(asset.body);
  });

  app.post(
    '/app/api/login',
    guarded(async (request, reply) => {
      const https = isHttpsRequest(request, services.config.trustProxy);
      if (services.config.requireHttps && !https) return sendJson(reply, 400, { error: 'HTTPS_REQUIRED' });
      const client = clientAddress(request, services.config.trustProxy);
      const wait = failedLogins.secondsUntilFree(client);
      if (wait > 0) return sendJson(reply.header('retry-after', String(Math.ceil(wait))), 429, { error: 'TOO_MANY_ATTEMPTS' });
      const body = jsonBody(request);
      const userId = await checkLogin(services.db, text(body.login), text(body.password));
      if (userId === undefined) {
        failedLogins.take(client);
        return sendJson(reply, 401, { error: 'WRONG_LOGIN' });
      }
      const session = await openSession(services.db, userId, now());
      const maxAge = session.expiresAt - Math.floor(now());
      return sendJson(reply.header('set-cookie', sessionCookie(session.secret, maxAge, https)), 200, { user: await userView(services, userId) });
    }),
  );

  app.post(
    '/app/api/token',
    guarded(async (request, reply) => {
      const secret = cookieValue(request, SESSION_COOKIE);
      const session = secret ? await findSession(services.db, secret, now()) : undefined;
      if (!session) return sendJson(reply, 401, { error: 'NO_SESSION' });
      const user = await userView(services, session.userId);
      if (!user) return sendJson(reply, 403, { error: 'USER_INACTIVE' });
      const issued = await issueDashboardToken(services.db, session, now());
      return sendJson(reply, 200, { access_token: issued.token, expires: issued.expiresAt, expires_in: issued.expiresAt - Math.floor(now()), user });
    }),
  );

  app.post(
    '/app/api/logout',
    guarded(async (request, reply) => {
      const secret = cookieValue(request, SESSION_COOKIE);
      if (secret) await closeSession(services.db, secret);
      const https = isHttpsRequest(request, services.config.trustProxy);
      return sendJson(reply.header('set-cookie', sessionCookie('', 0, https)), 200, { result: true });
    }),
  );
};
