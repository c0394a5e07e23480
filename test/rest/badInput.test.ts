// Bad input (issue 2, item 11): every answer is a Bitrix-style JSON error or, where core ignores
// the input, a normal answer; never HTML, a stack trace, a hang or a crash.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callForm, callGet, callJson, request, startTestServer, type TestServer } from '../helpers/server.js';
import { rawRequest, sendBytes } from '../helpers/raw.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: { bodyLimitBytes: 64 * 1024, maxParamDepth: 8, maxParamVars: 100, maxJsonValues: 200 } });
});
afterAll(async () => {
  await server.close();
});

const ECHO = 'salestrace.test.echo';

async function stillServing(): Promise<void> {
  const answer = await callJson(server, 'server.time');
  expect(answer.status).toBe(200);
}

describe('malformed JSON', () => {
  it('is refused with 400 INVALID_JSON, where core would run the call without its parameters', async () => {
    for (const body of ['{"a":', '{a:1}', "{'a':1}", '[1,2', '{"a":1}}', 'not json', '\u0000x']) {
      const answer = await request(`${server.webhookUrl}${ECHO}?q=1`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      expect(answer.status, body).toBe(400);
      expect(answer.body, body).toEqual({ error: 'INVALID_JSON', error_description: 'Request body is not valid JSON' });
    }
  });
});

describe('oversized bodies', () => {
  const big = 'a='.padEnd(70 * 1024, 'x');
  const TOO_LARGE = { error: 'REQUEST_TOO_LARGE', error_description: 'Request body is larger than 65536 bytes' };

  it('answers 413 in JSON for a body over the limit, with and without Content-Length', async () => {
    const withLength = await callForm(server, ECHO, big);
    expect(withLength.status).toBe(413);
    expect(withLength.body).toEqual(TOO_LARGE);
    const chunks = [Buffer.from(big.slice(0, 40_000)), Buffer.from(big.slice(40_000))];
    const chunked = await rawRequest(
      server.running.httpPort,
      `POST ${server.webhookPath}${ECHO} HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked`,
      Buffer.concat([...chunks.flatMap((c) => [Buffer.from(`${c.length.toString(16)}\r\n`), c, Buffer.from('\r\n')]), Buffer.from('0\r\n\r\n')]),
    );
    expect(chunked.status).toBe(413);
    expect(chunked.body).toEqual(TOO_LARGE);
    await stillServing();
  });

  it('answers 413 in XML for an .xml call', async () => {
    const answer = await callForm(server, `${ECHO}.xml`, big);
    expect(answer.status).toBe(413);
    expect(answer.text).toBe('<response><error>REQUEST_TOO_LARGE</error><error_description>Request body is larger than 65536 bytes</error_description></response>');
  });
});

describe('nesting and parameter count limits', () => {
  const NESTED = { error: 'NESTING_TOO_DEEP', error_description: 'Parameters are nested deeper than 8 levels' };
  const TOO_MANY_FORM = { error: 'TOO_MANY_PARAMETERS', error_description: 'Too many parameters: the limit is 100' };

  it('refuses form and JSON parameters nested deeper than the limit, accepts the limit itself', async () => {
    const ok = await callGet(server, ECHO, `a${'[x]'.repeat(8)}=1`);
    expect(ok.status).toBe(200);
    const form = await callGet(server, ECHO, `a${'[x]'.repeat(9)}=1`);
    expect(form.status).toBe(400);
    expect(form.body).toEqual(NESTED);
    const json = await request(`${server.webhookUrl}${ECHO}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"a":' + '['.repeat(9) + '1' + ']'.repeat(9) + '}',
    });
    expect(json.status).toBe(400);
    expect(json.body).toEqual(NESTED);
  });

  it('answers JSON nested 30 000 levels deep with the nesting error, without exhausting the stack', async () => {
    const answer = await request(`${server.webhookUrl}${ECHO}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '['.repeat(30_000) + ']'.repeat(30_000),
    });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(NESTED);
    await stillServing();
  });

  it('refuses more parameters than the limit in the query, a form and JSON', async () => {
    const pairs = Array.from({ length: 101 }, (_, i) => `p${i}=1`).join('&');
    expect((await callGet(server, ECHO, Array.from({ length: 100 }, (_, i) => `p${i}=1`).join('&'))).status).toBe(200);
    const query = await callGet(server, ECHO, pairs);
    expect(query.status).toBe(400);
    expect(query.body).toEqual(TOO_MANY_FORM);
    expect((await callForm(server, ECHO, pairs)).body).toEqual(TOO_MANY_FORM);
    const json = await callJson(server, ECHO, { list: Array.from({ length: 201 }, () => 1) });
    expect(json.status).toBe(400);
    expect(json.body).toEqual({ error: 'TOO_MANY_PARAMETERS', error_description: 'Too many parameters: the limit is 200' });
  });
});

describe('a huge cmd', () => {
  it('answers thousands of rows with one error per row past 50, as JSON (default limits)', async () => {
    const roomy = await startTestServer();
    try {
      const rows = Array.from({ length: 5000 }, () => 'server.time');
      const answer = await callJson(roomy, 'batch', { cmd: rows });
      expect(answer.status).toBe(200);
      expect(answer.body.result.result).toHaveLength(50);
      expect(Object.keys(answer.body.result.result_error)).toHaveLength(4950);
      expect(answer.body.result.result_error['4999']).toEqual({ error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' });
    } finally {
      await roomy.close();
    }
  });

  it('refuses a cmd with more values than the parameter limit before running anything', async () => {
    const answer = await callJson(server, 'batch', { cmd: Array.from({ length: 201 }, () => 'salestrace.test.fail?key=crash') });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'TOO_MANY_PARAMETERS', error_description: 'Too many parameters: the limit is 200' });
  });

  it('runs a single very long row', async () => {
    const answer = await callJson(server, 'batch', { cmd: { long: `${ECHO}?text=${'y'.repeat(60_000)}` } });
    expect(answer.status).toBe(200);
    expect(answer.body.result.result.long.params.text).toHaveLength(60_000);
  });

  it('answers a row that breaks the parameter limits with a row error', async () => {
    const deepRow = `${ECHO}?a${'[x]'.repeat(9)}=1`;
    const answer = await callJson(server, 'batch', { cmd: { deep: deepRow, ok: 'server.time' } });
    expect(answer.status).toBe(200);
    expect(answer.body.result.result_error).toEqual({
      deep: { error: 'NESTING_TOO_DEEP', error_description: 'Parameters are nested deeper than 8 levels' },
    });
    expect(Object.keys(answer.body.result.result)).toEqual(['ok']);
  });
});

describe('malformed HTTP at the socket', () => {
  const BAD_REQUEST = { error: 'BAD_REQUEST', error_description: 'Malformed HTTP request' };
  const garbage: [string, string][] = [
    ['not HTTP at all', 'HELLO THERE\r\n\r\n'],
    ['a broken header line', 'GET /rest/server.time HTTP/1.1\r\nHost x\r\n\r\n'],
    ['a non-numeric Content-Length', 'POST /rest/server.time HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n'],
    ['two Content-Lengths', 'POST /rest/server.time HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab'],
    ['broken chunked framing', 'POST /rest/server.time HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n'],
  ];

  it.each(garbage)('answers %s with a JSON 400 and closes', async (_name, bytes) => {
    const answer = await sendBytes(server.running.httpPort, bytes);
    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.body).toEqual(BAD_REQUEST);
    await stillServing();
  });

  it('answers a verb the HTTP parser does not know with the JSON 400', async () => {
    const answer = await rawRequest(server.running.httpPort, `BREW ${server.webhookPath}server.time HTTP/1.1\r\nHost: x`);
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(BAD_REQUEST);
  });
});

describe('malformed percent-escapes in the path', () => {
  const METHOD_NOT_FOUND = { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' };
  const NOT_FOUND = { error: 'NOT_FOUND', error_description: 'Not found: the REST API is served under /rest/' };
  const BROKEN = ['%', '%ZZ', '%FF%FE', '%C3', 'server.time%'];

  function expectJsonError(answer: { status: number; headers: Record<string, string>; body: unknown }, status: number, body: unknown) {
    expect(answer.status).toBe(status);
    expect(answer.body).toEqual(body);
    expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(answer.headers['access-control-allow-origin']).toBe('*');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
  }

  it('answers a REST path that cannot be decoded as core would: 404 ERROR_METHOD_NOT_FOUND', async () => {
    const paths = [
      ...BROKEN.map((bad) => `${server.webhookPath}${bad}`),
      ...BROKEN.map((bad) => `/rest/${bad}`),
      `/rest/1/%ZZ/server.time`,
      `/rest/%FF/${server.secret}/server.time`,
      `/rest/1/${server.secret}/%FF%FE.json/`,
    ];
    for (const path of paths) {
      for (const verb of ['GET', 'POST']) {
        const answer = await rawRequest(server.running.httpPort, `${verb} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 0`);
        expectJsonError(answer, 404, METHOD_NOT_FOUND);
      }
    }
    await stillServing();
  });

  it('answers any other undecodable path with 404 NOT_FOUND', async () => {
    for (const path of ['/%', '/%ZZ', '/%FF%FE', '/healthz%', '/oauth/token/%ZZ', '/healthz%FF']) {
      expectJsonError(await rawRequest(server.running.httpPort, `GET ${path} HTTP/1.1\r\nHost: x`), 404, NOT_FOUND);
    }
  });

  it('answers the OPTIONS preflight of such a path as any other: 200 with the CORS headers', async () => {
    for (const path of ['/%', `${server.webhookPath}%FF%FE`, '/rest/%ZZ']) {
      const answer = await rawRequest(server.running.httpPort, `OPTIONS ${path} HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example`);
      expect(answer.status, path).toBe(200);
      expect(answer.text).toBe('');
      expect(answer.headers['access-control-allow-origin']).toBe('*');
      expect(answer.headers['access-control-allow-methods']).toBe('GET, POST, OPTIONS');
    }
  });

  it('counts such requests against the rate limit like any other REST call', async () => {
    const limited = await startTestServer({ manualClock: true, config: { plan: 'standard', rateBurst: 2 } });
    try {
      const send = () => rawRequest(limited.running.httpPort, `GET /rest/%ZZ HTTP/1.1\r\nHost: x`);
      expectJsonError(await send(), 404, METHOD_NOT_FOUND);
      expectJsonError(await send(), 404, METHOD_NOT_FOUND);
      const refused = await send();
      expectJsonError(refused, 503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
      expect(refused.headers['retry-after']).toBe('1');
    } finally {
      await limited.close();
    }
  });
});

describe('request targets and verbs outside the usual forms', () => {
  it('routes an absolute-form target (RFC 9112 §3.2.2) by its path', async () => {
    const target = `http://evil.example:81${server.webhookPath}server.time?x=1`;
    const answer = await rawRequest(server.running.httpPort, `GET ${target} HTTP/1.1\r\nHost: evil.example`);
    expect(answer.status).toBe(200);
    expect(answer.body.result).toEqual(expect.any(String));
    const health = await rawRequest(server.running.httpPort, `GET HTTPS://127.0.0.1/healthz HTTP/1.1\r\nHost: x`);
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    const root = await rawRequest(server.running.httpPort, `GET http://127.0.0.1 HTTP/1.1\r\nHost: x`);
    expect(root.status).toBe(404);
    expect(root.body).toEqual({ error: 'NOT_FOUND', error_description: 'Not found: the REST API is served under /rest/' });
  });

  it('answers CONNECT with the JSON 400 and closes', async () => {
    for (const target of ['127.0.0.1:22', 'example.com:443']) {
      const answer = await rawRequest(server.running.httpPort, `CONNECT ${target} HTTP/1.1\r\nHost: ${target}`);
      expect(answer.status).toBe(400);
      expect(answer.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(answer.headers['access-control-allow-origin']).toBe('*');
      expect(answer.body).toEqual({ error: 'BAD_REQUEST', error_description: 'Malformed HTTP request' });
    }
    await stillServing();
  });
});
