// Property-based fuzzing of every REST method in the registry (so methods other modules add
// later are fuzzed too), over real HTTP with random parameters, encodings and credentials.
// Invariants: no 5xx, always a Bitrix envelope, the database unchanged after every error
// answer, and the server still answering at the end.
import fc from 'fast-check';
import qs from 'qs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MethodDeclaration } from '../../src/rest/method.js';
import { dumpDatabase } from '../helpers/dbDump.js';
import { createTestApp, grantTokens } from '../helpers/oauth.js';
import { callJson, request, startTestServer, type TestServer } from '../helpers/server.js';
import { encodeParams, encoding, fuzzRuns, fuzzTimeoutMs, pathJunk, pathPlace, phpParams, rawRequest, type EncodedRequest } from './arbitraries.js';

const METHOD_RUNS = fuzzRuns(1500);
const RAW_RUNS = fuzzRuns(1000);

let server: TestServer;
let methods: MethodDeclaration[];
let accessToken: string;
let snapshot: string;

beforeAll(async () => {
  server = await startTestServer();
  // Test-only fixtures (a method that fails on demand, one that sleeps) are not the product.
  methods = server.services.registry.all().filter((method) => !method.testOnly);
  const app = await createTestApp(server, ['crm', 'user']);
  accessToken = (await grantTokens(server, app.app.id)).accessToken;
  snapshot = await dumpDatabase(server.services.db);
});
afterAll(async () => {
  await server.close();
});

type Credential = 'webhook' | 'token' | 'bearer' | 'none' | 'bad-webhook' | 'bad-token';
const credential = fc.constantFrom<Credential>('webhook', 'webhook', 'webhook', 'token', 'bearer', 'none', 'bad-webhook', 'bad-token');
const suffix = fc.constantFrom('', '', '', '.json', '/', '.json/', '.xml');

function urlFor(method: string, how: Credential, tail: string): string {
  const name = encodeURIComponent(method) + tail;
  switch (how) {
    case 'webhook':
      return server.webhookUrl + name;
    case 'bad-webhook':
      return `${server.httpUrl}/rest/1/notthesecret0/${name}`;
    default:
      return `${server.httpUrl}/rest/${name}`;
  }
}

function withCredential(params: Record<string, unknown>, how: Credential): Record<string, unknown> {
  if (how === 'token') return { ...params, auth: accessToken };
  if (how === 'bad-token') return { ...params, auth: 'not-a-token' };
  return params;
}

async function send(url: string, encoded: EncodedRequest, headers: Record<string, string> = {}) {
  const target = encoded.query ? `${url}?${encoded.query}` : url;
  const init: RequestInit = { method: encoded.method, headers: { ...headers } };
  if (encoded.contentType !== undefined) (init.headers as Record<string, string>)['content-type'] = encoded.contentType;
  if (encoded.body !== undefined && encoded.method === 'POST') init.body = encoded.body;
  return request(target, init);
}

/** The invariants every answer must meet; returns whether it was an error. */
async function checkAnswer(answer: Awaited<ReturnType<typeof request>>, xml: boolean): Promise<void> {
  expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(500);
  if (xml && answer.status === 200) {
    expect(answer.text.startsWith('<response>')).toBe(true);
  } else if (!xml) {
    expect(answer.body, answer.text.slice(0, 300)).toBeTypeOf('object');
    if (answer.status === 200 && 'result' in answer.body) expect(answer.body.time).toBeTypeOf('object');
    else expect([typeof answer.body.error, typeof answer.body.error_description], answer.text.slice(0, 300)).toEqual(['string', 'string']);
  }
  // Browser clients read an answer only with the CORS header, errors included.
  expect(answer.headers.get('access-control-allow-origin')).toBe('*');
  const isError = answer.status >= 400 || (!xml && answer.body && 'error' in answer.body && !('result' in answer.body));
  if (isError) {
    expect(await dumpDatabase(server.services.db)).toBe(snapshot);
  } else {
    snapshot = await dumpDatabase(server.services.db);
  }
}

/** A batch command row: a known (or unknown) method and random parameters in PHP form syntax. */
const batchRow = fc
  .tuple(fc.oneof(fc.constantFrom('batch', 'no.such.method', ''), fc.constant(null)), phpParams, fc.boolean())
  .map(([fixed, params, withQuery]) => ({ fixed, params, withQuery }));

describe('every registered method', () => {
  it('is listed (the fuzzer sees methods added later)', () => {
    expect(methods.map((m) => m.name)).toEqual(expect.arrayContaining(['batch', 'server.time', 'profile', 'app.info']));
  });

  it('survives random parameters, encodings and credentials', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        phpParams,
        encoding,
        credential,
        suffix,
        fc.array(batchRow, { maxLength: 6 }),
        fc.nat(),
        async (pick, params, how, who, tail, rows, rowPick) => {
          const method = methods[pick % methods.length];
          let body = params as Record<string, unknown>;
          if (method.name === 'batch' && rows.length > 0) {
            const cmd = rows.map(({ fixed, params: rowParams, withQuery }, i) => {
              const name = fixed ?? methods[(rowPick + i) % methods.length].name;
              return withQuery ? `${name}?${qs.stringify(rowParams)}` : name;
            });
            body = { ...params, cmd, halt: rowPick % 2 };
          }
          const encoded = encodeParams(withCredential(body, who), how);
          const headers: Record<string, string> = who === 'bearer' ? { authorization: `Bearer ${accessToken}` } : {};
          const answer = await send(urlFor(method.name, who, tail), encoded, headers);
          await checkAnswer(answer, tail.startsWith('.xml'));
        },
      ),
      { numRuns: METHOD_RUNS },
    );
  }, fuzzTimeoutMs(METHOD_RUNS));

  it('survives raw, malformed requests to any method or path', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), rawRequest, credential, pathPlace, pathJunk, async (pick, raw, who, place, junk) => {
        const method = methods[pick % methods.length];
        const url = {
          method: () => urlFor(method.name, who, ''),
          webhook: () => server.webhookUrl + junk,
          rest: () => `${server.httpUrl}/rest/${junk}`,
          // A leading `%` keeps junk from spelling a real route (/healthz, /oauth/…).
          root: () => `${server.httpUrl}/%${junk}`,
        }[place]();
        const answer = await send(url, {
          method: raw.method,
          query: raw.query.replace(/[#\s]/g, (c) => encodeURIComponent(c)),
          contentType: raw.contentType,
          body: raw.body,
        });
        await checkAnswer(answer, false);
      }),
      { numRuns: RAW_RUNS },
    );
  }, fuzzTimeoutMs(RAW_RUNS));

  it('still answers afterwards', async () => {
    const answer = await callJson(server, 'server.time');
    expect(answer.status).toBe(200);
    expect((await request(`${server.httpUrl}/healthz`)).body.status).toBe('ok');
  });
});
