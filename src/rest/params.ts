// Turns one HTTP request into Bitrix's single parameter array, with the precedence of
// rest-protocol.md §1.3: query first, then a form body (PHP array_merge), then any other body
// (JSON or parse_str, PHP array_replace). Malformed JSON is silently no parameters, as in core.
import busboy from 'busboy';
import { Readable } from 'node:stream';
import { restError } from './errors.js';
import { newPhpMap, parsePhpPairs, parsePhpQuery, type PhpMap, type QueryLimits } from './phpQuery.js';

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

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw restError('WRONG_ENCODING');
  }
}

function mediaType(contentType: string | undefined): string {
  if (!contentType) return '';
  const semicolon = contentType.indexOf(';');
  return (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
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

/** A JSON body as core reads it: only an object or list counts, anything else is no params. */
function decodeJsonBody(body: Buffer, limits: ParamLimits): PhpMap {
  const text = decodeUtf8(body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return newPhpMap();
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

async function decodeMultipart(contentType: string, body: Buffer, limits: ParamLimits): Promise<PhpMap> {
  const fields: [string, string][] = [];
  await new Promise<void>((resolve) => {
    let parser: busboy.Busboy;
    try {
      // latin1 keeps the raw bytes, so invalid UTF-8 is caught below instead of becoming U+FFFD.
      parser = busboy({
        headers: { 'content-type': contentType },
        defCharset: 'latin1',
        defParamCharset: 'latin1',
        limits: { fields: limits.maxVars + 1, fieldSize: body.length + 1 },
      });
    } catch {
      resolve(); // A multipart type without a usable boundary carries no fields.
      return;
    }
    // busboy reports `name=""` as an undefined name; PHP drops such a field.
    parser.on('field', (name: string | undefined, value) => fields.push([name ?? '', value]));
    parser.on('file', (_name, stream) => stream.resume()); // Files never become parameters.
    parser.on('close', () => resolve());
    parser.on('error', () => resolve()); // A truncated form keeps the fields read so far.
    Readable.from([body]).pipe(parser);
  });
  const decoded = fields.map(
    ([name, value]): [string, string] => [
      decodeUtf8(Buffer.from(name, 'latin1')),
      decodeUtf8(Buffer.from(value, 'latin1')),
    ],
  );
  return parsePhpPairs(decoded, limits);
}

/** The query string of the URL, decoded with PHP rules (it may carry raw UTF-8 bytes). */
export function decodeQueryString(query: string, limits: ParamLimits): PhpMap {
  return parsePhpQuery(query, limits);
}

/**
 * All parameters of one request, merged in core's order. Throws RestError for input that is
 * not UTF-8, nested too deeply or has too many values.
 */
export async function decodeRequestParams(request: RawRequest, limits: ParamLimits): Promise<PhpMap> {
  const query = decodeQueryString(request.query, limits);
  const body = request.body;
  // Core reads a body only for POST (rest-protocol.md §1.2).
  if (request.httpMethod !== 'POST' || body === undefined || body.length === 0) return query;
  const type = mediaType(request.contentType);
  if (type === 'application/x-www-form-urlencoded') {
    const form = parsePhpQuery(decodeUtf8(body), limits);
    if (Object.keys(form).length > 0) return phpArrayMerge(query, form);
    return query;
  }
  if (type === 'multipart/form-data') {
    const form = await decodeMultipart(request.contentType ?? '', body, limits);
    if (Object.keys(form).length > 0) return phpArrayMerge(query, form);
    return query;
  }
  const raw = type === 'application/json' ? decodeJsonBody(body, limits) : parsePhpQuery(decodeUtf8(body), limits);
  return phpArrayReplace(query, raw);
}
