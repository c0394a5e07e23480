// Where a request is going (rest-protocol.md §1.1, clients.md §8.1): `/rest/{method}` for
// tokens and `/rest/{user}/{secret}/{method}` for webhooks, after collapsing `//`, dropping one
// trailing `/`, lower-casing the method and stripping a `.json` / `.xml` format suffix.

export type OutputFormat = 'json' | 'xml';

export interface RestRoute {
  /** Lower-cased method name without the format suffix; '' when the path names none. */
  readonly method: string;
  readonly format: OutputFormat;
  /** Present for the webhook form. */
  readonly webhook?: { readonly login: string; readonly secret: string };
  /** False for shapes no template matches (REST 3.0 `/rest/api/…`, too many segments). */
  readonly recognised: boolean;
}

export const REST_PREFIX = '/rest/';

/** Collapses runs of `/`; most paths have none, and skip the regex. */
function collapseSlashes(path: string): string {
  return path.includes('//') ? path.replace(/\/{2,}/g, '/') : path;
}

export function isRestPath(path: string): boolean {
  const collapsed = collapseSlashes(path);
  return collapsed === '/rest' || collapsed.startsWith(REST_PREFIX);
}

/**
 * Node hands over the request target as latin1 text. Bytes outside ASCII are re-escaped as
 * `%XX`, so the decoders below see exactly the bytes the client sent: valid UTF-8 decodes,
 * anything else is caught (WRONG_ENCODING in parameters, an unknown method in the path).
 */
export function asciiRequestTarget(url: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(url)) return url;
  let out = '';
  for (const ch of url) {
    const code = ch.charCodeAt(0);
    out += code < 0x80 ? ch : `%${code.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function safeDecode(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

/** Splits off the format suffix after the last dot (`user.current.XML` → xml). */
export function normaliseMethodName(raw: string): { method: string; format: OutputFormat } {
  const lower = raw.toLowerCase();
  const dot = lower.lastIndexOf('.');
  if (dot !== -1) {
    const tail = lower.slice(dot + 1);
    if (tail === 'json' || tail === 'xml') return { method: lower.slice(0, dot), format: tail };
  }
  return { method: lower, format: 'json' };
}

/** A route from a name normalised by normaliseMethodName (built field by field: spreads are slow here). */
function routeOf(
  named: { method: string; format: OutputFormat },
  recognised: boolean,
  webhook?: { readonly login: string; readonly secret: string },
): RestRoute {
  return webhook ? { method: named.method, format: named.format, webhook, recognised } : { method: named.method, format: named.format, recognised };
}

/** Parses a path known to be under /rest/. */
export function parseRestPath(path: string): RestRoute {
  let collapsed = collapseSlashes(path);
  if (collapsed.length > 1 && collapsed.endsWith('/')) collapsed = collapsed.slice(0, -1);
  const rest = collapsed === '/rest' ? '' : collapsed.slice(REST_PREFIX.length);
  const segments = rest === '' ? [] : rest.split('/');
  const formatOf = (segment: string | undefined) => normaliseMethodName(safeDecode(segment ?? '') ?? '');

  if (segments.length === 1) {
    const decoded = safeDecode(segments[0]);
    if (decoded === null) return { method: '', format: 'json', recognised: false };
    return routeOf(normaliseMethodName(decoded), true);
  }
  if (segments.length === 3 && segments[0].toLowerCase() !== 'api') {
    const login = safeDecode(segments[0]);
    const secret = safeDecode(segments[1]);
    const method = safeDecode(segments[2]);
    if (login === null || secret === null || method === null) {
      return routeOf(formatOf(segments[segments.length - 1]), false);
    }
    return routeOf(normaliseMethodName(method), true, { login, secret });
  }
  return routeOf(formatOf(segments[segments.length - 1]), false);
}
