// Encodes answers the way PHP's json_encode shapes Bitrix arrays (rest-protocol.md §2.3):
// an array whose keys are exactly 0..n-1 is a JSON list, any other array is an object, and an
// empty array is always `[]`. Floats that happen to be whole keep their `.0`, as PHP prints them.
// Escaping of `/` and non-ASCII is cosmetic and not reproduced (COMPATIBILITY.md).

/** A number that must be printed as a PHP float (`1.0`, never `1`). */
export class PhpFloat {
  constructor(readonly value: number) {}
}

/**
 * A PHP object without public properties (a Bitrix DateTime inside an array result, for one):
 * json_encode writes it as `{}`, where an empty PHP array is `[]`.
 */
export class PhpEmptyObject {}

export const PHP_EMPTY_OBJECT = Object.freeze(new PhpEmptyObject());

export function phpFloat(value: number): PhpFloat {
  return new PhpFloat(value);
}

export function formatPhpFloat(value: number): string {
  if (!Number.isFinite(value)) return '0';
  const text = String(value);
  // Only a whole number can need the `.0` (a fraction never prints without its point).
  if (!Number.isInteger(value)) return text;
  return text.includes('e') ? text : `${text}.0`;
}

/** True when an object's own keys are exactly "0", "1", … in order, i.e. PHP would emit a list. */
function isListShaped(keys: string[]): boolean {
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] !== String(i)) return false;
  }
  return true;
}

export function encodePhpJson(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : '0';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return value.toString();
    case 'undefined':
    case 'function':
    case 'symbol':
      return 'null';
    default:
      break;
  }
  if (value === null) return 'null';
  if (value instanceof PhpFloat) return formatPhpFloat(value.value);
  if (value instanceof PhpEmptyObject) return '{}';
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) out += ',';
      out += encodePhpJson(value[i]);
    }
    return out + ']';
  }
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined);
  if (keys.length === 0) return '[]';
  if (isListShaped(keys)) {
    return '[' + keys.map((k) => encodePhpJson(record[k])).join(',') + ']';
  }
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += ',';
    out += JSON.stringify(keys[i]) + ':' + encodePhpJson(record[keys[i]]);
  }
  return out + '}';
}

/**
 * Converts a value to the plain JS structure PHP's json_encode would produce, so tests and
 * batch references see the same shapes the wire carries.
 */
export function toPhpShape(value: unknown): unknown {
  if (value instanceof PhpFloat) return value.value;
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof PhpEmptyObject) return {};
  if (Array.isArray(value)) return value.map(toPhpShape);
  if (value instanceof Date) return value.toISOString();
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((k) => record[k] !== undefined);
  if (keys.length === 0) return [];
  if (isListShaped(keys)) return keys.map((k) => toPhpShape(record[k]));
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = toPhpShape(record[key]);
  return out;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * What XML 1.0 cannot carry, not even as a character reference: C0 controls other than tab, LF
 * and CR, lone surrogates, U+FFFE and U+FFFF. Core passes them through and writes malformed XML;
 * Salestrace writes U+FFFD in their place (COMPATIBILITY.md).
 */
const NOT_XML_CHAR = /[\x00-\x08\x0B\x0C\x0E-\x1F\uD800-\uDFFF\uFFFE\uFFFF]/gu;

function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => XML_ESCAPES[c]).replace(NOT_XML_CHAR, '\uFFFD');
}

/** Core writes `<item>` for PHP integer keys and uses every other key as the element name. */
function xmlTag(key: string): string {
  if (/^(0|-?[1-9]\d*)$/.test(key)) return 'item';
  // Core would emit a malformed element for such a key; Salestrace keeps the XML well-formed.
  const cleaned = key.replace(/[^A-Za-z0-9_.-]/g, '_');
  return /^[A-Za-z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

function xmlScalar(value: unknown): string {
  if (value === null || value === undefined || value === false) return '';
  if (value === true) return '1';
  if (value instanceof PhpFloat) return formatPhpFloat(value.value);
  return escapeXml(String(value));
}

function xmlBody(value: unknown): string {
  if (value === null || typeof value !== 'object' || value instanceof PhpFloat) return xmlScalar(value);
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [String(i), v])
    : Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
  let out = '';
  for (const [key, item] of entries) {
    const tag = xmlTag(key);
    out += `<${tag}>${xmlBody(item)}</${tag}>`;
  }
  return out;
}

/** The `.xml` transport: a `<response>` root, one element per key, `<item>` for numeric keys. */
export function encodePhpXml(value: Record<string, unknown>): string {
  return `<response>${xmlBody(value)}</response>`;
}
