// `/oauth/authorize/` (settings/oauth/index.md, step 1): the user signs in with the login and
// password set by `salestrace user passwd`, and is sent back to the app's redirect URI with
// `code, state, domain, member_id, scope, server_domain`. An app without a redirect URI gets
// the code shown on the page, as Bitrix24 does for such apps.
//
// There is no session: every authorization asks for the password, so there is no cookie to
// steal or fixate. Failed sign-ins are throttled per client IP. Errors are shown on our own
// page and never sent to the redirect URI (the docs: "the application receives neither a
// redirect nor error parameters").
import type { FastifyReply, FastifyRequest } from 'fastify';
import { LeakyBucket } from '../../limits/leakyBucket.js';
import { RestError } from '../../rest/errors.js';
import { clientAddress, isHttpsRequest, paramLimits, unexpectedError } from '../../rest/httpHandler.js';
import { decodeRequestParams, rawRequestOf } from '../../rest/params.js';
import type { PhpMap } from '../../php/query.js';
import type { Services } from '../../services.js';
import { appAllowsUser, findAppByClientId, type OAuthApp } from './apps.js';
import { checkLogin } from './passwords.js';
import { portalMemberId, requestOrigin } from './portal.js';
import { issueCode } from './tokens.js';

/**
 * Longest `state` echoed into the sign-in form. Apps send a short random value; escaping
 * megabytes of `<` for the page would hold the event loop for seconds, before any sign-in.
 */
export const MAX_STATE_CHARS = 4096;

/** Ten failed sign-ins at once, then one more every six seconds, per client IP. */
const FAILED_LOGIN_PLAN = { burst: 10, drainPerSecond: 1 / 6 };

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]);
}

function page(title: string, body: string): string {
  return (
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width, initial-scale=1">' +
    `<title>${escapeHtml(title)}</title>` +
    '<style>body{font-family:system-ui,sans-serif;max-width:26rem;margin:3rem auto;padding:0 1rem}' +
    'label{display:block;margin:.8rem 0}input{display:block;width:100%;padding:.3rem}' +
    '.error{color:#a40000}code{font-size:1.2rem}</style></head>' +
    `<body><h1>${escapeHtml(title)}</h1>${body}</body></html>`
  );
}

function loginForm(app: OAuthApp, state: string, error?: string): string {
  const name = app.title || app.clientId;
  return page(
    'Authorize an application',
    `<p><b>${escapeHtml(name)}</b> asks to act on your behalf with these scopes: ` +
      `${escapeHtml(app.scopes.join(', ') || '(none)')}.</p>` +
      (error ? `<p class="error">${escapeHtml(error)}</p>` : '') +
      '<form method="post" action="/oauth/authorize/">' +
      `<input type="hidden" name="client_id" value="${escapeHtml(app.clientId)}">` +
      `<input type="hidden" name="state" value="${escapeHtml(state)}">` +
      '<label>Login <input name="login" autocomplete="username" required></label>' +
      '<label>Password <input name="password" type="password" autocomplete="current-password" required></label>' +
      '<button type="submit">Sign in and allow</button></form>',
  );
}

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .header('x-frame-options', 'DENY')
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
    .send(html);
}

function textParam(params: PhpMap, name: string): string {
  const value = params[name];
  return typeof value === 'string' ? value : '';
}

async function readParams(services: Services, request: FastifyRequest): Promise<PhpMap> {
  return decodeRequestParams(rawRequestOf(request), paramLimits(services));
}

export function authorizeHandler(services: Services) {
  const failedLogins = new LeakyBucket(FAILED_LOGIN_PLAN, services.clock);

  async function answer(request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    if (services.config.requireHttps && !isHttpsRequest(request, services.config.trustProxy)) {
      return sendPage(reply, 400, page('HTTPS required', '<p>This server accepts sign-ins over HTTPS only.</p>'));
    }
    const params = await readParams(services, request);
    const clientId = textParam(params, 'client_id');
    const state = textParam(params, 'state');
    const app = clientId === '' ? undefined : await findAppByClientId(services.db, clientId);
    if (!app || !app.active) {
      return sendPage(reply, 400, page('Unknown application', '<p>No active application has this client_id.</p>'));
    }
    if (state.length > MAX_STATE_CHARS) {
      return sendPage(reply, 400, page('State too long', `<p>The state parameter is longer than ${MAX_STATE_CHARS} characters.</p>`));
    }
    if (request.method !== 'POST') return sendPage(reply, 200, loginForm(app, state));

    const client = clientAddress(request, services.config.trustProxy);
    if (failedLogins.secondsUntilFree(client) > 0) {
      return sendPage(reply, 429, page('Too many attempts', '<p>Too many failed sign-ins. Try again in a minute.</p>'));
    }
    const userId = await checkLogin(services.db, textParam(params, 'login'), textParam(params, 'password'));
    if (userId === undefined) {
      failedLogins.take(client);
      return sendPage(reply, 401, loginForm(app, state, 'Wrong login or password.'));
    }
    if (!(await appAllowsUser(services.db, app, userId))) {
      return sendPage(reply, 403, page('Access denied', '<p>The user does not have access to the application.</p>'));
    }
    const code = await issueCode(services.db, app.id, userId, services.clock.now() / 1000);
    if (app.redirectUri === null) {
      return sendPage(
        reply,
        200,
        page('Authorization code', `<p>Enter this code in the application within 30 seconds:</p><p><code>${escapeHtml(code)}</code></p>`),
      );
    }
    const where = requestOrigin(request, services);
    const target = new URL(app.redirectUri);
    target.searchParams.set('code', code);
    if (state !== '') target.searchParams.set('state', state);
    target.searchParams.set('domain', where.host);
    target.searchParams.set('member_id', await portalMemberId(services.db));
    target.searchParams.set('scope', app.scopes.join(','));
    target.searchParams.set('server_domain', where.host);
    return reply.code(302).header('location', target.toString()).header('cache-control', 'no-store').send();
  }

  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    try {
      await answer(request, reply);
    } catch (error) {
      const known = error instanceof RestError ? error : unexpectedError(services, request, error);
      await sendPage(reply, known.status, page('Error', `<p>${escapeHtml(known.description)}</p>`));
    }
  };
}
