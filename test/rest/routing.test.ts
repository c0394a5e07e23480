// URL forms and output formats (rest-protocol.md §1.1, §1.2, §1.6, §1.7, §2.4; clients.md §8.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser } from '../../src/auth/users.js';
import { addWebhook } from '../../src/auth/webhooks.js';
import { parseRestPath } from '../../src/rest/route.js';
import { callGet, callJson, request, startTestServer, type TestServer } from '../helpers/server.js';
import { rawRequest } from '../helpers/raw.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const SERVER_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/;
const METHOD_NOT_FOUND = { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' };

describe('webhook URL forms', () => {
  const paths = [
    'server.time',
    'server.time.json',
    'server.time/',
    'server.time.json/',
    'SERVER.Time',
    'Server.Time.JSON',
    '%73erver%2Etime', // b24jssdk encodeURIComponent()s the method
  ];
  it.each(paths)('/rest/1/{secret}/%s answers server.time in JSON', async (tail) => {
    const answer = await request(server.webhookUrl + tail);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.body.result).toMatch(SERVER_TIME);
  });

  it('collapses repeated slashes anywhere in the path (b24phpsdk, b24jssdk OAuth)', async () => {
    const port = server.running.httpPort;
    for (const path of [`//rest//1//${server.secret}//server.time//`, `/rest/1/${server.secret}//server.time/`]) {
      const answer = await rawRequest(port, `GET ${path} HTTP/1.1\r\nHost: x`);
      expect(answer.status, path).toBe(200);
      expect(answer.body.result).toMatch(SERVER_TIME);
    }
  });

  it('only a final .json/.xml is a format; any other tail stays part of the name', async () => {
    expect((await callJson(server, 'server.time.txt')).body).toEqual(METHOD_NOT_FOUND);
    expect((await callJson(server, 'server.time.json.json')).body).toEqual(METHOD_NOT_FOUND);
    expect((await callJson(server, 'server.json.time')).body).toEqual(METHOD_NOT_FOUND);
  });

  it('accepts GET and POST alike', async () => {
    const get = await callGet(server, 'salestrace.test.echo', 'a=1');
    const post = await callJson(server, 'salestrace.test.echo', { a: '1' });
    expect(get.body.result).toEqual({ params: { a: '1' }, start: 0 });
    expect(post.body.result).toEqual({ params: { a: '1' }, start: 0 });
  });
});

describe('token URL form', () => {
  it('/rest/{method} without credentials is NO_AUTH_FOUND (401)', async () => {
    for (const url of [`${server.httpUrl}/rest/server.time`, `${server.httpUrl}/rest//server.time.json/`]) {
      const answer = await request(url);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: 'NO_AUTH_FOUND', error_description: 'Wrong authorization data' });
    }
  });
});

describe('404 before authentication (§1.6)', () => {
  it('an unknown method is 404 even with a wrong secret, no secret or a bad token', async () => {
    const urls = [
      `${server.webhookUrl}no.such.method`,
      `${server.httpUrl}/rest/1/wrongsecret/no.such.method`,
      `${server.httpUrl}/rest/no.such.method`,
      `${server.httpUrl}/rest/no.such.method?auth=bad`,
    ];
    for (const url of urls) {
      const answer = await request(url, { method: 'POST' });
      expect(answer.status, url).toBe(404);
      expect(answer.body).toEqual(METHOD_NOT_FOUND);
    }
  });

  it('a known method with a wrong secret is INVALID_CREDENTIALS', async () => {
    const answer = await request(`${server.httpUrl}/rest/1/wrongsecret/server.time`);
    expect(answer.status).toBe(401);
    expect(answer.body).toEqual({ error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' });
  });

  it('paths no template matches are unknown methods: REST 3.0 /rest/api/…, two or four segments, /rest/', async () => {
    const paths = [
      `/rest/api/1/${server.secret}/server.time`,
      `/rest/api/server.time`,
      `/rest/1/${server.secret}`,
      `/rest/1/${server.secret}/server.time/extra`,
      `/rest/`,
      `/rest`,
    ];
    for (const path of paths) {
      const answer = await request(server.httpUrl + path);
      expect(answer.status, path).toBe(404);
      expect(answer.body).toEqual(METHOD_NOT_FOUND);
    }
  });

  it('REST 3.0 `/rest/api/{x}/{method}` is not a webhook, even when a user is called `api`', async () => {
    // Three segments look like /rest/{user}/{secret}/{method}; the `api` prefix must win.
    const now = server.clock.now() / 1000;
    const user = await addUser(server.services.db, { login: 'api' }, now);
    const code = 'api-user-webhook-code-1';
    await addWebhook(server.services.db, { userId: user.id, scopes: ['user'], code }, now);
    expect((await request(`${server.httpUrl}/rest/${user.id}/${code}/server.time`)).status).toBe(200);
    for (const path of [`/rest/api/${code}/server.time`, `/rest/API/${code}/server.time`, `/rest/api/1/server.time`, `/rest/api/${server.secret}/profile`]) {
      const answer = await request(server.httpUrl + path);
      expect(answer.status, path).toBe(404);
      expect(answer.body).toEqual(METHOD_NOT_FOUND);
    }
    expect(parseRestPath(`/rest/api/${code}/server.time`)).toEqual({ method: 'server.time', format: 'json', recognised: false });
    expect(parseRestPath(`/rest/apix/${code}/server.time`)).toEqual({
      method: 'server.time',
      format: 'json',
      recognised: true,
      webhook: { login: 'apix', secret: code },
    });
  });

  it('answers a path outside /rest/ with a JSON 404', async () => {
    for (const path of ['/', '/index.php', '/restx/server.time', '/REST/1/x/server.time']) {
      const answer = await request(server.httpUrl + path);
      expect(answer.status, path).toBe(404);
      expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(answer.body).toEqual({ error: 'NOT_FOUND', error_description: 'Not found: the REST API is served under /rest/' });
    }
  });
});

describe('XML output (§2.4)', () => {
  it('answers `.xml` with a <response> document, <item> for list entries', async () => {
    const answer = await request(`${server.webhookUrl}salestrace.test.echo.xml?a[]=x&a[]=y&b=1%262`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(answer.text).toMatch(
      /^<response><result><params><a><item>x<\/item><item>y<\/item><\/a><b>1&amp;2<\/b><\/params><start>0<\/start><\/result><time><start>\d+(\.\d+)?<\/start><finish>[\d.]+<\/finish><duration>[\d.]+<\/duration><processing>[\d.]+<\/processing><date_start>[^<]+<\/date_start><date_finish>[^<]+<\/date_finish><operating_reset_at>\d+<\/operating_reset_at><operating>[\d.]+<\/operating><\/time><\/response>$/,
    );
  });

  it('prints true as 1 and false / null as empty, like PHP', async () => {
    const answer = await request(`${server.webhookUrl}method.get.XML?name=server.time`);
    expect(answer.text).toMatch(/^<response><result><isExisting>1<\/isExisting><isAvailable>1<\/isAvailable><\/result><time>/);
    const missing = await request(`${server.webhookUrl}method.get.xml`);
    expect(missing.text).toMatch(/^<response><result><isExisting><\/isExisting><isAvailable><\/isAvailable><\/result>/);
  });

  it('sends errors as XML too, with the error status', async () => {
    const notFound = await request(`${server.webhookUrl}no.such.method.xml`);
    expect(notFound.status).toBe(404);
    expect(notFound.headers.get('content-type')).toBe('text/xml; charset=utf-8');
    expect(notFound.text).toBe('<response><error>ERROR_METHOD_NOT_FOUND</error><error_description>Method not found!</error_description></response>');
    const denied = await request(`${server.httpUrl}/rest/1/wrong/server.time.xml`);
    expect(denied.status).toBe(401);
    expect(denied.text).toBe('<response><error>INVALID_CREDENTIALS</error><error_description>Invalid request credentials</error_description></response>');
  });
});

describe('response headers and CORS (§1.7)', () => {
  it('sends the CORS and nosniff headers on success and on errors', async () => {
    for (const url of [`${server.webhookUrl}server.time`, `${server.webhookUrl}no.such.method`, `${server.httpUrl}/rest/server.time`]) {
      const answer = await request(url);
      expect(answer.headers.get('access-control-allow-origin'), url).toBe('*');
      expect(answer.headers.get('access-control-allow-headers')).toBe('origin, content-type, accept, authorization');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('answers an OPTIONS preflight with 200 and the CORS headers, before any authentication', async () => {
    const answer = await request(`${server.httpUrl}/rest/1/wrong/crm.lead.add`, {
      method: 'OPTIONS',
      headers: { origin: 'https://app.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(answer.status).toBe(200);
    expect(answer.text).toBe('');
    expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    expect(answer.headers.get('access-control-allow-methods')).toBe('GET, POST, OPTIONS');
    expect(answer.headers.get('access-control-allow-headers')).toBe('origin, content-type, accept, authorization');
  });

  it('serves an h2c upgrade request as a normal HTTP/1.1 call (b24phpsdk over http)', async () => {
    const answer = await rawRequest(
      server.running.httpPort,
      `GET ${server.webhookPath}server.time HTTP/1.1\r\nHost: x\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQCAAAAAAIAAAAA`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.result).toMatch(SERVER_TIME);
  });

  it('serves the same webhook over HTTPS', async () => {
    const answer = await request(`${server.webhookHttpsUrl}server.time`);
    expect(answer.status).toBe(200);
    expect(answer.body.result).toMatch(SERVER_TIME);
  });
});
