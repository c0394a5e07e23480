// Property-based tests of the parameter decoder (rest/params.ts, php/query.ts): any input
// ends as parameters or a RestError (never another exception, never prototype pollution), and
// every encoding carries PHP arrays through unchanged.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RestError } from '../../src/rest/errors.js';
import { decodeRequestParams, type ParamLimits } from '../../src/rest/params.js';
import { parsePhpQuery } from '../../src/php/query.js';
import { adversarialBodies, adversarialBody } from './adversarial.js';
import { formEncode, formPairs, fuzzRuns, multipartBody, rawRequest } from './arbitraries.js';

const LIMITS: ParamLimits = { maxDepth: 64, maxVars: 1000, maxJsonValues: 10_000 };

/** Keys PHP keeps as they are (no `.`/space mangling, no brackets). */
const plainKey = fc.oneof(fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,7}$/), fc.integer({ min: 0, max: 99 }).map(String));
const plainLeaf = fc.oneof(fc.string({ unit: 'grapheme', maxLength: 12 }), fc.integer(), fc.boolean());
const plainTree: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', maxDepth: 4 },
    plainLeaf,
    fc.array(tie('node'), { maxLength: 4 }),
    fc.dictionary(plainKey, tie('node'), { maxKeys: 4 }),
  ),
})).node;
const plainParams = fc.dictionary(plainKey, plainTree, { maxKeys: 5 });

/** What PHP's parse_str gives back for a form-encoded value: strings, maps, no empty arrays. */
function asFormDecoded(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return String(value);
  const out: Record<string, unknown> = {};
  const entries = Array.isArray(value) ? value.map((v, i) => [String(i), v] as const) : Object.entries(value);
  for (const [key, child] of entries) {
    const decoded = asFormDecoded(child);
    if (typeof decoded === 'object' && Object.keys(decoded as object).length === 0) continue;
    out[key] = decoded;
  }
  return out;
}

/** PHP array_merge($_GET, $_POST) renumbers integer top-level keys (rest-protocol.md §1.3). */
function mergedTopLevel(value: unknown): unknown {
  const out: Record<string, unknown> = {};
  let next = 0;
  for (const [key, child] of Object.entries(value as Record<string, unknown>)) out[/^(0|[1-9]\d*)$/.test(key) ? String(next++) : key] = child;
  return out;
}

function plain(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function decode(method: string, query: string, contentType: string | undefined, body: Buffer | undefined) {
  return decodeRequestParams({ httpMethod: method, query, contentType, body }, LIMITS);
}

describe('any input', () => {
  it('ends as a parameter map or a RestError, and never pollutes Object.prototype', async () => {
    await fc.assert(
      fc.asyncProperty(rawRequest, async (raw) => {
        try {
          const params = await decode(raw.method, raw.query, raw.contentType, raw.body);
          expect(typeof params).toBe('object');
        } catch (error) {
          expect(error).toBeInstanceOf(RestError);
          expect((error as RestError).status).toBeLessThan(500);
        }
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.prototype.hasOwnProperty.call(Object.prototype, 'x')).toBe(false);
      }),
      { numRuns: fuzzRuns(2000) },
    );
  });

  it('drops a multipart field without a name, as PHP does', async () => {
    const boundary = 'b0undary';
    const body = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name=""\r\n\r\n0\r\n--${boundary}\r\nContent-Disposition: form-data; name="a"\r\n\r\n1\r\n--${boundary}--\r\n`);
    expect(plain(await decode('POST', '', `multipart/form-data; boundary=${boundary}`, body))).toEqual({ a: '1' });
  });

  it('keeps prototype names as plain keys', async () => {
    const params = await decode('POST', '__proto__[polluted]=1&constructor[prototype][x]=2', 'application/json', Buffer.from('{"__proto__":{"polluted":3}}'));
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(plain(params.constructor)).toEqual({ prototype: { x: '2' } });
    expect(Object.keys(params).sort()).toEqual(['__proto__', 'constructor']);
  });
});

describe('round trips', () => {
  it('form and query (PHP bracket syntax) decode to what was encoded, as strings', async () => {
    await fc.assert(
      fc.asyncProperty(plainParams, async (params) => {
        const expected = asFormDecoded(params);
        expect(plain(parsePhpQuery(formEncode(params), LIMITS))).toEqual(expected);
        const form = await decode('POST', '', 'application/x-www-form-urlencoded', Buffer.from(formEncode(params)));
        expect(plain(form)).toEqual(mergedTopLevel(expected));
      }),
      { numRuns: fuzzRuns(1500) },
    );
  });

  it('multipart/form-data decodes like the same form', async () => {
    await fc.assert(
      fc.asyncProperty(plainParams, async (params) => {
        const { body, type } = multipartBody(formPairs(params));
        expect(plain(await decode('POST', '', type, body))).toEqual(mergedTopLevel(asFormDecoded(params)));
      }),
      { numRuns: fuzzRuns(500) },
    );
  });

  it('JSON keeps native types and nesting (top-level integer keys renumbered, as the component array_merge does)', async () => {
    await fc.assert(
      fc.asyncProperty(plainParams, async (params) => {
        const decoded = await decode('POST', '', 'application/json', Buffer.from(JSON.stringify(params)));
        expect(plain(decoded)).toEqual(mergedTopLevel(plain(params)));
      }),
      { numRuns: fuzzRuns(1000) },
    );
  });

  it('a JSON body wins over the query per top-level key (array_replace)', async () => {
    await fc.assert(
      fc.asyncProperty(plainParams, plainParams, async (fromQuery, fromBody) => {
        const decoded = plain(await decode('POST', formEncode(fromQuery), 'application/json', Buffer.from(JSON.stringify(fromBody)))) as Record<string, unknown>;
        const query = asFormDecoded(fromQuery) as Record<string, unknown>;
        const body = plain(fromBody) as Record<string, unknown>;
        // array_replace keeps the query's key order and lets the body win, then the component's
        // array_merge renumbers integer keys.
        const replaced: Record<string, unknown> = { ...query };
        for (const key of Object.keys(body)) replaced[key] = body[key];
        expect(decoded).toEqual(mergedTopLevel(replaced));
      }),
      { numRuns: fuzzRuns(500) },
    );
  });
});

describe('adversarial input (issue 18)', () => {
  /** A linear decoder takes milliseconds for these sizes; a quadratic scan took minutes. */
  const BOUND_MS = 2000;

  function decodeTimed(contentType: string, body: Buffer | string, query = ''): number {
    const started = performance.now();
    try {
      decode('POST', query, contentType, Buffer.isBuffer(body) ? body : Buffer.from(body, 'utf8'));
    } catch (error) {
      expect(error).toBeInstanceOf(RestError);
      expect((error as RestError).status).toBeLessThan(500);
    }
    return performance.now() - started;
  }

  it('decodes each 1 MB adversarial body in bounded time', () => {
    for (const { name, contentType, body } of adversarialBodies()) {
      expect(decodeTimed(contentType, body), name).toBeLessThan(BOUND_MS);
    }
  });

  it('decodes long runs of what the decoders scan for in bounded time, in every encoding', () => {
    fc.assert(
      fc.property(adversarialBody(1 << 15), ({ contentType, body }) => {
        expect(decodeTimed(contentType, body)).toBeLessThan(BOUND_MS);
      }),
      { numRuns: fuzzRuns(150) },
    );
  });
});
