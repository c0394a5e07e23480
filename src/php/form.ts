// PHP's http_build_query for the bodies this server sends (events.md §4.2): bracketed keys,
// every scalar as a string, true as "1" and false as "0"; null values and empty arrays are
// left out, as PHP leaves them out. Keys and values are percent-encoded as RFC 3986 with spaces as "+".

function encode(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, '+').replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function append(pairs: string[], key: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    value.forEach((item, index) => append(pairs, `${key}[${index}]`, item));
    return;
  }
  if (typeof value === 'object') {
    for (const [name, item] of Object.entries(value as Record<string, unknown>)) append(pairs, `${key}[${name}]`, item);
    return;
  }
  const text = value === true ? '1' : value === false ? '0' : String(value);
  pairs.push(`${encode(key)}=${encode(text)}`);
}

/** `a=1&b[c]=2`, in the objects' key order. */
export function buildPhpQuery(value: Record<string, unknown>): string {
  const pairs: string[] = [];
  for (const [name, item] of Object.entries(value)) append(pairs, name, item);
  return pairs.join('&');
}
