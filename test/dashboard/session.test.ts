// The dashboard's sign-in over plain sockets: the session cookie and its attributes, the access
// tokens a page gets for /rest/ and what they may do, sign-out, expiry, the failed-sign-in
// limit, the same-origin rule of /app/api/, the page's security headers and the bundle's size.
import fs from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ok, userWithGrants } from '../crm/helpers.js';
import { dumpDatabase } from '../helpers/dbDump.js';
import { hashSecret } from '../../src/auth/secrets.js';
import { WEB_ROOT } from '../../src/dashboard/staticFiles.js';
import { ADMIN_PASSWORD, appApi, loginOf, restWithToken, rowsOf, sessionOf, withPassword } from './helpers.js';

let server: TestServer;
const clock = new ManualClock(Date.UTC(2026, 5, 1, 9));

beforeAll(async () => {
  server = await startTestServer({ manualClock: clock });
  await withPassword(server, 1, ADMIN_PASSWORD);
});
afterAll(async () => {
  await server.close();
});

describe('the page', () => {
  it('is served at /app/ with a strict Content-Security-Policy and no inline script', async () => {
    const response = await fetch(`${server.httpUrl}/app/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('content-security-policy')).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
    );
    expect(response.headers.get('x-frame-options')).toBe('DENY');
    const html = await response.text();
    expect(html).toContain('<script type="module" src="/app/assets/app.js"></script>');
    // Every script has a src: nothing inline for the policy to refuse.
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script type="module" src="/app/assets/app.js">']);
    const redirect = await fetch(`${server.httpUrl}/app`, { redirect: 'manual' });
    expect([redirect.status, redirect.headers.get('location')]).toEqual([301, '/app/']);
  });

  it('serves its assets with the same policy and nothing outside the folder', async () => {
    const script = await fetch(`${server.httpUrl}/app/assets/app.js`);
    expect(script.status).toBe(200);
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await script.text()).toBe(fs.readFileSync(path.join(WEB_ROOT, 'assets', 'app.js'), 'utf8'));
    for (const name of ['..%2Findex.html', '..%2F..%2Fpackage.json', 'missing.js']) {
      expect((await fetch(`${server.httpUrl}/app/assets/${name}`)).status).toBe(404);
    }
  });

  it('ships at most 120 kB of gzipped JavaScript, all of it from the package', () => {
    const files = fs.readdirSync(path.join(WEB_ROOT, 'assets')).filter((name) => name.endsWith('.js'));
    const total = files.reduce((sum, name) => sum + gzipSync(fs.readFileSync(path.join(WEB_ROOT, 'assets', name))).length, 0);
    expect(files).toEqual(['app.js']);
    expect(total).toBeGreaterThan(1000);
    expect(total).toBeLessThanOrEqual(120 * 1024);
    const bundle = fs.readFileSync(path.join(WEB_ROOT, 'assets', 'app.js'), 'utf8');
    // No address to load anything from: only XML namespace names and the empty state's example.
    const addresses = new Set(bundle.match(/https?:\/\/[a-z0-9.-]+/gi));
    expect([...addresses].sort()).toEqual(['http://www.w3.org', 'https://shop.example']);
  });
});

describe('signing in', () => {
  it('sets an HttpOnly, SameSite=Strict session cookie, stored only as a hash', async () => {
    const answer = await appApi(server.httpUrl, 'login', { login: 'admin', password: ADMIN_PASSWORD });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ user: { ID: 1, LOGIN: 'admin', NAME: expect.any(String), LAST_NAME: expect.any(String), IS_ADMIN: true } });
    expect(answer.headers.get('set-cookie')).toBe(`salestrace_session=${answer.cookie}; Path=/app/; Max-Age=28800; HttpOnly; SameSite=Strict`);
    expect(answer.cookie).toMatch(/^[a-z0-9]{48}$/);
    const rows = await rowsOf(server, 'dashboard_sessions');
    const mine = rows.find((row: any) => row.session_hash === hashSecret(answer.cookie!));
    expect(mine).toMatchObject({ user_id: 1, expires_at: clock.now() / 1000 + 28800 });
    expect(rows.some((row: any) => Object.values(row).includes(answer.cookie))).toBe(false);
  });

  it('marks the cookie Secure over HTTPS', async () => {
    const answer = await appApi(server.httpsUrl, 'login', { login: 'admin', password: ADMIN_PASSWORD });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('set-cookie')).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
  });

  it('refuses a wrong password or an unknown login alike, and sets no cookie', async () => {
    const before = await dumpDatabase(server.services.db);
    for (const body of [{ login: 'admin', password: 'wrong password' }, { login: 'nobody', password: ADMIN_PASSWORD }, {}]) {
      const answer = await appApi(server.httpUrl, 'login', body);
      expect([answer.status, answer.body, answer.cookie]).toEqual([401, { error: 'WRONG_LOGIN' }, undefined]);
    }
    expect(await dumpDatabase(server.services.db)).toEqual(before);
  });

  it('refuses requests that do not come from the dashboard page itself', async () => {
    const cookie = await sessionOf(server, 'admin', ADMIN_PASSWORD);
    const cases = [
      { origin: 'https://evil.example' },
      { origin: null },
      { site: 'cross-site' },
      { site: 'same-site' },
    ];
    for (const options of cases) {
      for (const path of ['login', 'token', 'logout']) {
        const answer = await appApi(server.httpUrl, path, { login: 'admin', password: ADMIN_PASSWORD }, { cookie, ...options });
        expect([path, answer.status, answer.body, answer.headers.get('access-control-allow-origin')]).toEqual([path, 403, { error: 'CROSS_SITE_REQUEST' }, null]);
      }
    }
    // The session survived every attempt.
    expect((await appApi(server.httpUrl, 'token', {}, { cookie })).status).toBe(200);
  });
});

describe('access tokens for /rest/', () => {
  it('act as the signed-in user, with that user’s rights', async () => {
    const limited = await userWithGrants(server, { DEAL: { READ: 'OWN' } });
    await withPassword(server, limited.id, 'limited password');
    const login = await loginOf(server, limited.id);
    const cookie = await sessionOf(server, login, 'limited password');
    const answer = await appApi(server.httpUrl, 'token', {}, { cookie });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({
      access_token: expect.stringMatching(/^dash\.[a-z0-9]{48}$/),
      expires: clock.now() / 1000 + 600,
      expires_in: 600,
      user: { ID: limited.id, LOGIN: login, NAME: '', LAST_NAME: '', IS_ADMIN: false },
    });
    const token = answer.body.access_token;
    const profile = await restWithToken(server, token, 'profile');
    expect(profile.status).toBe(200);
    expect(profile.body.result.ID).toBe(String(limited.id));
    // Changing sources is for administrators: the same refusal a webhook of this user gets.
    const refused = await restWithToken(server, token, 'salestrace.source.add', { fields: { NAME: 'Mine' } });
    expect([refused.status, refused.body.error]).toEqual([403, 'ACCESS_DENIED']);
    const admin = await appApi(server.httpUrl, 'token', {}, { cookie: await sessionOf(server, 'admin', ADMIN_PASSWORD) });
    const added = await restWithToken(server, admin.body.access_token, 'salestrace.source.add', { fields: { NAME: 'By admin' } });
    expect(added.status).toBe(200);
    expect(typeof added.body.result).toBe('number');
  });

  it('are no application: app.info answers as for a webhook', async () => {
    const cookie = await sessionOf(server, 'admin', ADMIN_PASSWORD);
    const token = (await appApi(server.httpUrl, 'token', {}, { cookie })).body.access_token;
    const info = await restWithToken(server, token, 'app.info');
    expect(info.status).toBe(200);
    expect(info.body.result.LICENSE).toBe('en_selfhosted');
    expect(info.body.result.SCOPE).toContain('crm');
    expect(info.body.result.ID).toBeUndefined();
  });

  it('are not taken from the cookie: /rest/ needs the token itself', async () => {
    const cookie = await sessionOf(server, 'admin', ADMIN_PASSWORD);
    const response = await fetch(`${server.httpUrl}/rest/profile.json`, { headers: { cookie: `salestrace_session=${cookie}`, origin: server.httpUrl } });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: string }).error).toBe('NO_AUTH_FOUND');
  });

  it('end with sign-out, and sign-out clears the cookie', async () => {
    const cookie = await sessionOf(server, 'admin', ADMIN_PASSWORD);
    const token = (await appApi(server.httpUrl, 'token', {}, { cookie })).body.access_token;
    expect((await restWithToken(server, token, 'profile')).status).toBe(200);
    const out = await appApi(server.httpUrl, 'logout', {}, { cookie });
    expect([out.status, out.body]).toEqual([200, { result: true }]);
    expect(out.headers.get('set-cookie')).toBe('salestrace_session=; Path=/app/; Max-Age=0; HttpOnly; SameSite=Strict');
    const after = await restWithToken(server, token, 'profile');
    expect([after.status, after.body.error]).toEqual([401, 'invalid_token']);
    expect(await appApi(server.httpUrl, 'token', {}, { cookie })).toMatchObject({ status: 401, body: { error: 'NO_SESSION' } });
    expect(await rowsOf(server, 'dashboard_sessions')).not.toContainEqual(expect.objectContaining({ session_hash: hashSecret(cookie) }));
  });

  it('expire after ten minutes, and the session after eight hours', async () => {
    const cookie = await sessionOf(server, 'admin', ADMIN_PASSWORD);
    const token = (await appApi(server.httpUrl, 'token', {}, { cookie })).body.access_token;
    clock.advance(600_000);
    const stale = await restWithToken(server, token, 'profile');
    expect([stale.status, stale.body.error]).toEqual([401, 'expired_token']);
    const next = await appApi(server.httpUrl, 'token', {}, { cookie });
    expect(next.status).toBe(200);
    clock.advance(8 * 3600_000 - 600_000 - 60_000);
    // The last token of a session ends with it.
    const last = await appApi(server.httpUrl, 'token', {}, { cookie });
    expect(last.body.expires_in).toBe(60);
    clock.advance(60_000);
    expect((await restWithToken(server, last.body.access_token, 'profile')).body.error).toBe('expired_token');
    expect(await appApi(server.httpUrl, 'token', {}, { cookie })).toMatchObject({ status: 401, body: { error: 'NO_SESSION' } });
  });

  it('stop when the user is deactivated', async () => {
    const user = await userWithGrants(server, null);
    await withPassword(server, user.id, 'soon inactive');
    const login = await loginOf(server, user.id);
    const cookie = await sessionOf(server, login, 'soon inactive');
    const token = (await appApi(server.httpUrl, 'token', {}, { cookie })).body.access_token;
    await server.services.db.updateTable('users').set({ active: 0 }).where('id', '=', user.id).execute();
    expect((await restWithToken(server, token, 'profile')).body.error).toBe('authorization_error');
    expect(await appApi(server.httpUrl, 'token', {}, { cookie })).toMatchObject({ status: 403, body: { error: 'USER_INACTIVE' } });
  });
});

describe('--require-https', () => {
  it('refuses sign-in over plain HTTP and allows it over HTTPS', async () => {
    const strict = await startTestServer({ config: { requireHttps: true } });
    try {
      await withPassword(strict, 1, ADMIN_PASSWORD);
      const plain = await appApi(strict.httpUrl, 'login', { login: 'admin', password: ADMIN_PASSWORD });
      expect([plain.status, plain.body, plain.cookie]).toEqual([400, { error: 'HTTPS_REQUIRED' }, undefined]);
      expect((await appApi(strict.httpsUrl, 'login', { login: 'admin', password: ADMIN_PASSWORD })).status).toBe(200);
    } finally {
      await strict.close();
    }
  });
});

describe('failed sign-ins', () => {
  it('are limited per client: ten at once, then one every six seconds', async () => {
    const limitedServer = await startTestServer({ manualClock: true });
    try {
      await withPassword(limitedServer, 1, ADMIN_PASSWORD);
      for (let i = 0; i < 10; i++) {
        expect((await appApi(limitedServer.httpUrl, 'login', { login: 'admin', password: `wrong ${i}` })).status).toBe(401);
      }
      // Even the right password waits now.
      const held = await appApi(limitedServer.httpUrl, 'login', { login: 'admin', password: ADMIN_PASSWORD });
      expect([held.status, held.body, held.headers.get('retry-after'), held.cookie]).toEqual([429, { error: 'TOO_MANY_ATTEMPTS' }, '6', undefined]);
      (limitedServer.clock as ManualClock).advance(6000);
      expect((await appApi(limitedServer.httpUrl, 'login', { login: 'admin', password: ADMIN_PASSWORD })).status).toBe(200);
    } finally {
      await limitedServer.close();
    }
  });
});
