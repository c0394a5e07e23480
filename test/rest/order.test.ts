// Which error wins (rest-protocol.md §1.6) and what other HTTP verbs get.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type TestServer } from '../helpers/server.js';
import { rawRequest } from '../helpers/raw.js';

describe('processing order', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ config: { plan: 'standard', rateBurst: 2, rateDrain: 0.001 } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('decodes parameters (step 2) before the method lookup (step 4), and looks methods up before authenticating (step 5)', async () => {
    const wrongEncoding = await request(`${server.httpUrl}/rest/1/bad/no.such.method?a=%FF`);
    expect(wrongEncoding.status).toBe(400);
    expect(wrongEncoding.body.error).toBe('WRONG_ENCODING');
  });

  it('refuses over the request-rate limit first (step 1), whatever else is wrong', async () => {
    expect((await request(`${server.webhookUrl}server.time`)).status).toBe(200);
    const unknown = await request(`${server.httpUrl}/rest/1/bad/no.such.method?a=%FF`);
    expect(unknown.status).toBe(503);
    expect(unknown.body).toEqual({ error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
    expect((await request(`${server.webhookUrl}server.time`)).status).toBe(503);
  });
});

describe('HTTP verbs', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it('runs the method for any verb, as PHP would, reading the query only', async () => {
    for (const verb of ['DELETE', 'PATCH', 'PROPFIND', 'SEARCH']) {
      const answer = await rawRequest(
        server.running.httpPort,
        `${verb} ${server.webhookPath}salestrace.test.echo?q=1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3`,
        'b=2',
      );
      expect(answer.status, verb).toBe(200);
      expect(answer.body.result.params).toEqual({ q: '1' });
    }
  });

  it('answers an unrouted verb outside /rest/ with the JSON 404', async () => {
    const answer = await rawRequest(server.running.httpPort, 'PROPFIND /dav/ HTTP/1.1\r\nHost: x');
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({ error: 'NOT_FOUND', error_description: 'Not found: the REST API is served under /rest/' });
  });
});
