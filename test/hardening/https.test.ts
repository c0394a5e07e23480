// `serve --require-https` (rest-protocol.md §8): webhooks over plain HTTP are refused with
// INVALID_REQUEST "Https required."; X-Forwarded-Proto counts only behind --trust-proxy.
import { B24Hook } from '@bitrix24/b24jssdk';
import { afterEach, describe, expect, it } from 'vitest';
import { callWithToken, createTestApp, grantTokens } from '../helpers/oauth.js';
import { callJson, request, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const HTTPS_REQUIRED = { error: 'INVALID_REQUEST', error_description: 'Https required.' };

function viaProxy(s: TestServer, proto: string) {
  return request(s.webhookUrl + 'server.time', { headers: { 'x-forwarded-proto': proto } });
}

describe('--require-https', () => {
  it('refuses webhook calls over HTTP with 401 and serves them over HTTPS (b24jssdk)', async () => {
    server = await startTestServer({ config: { requireHttps: true } });
    const plain = await callJson(server, 'server.time');
    expect(plain.status).toBe(401);
    expect(plain.body).toEqual(HTTPS_REQUIRED);
    const b24 = B24Hook.fromWebhookUrl(server.webhookHttpsUrl);
    const answer = await b24.actions.v2.call.make<string>({ method: 'server.time', params: {} });
    expect(answer.isSuccess).toBe(true);
  });

  it('checks HTTPS before the credentials, after the method lookup (§1.5, §1.6)', async () => {
    server = await startTestServer({ config: { requireHttps: true } });
    expect((await request(`${server.httpUrl}/rest/1/wrong-secret/server.time`)).body).toEqual(HTTPS_REQUIRED);
    expect((await request(`${server.httpUrl}/rest/1/wrong-secret/no.such.method`)).status).toBe(404);
  });

  it('ignores X-Forwarded-Proto unless --trust-proxy is set', async () => {
    server = await startTestServer({ config: { requireHttps: true } });
    expect((await viaProxy(server, 'https')).body).toEqual(HTTPS_REQUIRED);
    await server.close();
    server = await startTestServer({ config: { requireHttps: true, trustProxy: true } });
    expect((await viaProxy(server, 'https')).status).toBe(200);
    // Only the last entry counts: the one the nearest (trusted) proxy added.
    expect((await viaProxy(server, 'http, https')).status).toBe(200);
    expect((await viaProxy(server, 'https, http')).body).toEqual(HTTPS_REQUIRED);
    expect((await viaProxy(server, 'http')).body).toEqual(HTTPS_REQUIRED);
    expect((await request(server.webhookUrl + 'server.time')).body).toEqual(HTTPS_REQUIRED);
  });

  it('app tokens at /rest/ are not checked (core checks webhooks only), but secrets are never sent to the OAuth endpoints over HTTP', async () => {
    server = await startTestServer({ config: { requireHttps: true } });
    const app = await createTestApp(server, ['user']);
    const pair = await grantTokens(server, app.app.id);
    expect((await callWithToken(server, 'server.time', pair.accessToken)).status).toBe(200);

    const query = new URLSearchParams({ grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, refresh_token: pair.refreshToken });
    const plain = await request(`${server.httpUrl}/oauth/token/?${query}`);
    expect(plain.status).toBe(400);
    expect(plain.body).toEqual({ error: 'invalid_request', error_description: 'Https required.' });
    const secure = await request(`${server.httpsUrl}/oauth/token/?${query}`);
    expect(secure.status).toBe(200);
    expect(secure.body.server_endpoint).toBe(`${server.httpsUrl}/rest/`);

    const form = await request(`${server.httpUrl}/oauth/authorize/?client_id=${app.clientId}`);
    expect(form.status).toBe(400);
    expect(form.text).toContain('HTTPS required');
    expect((await request(`${server.httpsUrl}/oauth/authorize/?client_id=${app.clientId}`)).status).toBe(200);
  });

  it('is off by default: webhooks work over plain HTTP', async () => {
    server = await startTestServer();
    expect((await callJson(server, 'server.time')).status).toBe(200);
  });
});
