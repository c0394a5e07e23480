// Limits on what one request may carry, each answered with a JSON error at exactly the edge:
// body size, nesting depth and parameter count, for every encoding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callForm, callGet, callJson, request, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: { bodyLimitBytes: '4096' } });
});
afterAll(async () => {
  await server.close();
});

const TOO_DEEP = { error: 'NESTING_TOO_DEEP', error_description: 'Parameters are nested deeper than 64 levels' };
const TOO_MANY = (limit: number) => ({ error: 'TOO_MANY_PARAMETERS', error_description: `Too many parameters: the limit is ${limit}` });

function bracketName(levels: number): string {
  return 'a' + Array.from({ length: levels }, (_, i) => `[k${i}]`).join('');
}

function nestedJson(levels: number): unknown {
  let value: unknown = 'leaf';
  for (let i = levels - 1; i >= 0; i--) value = { [`k${i}`]: value };
  return { a: value };
}

function pairs(count: number): string {
  return Array.from({ length: count }, (_, i) => `p${i}=1`).join('&');
}

function multipart(count: number): { body: string; type: string } {
  const boundary = 'xXxBoundaryxXx';
  let body = '';
  for (let i = 0; i < count; i++) body += `--${boundary}\r\nContent-Disposition: form-data; name="p${i}"\r\n\r\n1\r\n`;
  return { body: body + `--${boundary}--\r\n`, type: `multipart/form-data; boundary=${boundary}` };
}

describe('body size (413)', () => {
  it('accepts a body of exactly the limit and refuses one byte more', async () => {
    const base = JSON.stringify({ pad: '' });
    const exact = JSON.stringify({ pad: 'x'.repeat(4096 - base.length) });
    expect(Buffer.byteLength(exact)).toBe(4096);
    const ok = await request(server.webhookUrl + 'server.time', { method: 'POST', headers: { 'content-type': 'application/json' }, body: exact });
    expect(ok.status).toBe(200);
    const over = await request(server.webhookUrl + 'server.time', { method: 'POST', headers: { 'content-type': 'application/json' }, body: exact + ' ' });
    expect(over.status).toBe(413);
    expect(over.body).toEqual({ error: 'REQUEST_TOO_LARGE', error_description: 'Request body is larger than 4096 bytes' });
  });

  it('refuses an oversized form body the same way', async () => {
    const over = await callForm(server, 'server.time', 'a=' + 'x'.repeat(5000));
    expect(over.status).toBe(413);
    expect(over.body.error).toBe('REQUEST_TOO_LARGE');
  });
});

describe('URL and header size (431)', () => {
  it('answers an over-long URL with JSON instead of dropping the connection', async () => {
    const long = await callGet(server, 'server.time', 'a=' + 'x'.repeat(20_000));
    expect(long.status).toBe(431);
    expect(long.body).toEqual({
      error: 'REQUEST_TOO_LARGE',
      error_description: 'The URL and headers are larger than 16384 bytes; send parameters in a POST body',
    });
  });
});

describe('nesting depth (PHP max_input_nesting_level 64)', () => {
  it('form and query: 64 bracket levels pass, 65 do not', async () => {
    const big = await startTestServer();
    try {
      expect((await callForm(big, 'server.time', `${bracketName(64)}=1`)).status).toBe(200);
      const form = await callForm(big, 'server.time', `${bracketName(65)}=1`);
      expect(form.status).toBe(400);
      expect(form.body).toEqual(TOO_DEEP);
      expect((await callGet(big, 'server.time', `${bracketName(64)}=1`)).status).toBe(200);
      expect((await callGet(big, 'server.time', `${bracketName(65)}=1`)).body).toEqual(TOO_DEEP);
      const appended = await callForm(big, 'server.time', 'a' + '[]'.repeat(20_000) + '=1');
      expect(appended.body).toEqual(TOO_DEEP);
    } finally {
      await big.close();
    }
  });

  it('JSON: the same depth passes, one more does not, and a very deep body does not overflow the stack', async () => {
    const big = await startTestServer();
    try {
      expect((await callJson(big, 'server.time', nestedJson(64))).status).toBe(200);
      const deep = await callJson(big, 'server.time', nestedJson(65));
      expect(deep.status).toBe(400);
      expect(deep.body).toEqual(TOO_DEEP);
      const brackets = '['.repeat(200_000) + ']'.repeat(200_000);
      const huge = await request(big.webhookUrl + 'server.time', { method: 'POST', headers: { 'content-type': 'application/json' }, body: brackets });
      expect(huge.status).toBe(400);
      expect(huge.body).toEqual(TOO_DEEP);
    } finally {
      await big.close();
    }
  });

  it('inside a batch row the row fails and the others run', async () => {
    const batch = await callJson(server, 'batch', { halt: 0, cmd: { deep: `server.time?${bracketName(65)}=1`, ok: 'server.time' } });
    expect(batch.status).toBe(200);
    expect(batch.body.result.result_error).toEqual({ deep: TOO_DEEP });
    expect(Object.keys(batch.body.result.result)).toEqual(['ok']);
  });
});

describe('parameter count (PHP max_input_vars 1000; 10000 values in JSON)', () => {
  let big: TestServer;
  beforeAll(async () => {
    big = await startTestServer();
  });
  afterAll(async () => {
    await big.close();
  });

  it('form, query and multipart: 1000 pass, 1001 do not', async () => {
    expect((await callForm(big, 'server.time', pairs(1000))).status).toBe(200);
    expect((await callForm(big, 'server.time', pairs(1001))).body).toEqual(TOO_MANY(1000));
    expect((await callGet(big, 'server.time', pairs(1000))).status).toBe(200);
    const query = await callGet(big, 'server.time', pairs(1001));
    expect(query.status).toBe(400);
    expect(query.body).toEqual(TOO_MANY(1000));
    for (const [count, status] of [[1000, 200], [1001, 400]] as const) {
      const { body, type } = multipart(count);
      const answer = await request(big.webhookUrl + 'server.time', { method: 'POST', headers: { 'content-type': type }, body });
      expect(answer.status).toBe(status);
      if (status === 400) expect(answer.body).toEqual(TOO_MANY(1000));
    }
  });

  it('JSON: 10000 values pass, 10001 do not', async () => {
    const values = (n: number) => ({ list: Array.from({ length: n }, (_, i) => i) });
    expect((await callJson(big, 'server.time', values(10_000))).status).toBe(200);
    const over = await callJson(big, 'server.time', values(10_001));
    expect(over.status).toBe(400);
    expect(over.body).toEqual(TOO_MANY(10_000));
  });

  it('the limits are configurable', async () => {
    const small = await startTestServer({ config: { maxParamVars: '3', maxParamDepth: '2' } });
    try {
      expect((await callForm(small, 'server.time', pairs(3))).status).toBe(200);
      expect((await callForm(small, 'server.time', pairs(4))).body).toEqual(TOO_MANY(3));
      expect((await callForm(small, 'server.time', 'a[b][c]=1')).status).toBe(200);
      expect((await callForm(small, 'server.time', 'a[b][c][d]=1')).body).toEqual({
        error: 'NESTING_TOO_DEEP',
        error_description: 'Parameters are nested deeper than 2 levels',
      });
    } finally {
      await small.close();
    }
  });
});
