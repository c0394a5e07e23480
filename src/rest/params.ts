// Turns one HTTP request into Bitrix's single parameter array, with the precedence of
// rest-protocol.md §1.3: query first, then a form body (PHP array_merge), then any other body
// (JSON or parse_str, PHP array_replace). Unlike PHP, input that is not UTF-8, nested too deeply
// or too large, and a JSON body that does not parse (core reads it as no parameters) are refused
// with an error (COMPATIBILITY.md, "Input Bitrix24 accepts silently", "Malformed JSON bodies").
import { restError } from './errors.js';
import { parseMultipartFields } from './multipart.js';
import { newPhpMap, parsePhpPairs, parsePhpQuery, type PhpMap, type QueryLimits } from '../php/query.js';

export interface ParamLimits extends QueryLimits {
  /** Most values (leaves) a JSON body may carry. */
  readonly maxJsonValues: number;
}

export interface RawRequest {
  readonly httpMethod: string;
  /** The query string without `?`, still percent-encoded. */
  readonly query: string;
  readonly contentType: string | undefined;
  readonly body: Buffer | undefined;
}

/** The parts of an HTTP request (Fastify's, structurally) that parameters come from. */
export interface HttpRequestParts {
  readonly method: string;
  readonly raw: { readonly url?: string };
  readonly headers: { readonly 'content-type'?: string };
  readonly body: unknown;
}

/** A request's method, query string (from the raw URL), content type and raw body buffer. */
export function rawRequestOf(request: HttpRequestParts): RawRequest {
  const url = request.raw.url ?? '';
  const question = url.indexOf('?');
  return {
    httpMethod: request.method,
    query: question === -1 ? '' : url.slice(question + 1),
    contentType: request.headers['content-type'],
    body: Buffer.isBuffer(request.body) ? request.body : undefined,
  };
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw restError('WRONG_ENCODING');
  }
}

/**
 * The media type as PHP's SAPI sees it when it decides whether to fill $_POST: cut at the first
 * `;`, `,` or space, lower-cased.
 */
function sapiMediaType(contentType: string | undefined): string {
  return (contentType ?? '').trim().split(/[;, ]/, 1)[0].toLowerCase();
}

/** The type core compares with `application/json`: everything before `;`, trimmed, case kept. */
function coreMediaType(contentType: string | undefined): string {
  const text = contentType ?? '';
  const semicolon = text.indexOf(';');
  return (semicolon === -1 ? text : text.slice(0, semicolon)).trim();
}

/** The characters PHP's `trim()` strips by default. */
function isPhpTrimmed(code: number): boolean {
  return code === 0x20 || code === 0x09 || code === 0x0a || code === 0x0d || code === 0x00 || code === 0x0b;
}

/**
 * PHP `trim()`: core trims a raw body before decoding it. An index scan from both ends: it runs
 * before authentication on bodies of up to the body limit, so it must stay linear (a regular
 * expression for the trailing run backtracks through every inner run of whitespace).
 */
export function phpTrim(text: string): string {
  let start = 0;
  let end = text.length;
  while (start < end && isPhpTrimmed(text.charCodeAt(start))) start++;
  while (end > start && isPhpTrimmed(text.charCodeAt(end - 1))) end--;
  return start === 0 && end === text.length ? text : text.slice(start, end);
}

function isIntegerKey(key: string): boolean {
  return /^(0|-?[1-9]\d{0,17})$/.test(key);
}

/** PHP `array_merge`: string keys from `later` replace, integer keys of both are renumbered. */
export function phpArrayMerge(first: PhpMap, later: PhpMap): PhpMap {
  const out = newPhpMap();
  let next = 0;
  for (const source of [first, later]) {
    for (const key of Object.keys(source)) {
      if (isIntegerKey(key)) out[String(next++)] = source[key];
      else out[key] = source[key];
    }
  }
  return out;
}

/** PHP `array_replace`: every key of `later` replaces or adds, no renumbering. */
export function phpArrayReplace(first: PhpMap, later: PhpMap): PhpMap {
  const out = newPhpMap();
  for (const key of Object.keys(first)) out[key] = first[key];
  for (const key of Object.keys(later)) out[key] = later[key];
  return out;
}

function checkJsonShape(value: unknown, limits: ParamLimits): void {
  let leaves = 0;
  const walk = (node: unknown, depth: number): void => {
    if (typeof node !== 'object' || node === null) {
      leaves++;
      if (leaves > limits.maxJsonValues) throw restError('TOO_MANY_PARAMETERS', { limit: limits.maxJsonValues });
      return;
    }
    if (depth > limits.maxDepth) throw restError('NESTING_TOO_DEEP', { limit: limits.maxDepth });
    for (const child of Array.isArray(node) ? node : Object.values(node)) walk(child, depth + 1);
  };
  walk(value, 0);
}

/**
 * A JSON body as core reads it: only an object or list counts, other JSON values are no params.
 * An empty (or whitespace-only) body is no params; one that does not parse is refused, where
 * core would silently run the method without parameters (a truncated crm.lead.add body would
 * create an empty lead).
 */
function decodeJsonBody(body: Buffer, limits: ParamLimits): PhpMap {
  const text = phpTrim(decodeUtf8(body));
  if (text === '') return newPhpMap();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw restError('INVALID_JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) return newPhpMap();
  checkJsonShape(parsed, limits);
  const out = newPhpMap();
  if (Array.isArray(parsed)) {
    parsed.forEach((value, index) => (out[String(index)] = value));
  } else {
    for (const [key, value] of Object.entries(parsed)) out[key] = value;
  }
  return out;
}

function decodeMultipart(contentType: string, body: Buffer, limits: ParamLimits): PhpMap {
  const fields = parseMultipartFields(contentType, body, limits.maxVars);
  return parsePhpPairs(
    fields.map(({ name, value }): [string, string] => [decodeUtf8(name), decodeUtf8(value)]),
    limits,
  );
}

/** The query string of the URL, decoded with PHP rules (it may carry raw UTF-8 bytes). */
export function decodeQueryString(query: string, limits: ParamLimits): PhpMap {
  return parsePhpQuery(query, limits);
}

/** What PHP puts into $_POST: only form and multipart bodies of a POST fill it. */
function decodePostFields(request: RawRequest, body: Buffer, limits: ParamLimits): PhpMap {
  const type = sapiMediaType(request.contentType);
  if (type === 'application/x-www-form-urlencoded') return parsePhpQuery(decodeUtf8(body), limits);
  if (type === 'multipart/form-data') return decodeMultipart(request.contentType ?? '', body, limits);
  return newPhpMap();
}

/** Core's fallback when $_POST is empty: the trimmed raw body as JSON or as a form string. */
function decodeRawBody(request: RawRequest, body: Buffer, limits: ParamLimits): PhpMap {
  if (sapiMediaType(request.contentType) === 'multipart/form-data') return newPhpMap(); // php://input is empty
  if (coreMediaType(request.contentType) === 'application/json') return decodeJsonBody(body, limits);
  const text = phpTrim(decodeUtf8(body));
  return text === '' ? newPhpMap() : parsePhpQuery(text, limits);
}

/**
 * All parameters of one request, merged in core's order. Throws RestError for input that is
 * not UTF-8, nested too deeply or has too many values.
 */
export function decodeRequestParams(request: RawRequest, limits: ParamLimits): PhpMap {
  const query = decodeQueryString(request.query, limits);
  const body = request.body;
  let params = query;
  // Core reads a body only for POST (rest-protocol.md §1.2).
  if (request.httpMethod === 'POST' && body !== undefined && body.length > 0) {
    const post = decodePostFields(request, body, limits);
    params =
      Object.keys(post).length > 0
        ? phpArrayMerge(query, post)
        : phpArrayReplace(query, decodeRawBody(request, body, limits));
  }
  // The rest.server component merges the path variables in with array_merge, which renumbers
  // integer keys once more (`?5=a` reaches the method as key 0).
  return phpArrayMerge(params, newPhpMap());
}
