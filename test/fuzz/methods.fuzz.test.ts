// Property-based fuzzing of every REST method in the registry (so methods other modules add
// later are fuzzed too), over real HTTP with random parameters, encodings and credentials.
// Invariants: no 5xx, always a Bitrix envelope, the database unchanged after every error
// answer, and the server still answering at the end. Each property gets a server of its own
// and a time budget that suits the backend (budget.ts), so one cannot disturb the next.
import fc from 'fast-check';
import qs from 'qs';
import { describe, expect, it } from 'vitest';
import type { MethodInfo } from '../../src/rest/method.js';
import { dumpDatabase } from '../helpers/dbDump.js';
import { createTestApp, grantTokens } from '../helpers/oauth.js';
import { callJson, request, startTestServer, type TestServer } from '../helpers/server.js';
import { testMethods } from '../support/testMethods.js';
import { assertWellFormed } from '../helpers/xml.js';
import {
  arrayForText,
  encodeParams,
  encoding,
  formEncode,
  fuzzRuns,
  pathJunk,
  pathPlace,
  phpParams,
  rawRequest,
  type EncodedRequest,
  type Encoding,
} from './arbitraries.js';
import { adversarialBatch, adversarialBody } from './adversarial.js';
import { checkWithinBudget, fuzzBudget } from './budget.js';
import { FIXTURE_ITEMS_PER_TYPE, METHOD_SEEDS, TYPE_FIXTURES, allPaths, replaceAt, withSourceId, type ParamPath } from './methodParams.js';

const METHOD_RUNS = fuzzRuns(1500);
const RAW_RUNS = fuzzRuns(1000);
const ARRAY_RUNS = fuzzRuns(300);
const ADVERSARIAL_RUNS = fuzzRuns(100);
/** Each adversarial request is answered within this (the quadratic scans took minutes). */
const ADVERSARIAL_BOUND_MS = 5000;

/** One server under fuzzing: its methods, an OAuth token, and the database as the last success left it. */
interface Target {
  readonly server: TestServer;
  readonly methods: MethodInfo[];
  readonly accessToken: string;
  snapshot: string;
}

/** A fresh server for one property, checked to still answer afterwards and then closed. */
async function withTarget(run: (target: Target) => Promise<void>): Promise<void> {
  const server = await startTestServer();
  try {
    // Test-only fixtures (a method that fails on demand, one that sleeps) are not the product.
    const methods = server.services.registry.all().filter((method) => !testMethods.some((test) => test.name === method.name));
    const app = await createTestApp(server, ['crm', 'user']);
    const accessToken = (await grantTokens(server, app.app.id)).accessToken;
    await run({ server, methods, accessToken, snapshot: await dumpDatabase(server.services.db) });
    expect((await callJson(server, 'server.time')).status).toBe(200);
    expect((await request(`${server.httpUrl}/healthz`)).body.status).toBe('ok');
  } finally {
    await server.close();
  }
}

type Credential = 'webhook' | 'token' | 'bearer' | 'none' | 'bad-webhook' | 'bad-token';
const credential = fc.constantFrom<Credential>('webhook', 'webhook', 'webhook', 'token', 'bearer', 'none', 'bad-webhook', 'bad-token');
const suffix = fc.constantFrom('', '', '', '.json', '/', '.json/', '.xml');

function urlFor(target: Target, method: string, how: Credential, tail: string): string {
  const name = encodeURIComponent(method) + tail;
  switch (how) {
    case 'webhook':
      return target.server.webhookUrl + name;
    case 'bad-webhook':
      return `${target.server.httpUrl}/rest/1/notthesecret0/${name}`;
    default:
      return `${target.server.httpUrl}/rest/${name}`;
  }
}

function withCredential(target: Target, params: Record<string, unknown>, how: Credential): Record<string, unknown> {
  if (how === 'token') return { ...params, auth: target.accessToken };
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

/** The invariants every answer must meet. */
async function checkAnswer(target: Target, answer: Awaited<ReturnType<typeof request>>, xml: boolean): Promise<void> {
  expect(answer.status, answer.text.slice(0, 300)).toBeLessThan(500);
  if (xml) assertWellFormed(answer.text);
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
    expect(await dumpDatabase(target.server.services.db)).toBe(target.snapshot);
  } else {
    target.snapshot = await dumpDatabase(target.server.services.db);
  }
}

/** A batch command row: a known (or unknown) method and random parameters in PHP form syntax. */
const batchRow = fc
  .tuple(fc.oneof(fc.constantFrom('batch', 'no.such.method', ''), fc.constant(null)), phpParams, fc.boolean())
  .map(([fixed, params, withQuery]) => ({ fixed, params, withQuery }));

describe('every registered method', () => {
  it('is listed (the fuzzer sees methods added later)', async () => {
    await withTarget(async ({ methods }) => {
      expect(methods.map((m) => m.name)).toEqual(expect.arrayContaining(['batch', 'server.time', 'profile', 'app.info']));
    });
  });

  it('survives random parameters, encodings and credentials', async () => {
    await withTarget((target) =>
      checkWithinBudget(
        [fc.nat(), phpParams, encoding, credential, suffix, fc.array(batchRow, { maxLength: 6 }), fc.nat()],
        async (pick, params, how, who, tail, rows, rowPick) => {
          const { methods } = target;
          const method = methods[pick % methods.length];
          let body = params as Record<string, unknown>;
          if (method.name === 'batch' && rows.length > 0) {
            const cmd = rows.map(({ fixed, params: rowParams, withQuery }, i) => {
              const name = fixed ?? methods[(rowPick + i) % methods.length].name;
              return withQuery ? `${name}?${qs.stringify(rowParams)}` : name;
            });
            body = { ...params, cmd, halt: rowPick % 2 };
          }
          const encoded = encodeParams(withCredential(target, body, who), how);
          const headers: Record<string, string> = who === 'bearer' ? { authorization: `Bearer ${target.accessToken}` } : {};
          const answer = await send(urlFor(target, method.name, who, tail), encoded, headers);
          await checkAnswer(target, answer, tail.startsWith('.xml'));
        },
        METHOD_RUNS,
      ),
    );
  }, fuzzBudget(METHOD_RUNS).testTimeoutMs);

  it('survives raw, malformed requests to any method or path', async () => {
    await withTarget((target) =>
      checkWithinBudget(
        [fc.nat(), rawRequest, credential, pathPlace, pathJunk],
        async (pick, raw, who, place, junk) => {
          const { server, methods } = target;
          const method = methods[pick % methods.length];
          const url = {
            method: () => urlFor(target, method.name, who, ''),
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
          await checkAnswer(target, answer, false);
        },
        RAW_RUNS,
      ),
    );
  }, fuzzBudget(RAW_RUNS).testTimeoutMs);

  it('answers adversarial bodies and self-referencing batches quickly (issue 18)', async () => {
    await withTarget((target) =>
      checkWithinBudget(
        [fc.nat(), adversarialBody(1 << 14), credential, adversarialBatch, fc.boolean()],
        async (pick, adversarial, who, cmd, asBatch) => {
          const method = asBatch ? 'batch' : target.methods[pick % target.methods.length].name;
          const encoded: EncodedRequest = asBatch
            ? { method: 'POST', query: '', contentType: 'application/json', body: JSON.stringify({ cmd }) }
            : { method: 'POST', query: '', contentType: adversarial.contentType, body: adversarial.body };
          const started = performance.now();
          // A batch goes through the webhook, so that its rows run.
          const answer = await send(urlFor(target, method, asBatch ? 'webhook' : who, ''), encoded);
          expect(performance.now() - started, method).toBeLessThan(ADVERSARIAL_BOUND_MS);
          await checkAnswer(target, answer, false);
        },
        ADVERSARIAL_RUNS,
      ),
    );
  }, fuzzBudget(ADVERSARIAL_RUNS).testTimeoutMs);
});

/** Items, a phone, a bound trace and a custom source for the seeds to work on; returns the source's ID. */
async function addFixtures(target: Target): Promise<number> {
  const call = async (method: string, params: Record<string, unknown>) => {
    const answer = await callJson(target.server, method, params);
    if (answer.status !== 200) throw new Error(`fixture ${method}: ${answer.text}`);
    return answer.body.result;
  };
  for (const { method, name } of TYPE_FIXTURES) {
    for (let i = 1; i <= FIXTURE_ITEMS_PER_TYPE; i++) {
      await call(`crm.${method}.add`, { fields: { [name]: `Item ${i}`, PHONE: [{ VALUE: `+1 555 010${i}` }] } });
    }
  }
  await call('crm.tracking.trace.add', { TRACE: '{"url":"https://example.com/?utm_source=google"}', ENTITIES: [{ TYPE: 'DEAL', ID: 2 }] });
  const sourceId = await call('salestrace.source.add', { fields: { NAME: 'Fixture source', UTM_SOURCE: ['fixture'] } });
  target.snapshot = await dumpDatabase(target.server.services.db);
  return Number(sourceId);
}

/** A batch answers 200 whatever its rows do: a row must not fail the way a 5xx would. */
function checkBatchRows(answer: Awaited<ReturnType<typeof request>>): void {
  for (const error of Object.values(answer.body?.result?.result_error ?? {}) as { error: string; error_description: string }[]) {
    expect([error.error, error.error_description], answer.text.slice(0, 300)).not.toEqual(['INTERNAL_SERVER_ERROR', 'Internal server error']);
    expect(error.error_description, answer.text.slice(0, 300)).not.toBe('SQL query error!');
  }
}

interface Mutation {
  readonly method: MethodInfo;
  readonly seed: Record<string, unknown>;
  readonly path: ParamPath;
}

/** Every (method, seed, path) of the seed catalogue, in registry order. */
function everyMutation(methods: MethodInfo[], sourceId: number): Mutation[] {
  return methods.flatMap((method) =>
    (METHOD_SEEDS[method.name] ?? []).flatMap((raw) => {
      const seed = withSourceId(raw, sourceId);
      return allPaths(seed).map((path) => ({ method, seed, path }));
    }),
  );
}

/** Sends `params` to the method directly, or as a batch row whose query holds them. */
async function sendMutation(target: Target, mutation: Mutation, params: Record<string, unknown>, how: Encoding, asRow: boolean) {
  const where = `${mutation.method.name} ${mutation.path.join('.')} (${asRow ? 'batch row' : how})`;
  const answer = asRow
    ? await send(urlFor(target, 'batch', 'webhook', ''), encodeParams({ cmd: { row: `${mutation.method.name}?${formEncode(params)}` } }, how))
    : await send(urlFor(target, mutation.method.name, 'webhook', ''), encodeParams(params, how));
  try {
    await checkAnswer(target, answer, false);
    if (asRow) checkBatchRows(answer);
  } catch (error) {
    throw new Error(`${where}: ${(error as Error).message}`, { cause: error });
  }
}

describe('an array where text is expected', () => {
  it('every registered method has parameter seeds', async () => {
    await withTarget(async ({ methods }) => {
      expect(methods.map((m) => m.name).filter((name) => !(name in METHOD_SEEDS))).toEqual([]);
      for (const method of methods) expect(METHOD_SEEDS[method.name].length, method.name).toBeGreaterThan(0);
    });
  });

  // Every parameter of every method, once as a map sent directly (query, form or multipart: the
  // encodings that make null-prototype maps) and once as a batch row's reference to itself
  // (`$result[row]` finds the empty result map), the way filter[LOGIC] and order broke.
  const shapes: unknown[] = [{ 0: '1' }, { x: 'OR' }, ['DESC'], { a: { b: 'c' } }, { 0: ['Y'] }];
  const encodings: Encoding[] = ['query', 'form', 'multipart'];
  it('survives one in every parameter of every method', async () => {
    await withTarget(async (target) => {
      const mutations = everyMutation(target.methods, await addFixtures(target));
      expect(mutations.length).toBeGreaterThan(300);
      for (const [i, mutation] of mutations.entries()) {
        const { seed, path, method } = mutation;
        await sendMutation(target, mutation, replaceAt(seed, path, shapes[i % shapes.length]), encodings[i % encodings.length], false);
        if (method.batch !== false) await sendMutation(target, mutation, replaceAt(seed, path, '$result[row]'), 'json', true);
      }
    });
  }, 600_000);

  it('survives random arrays in random parameters, encodings and batch rows', async () => {
    await withTarget(async (target) => {
      const mutations = everyMutation(target.methods, await addFixtures(target));
      await checkWithinBudget(
        [fc.nat(), arrayForText, encoding, fc.boolean()],
        async (pick, replacement, how, asRow) => {
          const mutation = mutations[pick % mutations.length];
          const row = asRow && mutation.method.batch !== false;
          await sendMutation(target, mutation, replaceAt(mutation.seed, mutation.path, replacement), how, row);
        },
        ARRAY_RUNS,
      );
    });
  }, fuzzBudget(ARRAY_RUNS).testTimeoutMs);
});
