// fast-check generators for Bitrix-style parameters: PHP arrays of every shape, the names
// methods look for, PHP-ish scalars, and the encodings clients send them in.
import fc from 'fast-check';
import qs from 'qs';

/** Cases per property: a few thousand in all in `npm test`; FUZZ_RUNS=N runs N per property. */
export function fuzzRuns(base: number): number {
  const runs = Number(process.env.FUZZ_RUNS ?? '');
  return Number.isInteger(runs) && runs > 0 ? runs : base;
}

export const paramName = fc.oneof(
  fc.constantFrom(
    'ID', 'id', 'TITLE', 'NAME', 'fields', 'FIELDS', 'filter', 'FILTER', 'select', 'order', 'start', 'cmd', 'halt',
    'TRACE', 'ENTITIES', 'TYPE', 'entityTypeId', 'VALUE', 'params', 'full', 'scope', 'name', 'count', 'key', 'seconds',
    '0', '1', '-1', '>ID', '%TITLE', '=ID', '!ID', '@ID', '__proto__', 'constructor', 'prototype', 'toString',
    'auth', 'access_token', 'state', 'method', 'ap', 'aplogin', 'bx24_request_id', 'LOGIC', 'logic', 'useOriginalUfNames',
  ),
  fc.string({ maxLength: 10 }),
  fc.string({ unit: 'grapheme', maxLength: 6 }),
);

export const phpScalar = fc.oneof(
  fc.string({ maxLength: 24 }),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.integer(),
  fc.integer({ min: -3, max: 300 }),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom(
    '', '0', '1', 'Y', 'N', '-1', ' 12abc', '9999999999999999999999', '1e400', 'NaN', 'true', 'false', 'ASC', 'DESC',
    '$result[0]', '$result[a][ID]', '$result[x][0][y]', '$next[a]', '%', '%%', '%zz', '<script>', "' OR 1=1 --",
    'server.time', 'batch?cmd[0]=server.time', 'CONTACT', 'DEAL', 'LEAD', 'COMPANY', '2026-01-01T00:00:00+00:00',
    '{"url":"https://example.com/?utm_source=x"}', '{', '[]', '\u0000', '\uFFFF', 'a\r\nb',
  ),
);

export const phpValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', maxDepth: 5 },
    phpScalar,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(paramName, tie('value'), { maxKeys: 5 }),
  ),
})).value;

export const phpParams = fc.dictionary(paramName, phpValue, { maxKeys: 6 });

/**
 * An array where a method expects text. Query, form and multipart decoding turn it into a
 * null-prototype map, which String(), template literals and .trim() cannot take: the bug class
 * of `filter[LOGIC][0]=1`. (Empty arrays vanish in those encodings; JSON keeps them.)
 */
export const arrayForText: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>({ 0: '1' }, { x: 'OR' }, ['DESC'], { a: { b: 'c' } }, { 0: ['Y'] }, {}, []),
  fc.dictionary(paramName, phpScalar, { minKeys: 1, maxKeys: 3 }),
  fc.array(phpScalar, { minLength: 1, maxLength: 3 }),
);

export type Encoding = 'json' | 'form' | 'query' | 'multipart';
export const encoding = fc.constantFrom<Encoding>('json', 'json', 'form', 'query', 'multipart');

/** PHP bracket syntax, as CRest and the batch rows use it. */
export function formEncode(params: unknown): string {
  return qs.stringify(params, { allowDots: false, strictNullHandling: false });
}

/** The decoded `name=value` pairs of a form encoding, for multipart bodies. */
export function formPairs(params: unknown): [string, string][] {
  const text = formEncode(params);
  if (text === '') return [];
  return text.split('&').map((pair) => {
    const eq = pair.indexOf('=');
    const decode = (part: string) => decodeURIComponent(part.replace(/\+/g, ' '));
    return eq === -1 ? [decode(pair), ''] : [decode(pair.slice(0, eq)), decode(pair.slice(eq + 1))];
  });
}

export function multipartBody(pairs: [string, string][], boundary = 'fuzzBoundary7MA4YWxk'): { body: Buffer; type: string } {
  const parts = pairs.map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name.replace(/["\r\n]/g, '_')}"\r\n\r\n${value}\r\n`,
  );
  return { body: Buffer.from(parts.join('') + `--${boundary}--\r\n`, 'utf8'), type: `multipart/form-data; boundary=${boundary}` };
}

export interface EncodedRequest {
  readonly method: 'GET' | 'POST';
  readonly query: string;
  readonly contentType?: string;
  readonly body?: Buffer | string;
}

export function encodeParams(params: unknown, how: Encoding): EncodedRequest {
  switch (how) {
    case 'json':
      return { method: 'POST', query: '', contentType: 'application/json', body: JSON.stringify(params) };
    case 'form':
      return { method: 'POST', query: '', contentType: 'application/x-www-form-urlencoded', body: formEncode(params) };
    case 'query':
      return { method: 'GET', query: formEncode(params) };
    case 'multipart': {
      const { body, type } = multipartBody(formPairs(params));
      return { method: 'POST', query: '', contentType: type, body };
    }
  }
}

/**
 * Path text for the raw fuzzer: broken %-escapes, dots and slashes around real method names.
 * No piece spells `healthz`, `oauth` or `xml`, so every answer is a JSON envelope.
 */
export const pathJunk = fc
  .array(
    fc.constantFrom(
      '%', '%Z', '%ZZ', '%FF', '%FE', '%C3', '%C3%A9', '%E2%82', '%00', '%2F', '%25', '%2e', '.', '..', '/', '//', 'x', 'é',
      'rest', 'server.time', 'batch', 'profile', 'json', '.json', '1',
    ),
    { minLength: 1, maxLength: 8 },
  )
  .map((parts) => parts.join(''));

/** Where a raw request goes: the method's own URL, or junk after the webhook, after /rest/ or at the root. */
export const pathPlace = fc.constantFrom('method', 'method', 'webhook', 'rest', 'root');

/** Raw, often broken input for the decoder: any bytes, any content type, any query text. */
export const rawRequest = fc.record({
  method: fc.constantFrom<'GET' | 'POST'>('GET', 'POST', 'POST'),
  query: fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.string({ unit: 'binary', maxLength: 30 }).map((text) => encodeURIComponent(text)),
    fc.array(fc.constantFrom('a', '[', ']', '=', '&', '%', '%5B', '%5D', '%C3', '%28', '+', '.', ' ', '0', 'x', '%00', '%FF', '[]'), { maxLength: 40 }).map((parts) => parts.join('')),
  ),
  contentType: fc.oneof(
    fc.constantFrom(
      undefined, 'application/json', 'application/json; charset=utf-8', 'APPLICATION/JSON', 'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=fuzzBoundary7MA4YWxk', 'multipart/form-data', 'text/plain', 'application/xml', '',
    ),
    fc.string({ maxLength: 30 }),
  ),
  body: fc.oneof(
    fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
    fc.string({ unit: 'binary', maxLength: 100 }).map((text) => Buffer.from(text, 'utf8')),
    fc.json({ maxDepth: 6 }).map((text) => Buffer.from(text, 'utf8')),
    phpParams.map((params) => Buffer.from(formEncode(params), 'utf8')),
    phpParams.map((params) => multipartBody(formPairs(params)).body),
  ),
});
