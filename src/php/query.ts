// PHP `parse_str` for query strings and form bodies (rest-protocol.md §1.3, clients.md §8.2).
//
// qs was tried first and rejected for this job: it compacts sparse lists (`a[1]=y` → ['y']),
// turns repeated `a[][]=` into one list instead of one list per pair, and differs on top-level
// name mangling. Bitrix clients rely on PHP's exact shapes (batch `cmd[5]=…` keeps key 5), so
// the rules are implemented here directly, each one as PHP's main/php_variables.c applies it.
import { restError } from '../rest/errors.js';

export interface QueryLimits {
  /** PHP max_input_nesting_level. */
  readonly maxDepth: number;
  /** PHP max_input_vars. */
  readonly maxVars: number;
}

export const PHP_QUERY_LIMITS: QueryLimits = { maxDepth: 64, maxVars: 1000 };

export type PhpMap = Record<string, unknown>;

export function newPhpMap(): PhpMap {
  return Object.create(null) as PhpMap;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
// eslint-disable-next-line no-control-regex
const NOT_ASCII = /[^\x00-\x7f]/;
const PLUS = /\+/g;

function hexValue(byte: number): number {
  if (byte >= 0x30 && byte <= 0x39) return byte - 0x30;
  if (byte >= 0x41 && byte <= 0x46) return byte - 0x37;
  if (byte >= 0x61 && byte <= 0x66) return byte - 0x57;
  return -1;
}

/**
 * PHP `urldecode`: `+` is a space, `%XX` a byte, a malformed `%` stays literal. The bytes must
 * form valid UTF-8, otherwise the request gets WRONG_ENCODING as Bitrix answers it. One loop
 * over the bytes: a body may be megabytes of `+` or `%`, and a regular-expression replace
 * costs far more per match than this costs per byte.
 */
export function phpUrlDecode(text: string): string {
  if (!text.includes('%') && !text.includes('+')) return text;
  // ASCII text (every query string, most form values) goes through the engine's own decoder: it
  // decodes exactly as the loop below wherever it succeeds (every `%` followed by two hex digits,
  // the bytes valid UTF-8), and throws on anything else, which the loop then decides.
  if (!NOT_ASCII.test(text)) {
    try {
      return decodeURIComponent(text.includes('+') ? text.replace(PLUS, ' ') : text);
    } catch {
      // A malformed `%` (kept literally) or bytes that are not UTF-8 (WRONG_ENCODING): below.
    }
  }
  const source = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(source.length);
  let length = 0;
  for (let i = 0; i < source.length; i++) {
    const byte = source[i];
    if (byte === 0x2b) {
      out[length++] = 0x20;
    } else if (byte === 0x25 && i + 2 < source.length && hexValue(source[i + 1]) !== -1 && hexValue(source[i + 2]) !== -1) {
      out[length++] = hexValue(source[i + 1]) * 16 + hexValue(source[i + 2]);
      i += 2;
    } else {
      out[length++] = byte;
    }
  }
  try {
    return utf8.decode(out.subarray(0, length));
  } catch {
    throw restError('WRONG_ENCODING');
  }
}

/**
 * `text` with every space and `.` (and `[` if asked) replaced by `_`, as PHP mangles variable names. A
 * character loop, not a regular expression: a name may be megabytes of `[` or `.`.
 */
function underscoreChars(text: string, mangleBracket: boolean): string {
  const mangled = (code: number) => code === 0x20 || code === 0x2e || (mangleBracket && code === 0x5b);
  let first = 0;
  while (first < text.length && !mangled(text.charCodeAt(first))) first++;
  if (first === text.length) return text;
  const codes = new Uint16Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    codes[i] = mangled(code) ? 0x5f : code;
  }
  let out = '';
  for (let i = 0; i < codes.length; i += 8192) out += String.fromCharCode(...codes.subarray(i, i + 8192));
  return out;
}

const nextIndex = new WeakMap<PhpMap, number>();

function isIntegerKey(key: string): boolean {
  return /^(0|-?[1-9]\d{0,17})$/.test(key);
}

/** Index for `[]`: one past the largest integer key, as PHP's nNextFreeElement. */
function appendKey(map: PhpMap): string {
  let next = nextIndex.get(map);
  if (next === undefined) {
    next = 0;
    for (const key of Object.keys(map)) {
      if (isIntegerKey(key)) next = Math.max(next, Number(key) + 1);
    }
  }
  nextIndex.set(map, next + 1);
  return String(next);
}

function noteKey(map: PhpMap, key: string): void {
  if (!isIntegerKey(key)) return;
  const next = nextIndex.get(map);
  if (next !== undefined && Number(key) + 1 > next) nextIndex.set(map, Number(key) + 1);
}

/** C `isspace()`: PHP lets one such character stand for an empty index (`a[ ]` appends). */
function isCSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\v' || ch === '\f' || ch === '\r';
}

/**
 * Splits a decoded variable name into its base and bracket indexes the way PHP 8's
 * php_register_variable_ex does: `a[b][]` → ['a', 'b', null]; `a.b` → ['a_b'];
 * `a[b.c` → ['a_b_c'] (an unclosed first bracket folds into the name); `a[b]x[c]` → ['a', 'b']
 * (anything after a closing bracket that is not `[` is ignored). A NUL ends the name, as in C.
 * Returns null when PHP would drop the variable (empty base name).
 */
function splitName(rawName: string): (string | null)[] | null {
  const nul = rawName.indexOf('\0');
  const name = nul === -1 ? rawName : rawName.slice(0, nul);
  let start = 0;
  while (start < name.length && name[start] === ' ') start++;
  const open = name.indexOf('[', start);
  let base = underscoreChars(open === -1 ? name.slice(start) : name.slice(start, open), false);
  const path: (string | null)[] = [];
  if (open !== -1) {
    let pos = open;
    while (pos < name.length && name[pos] === '[') {
      let scan = pos + 1;
      if (isCSpace(name[scan])) scan++;
      if (name[scan] === ']') {
        path.push(null);
        pos = scan + 1;
        continue;
      }
      const close = name.indexOf(']', scan);
      if (close === -1) {
        // Only an unclosed bracket right after the base name is folded into it; a later one
        // just ends the path.
        if (path.length === 0) base = base + '_' + underscoreChars(name.slice(pos + 1), true);
        break;
      }
      path.push(name.slice(pos + 1, close));
      pos = close + 1;
    }
  }
  if (base === '') return null;
  return [base, ...path];
}

/** The top-level name PHP files a decoded variable name under (`a.b[c]` → `a_b`); null when it drops it. */
export function phpBaseName(rawName: string): string | null {
  return splitName(rawName)?.[0] ?? null;
}

/** Adds one `name=value` pair to `target` with PHP's array-building rules. */
export function registerVariable(target: PhpMap, rawName: string, value: string, limits: QueryLimits): void {
  const parts = splitName(rawName);
  if (parts === null) return;
  if (parts.length - 1 > limits.maxDepth) {
    throw restError('NESTING_TOO_DEEP', { limit: limits.maxDepth });
  }
  let node = target;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i];
    const key = part === null ? appendKey(node) : part;
    if (part !== null) noteKey(node, key);
    if (i === parts.length - 1) {
      node[key] = value;
      return;
    }
    const existing = node[key];
    if (typeof existing === 'object' && existing !== null) {
      node = existing as PhpMap;
    } else {
      const child = newPhpMap();
      node[key] = child;
      node = child;
    }
  }
}

/** PHP `parse_str($text, $result)`. */
export function parsePhpQuery(text: string, limits: QueryLimits = PHP_QUERY_LIMITS): PhpMap {
  const result = newPhpMap();
  if (text === '') return result;
  let count = 0;
  // indexOf rather than split: a body of megabytes of `&` would be millions of strings at once.
  for (let from = 0; from <= text.length; ) {
    while (text.charCodeAt(from) === 0x26) from++;
    if (from >= text.length) break;
    let amp = text.indexOf('&', from);
    if (amp === -1) amp = text.length;
    const pair = text.slice(from, amp);
    from = amp + 1;
    if (pair === '') continue;
    count++;
    if (count > limits.maxVars) throw restError('TOO_MANY_PARAMETERS', { limit: limits.maxVars });
    const eq = pair.indexOf('=');
    const name = phpUrlDecode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : phpUrlDecode(pair.slice(eq + 1));
    registerVariable(result, name, value, limits);
  }
  return result;
}

/** Builds a PHP map from already-decoded name/value pairs (multipart fields). */
export function parsePhpPairs(pairs: Iterable<[string, string]>, limits: QueryLimits = PHP_QUERY_LIMITS): PhpMap {
  const result = newPhpMap();
  let count = 0;
  for (const [name, value] of pairs) {
    count++;
    if (count > limits.maxVars) throw restError('TOO_MANY_PARAMETERS', { limit: limits.maxVars });
    registerVariable(result, name, value, limits);
  }
  return result;
}
