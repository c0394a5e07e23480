// The fields of a multipart/form-data body, as PHP puts them into $_POST (rest-protocol.md §1.3).
// PHP treats every part without a `filename` as a field and keeps its raw bytes whatever charset
// the part declares; parts with a `filename` are uploads and never become parameters. A body that
// is not well-formed yields the fields read before the damage, never an error.

export interface MultipartField {
  readonly name: Buffer;
  readonly value: Buffer;
}

/** The `boundary` parameter of a Content-Type header, quoted or not. */
export function multipartBoundary(contentType: string): string | null {
  const match = /;\s*boundary\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(contentType);
  const boundary = match ? (match[1] ?? match[2]) : undefined;
  return boundary ? boundary : null;
}

const DISPOSITION_PARAMS = {
  name: /;\s*name\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/i,
  filename: /;\s*filename\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;]*))/i,
};

/** A Content-Disposition parameter value: a token or a quoted string with `\` escapes. */
function dispositionParam(header: string, param: keyof typeof DISPOSITION_PARAMS): string | undefined {
  const match = DISPOSITION_PARAMS[param].exec(header);
  if (!match) return undefined;
  return match[1] !== undefined ? match[1].replace(/\\(.)/g, '$1') : match[2].trim();
}

function partHeaders(block: string): Map<string, string> {
  const headers = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return headers;
}

/**
 * Where a part's headers end: the first blank line, CRLF CRLF or a bare LF LF. One scan from
 * line break to line break, so the search never runs past that blank line (two searches to the
 * end of the body for every part would be quadratic in the number of parts).
 */
function headerEnd(body: Buffer, from: number): { end: number; next: number } | null {
  let lf = body.indexOf(0x0a, from);
  while (lf !== -1) {
    if (body[lf + 1] === 0x0a) return { end: lf, next: lf + 2 };
    if (lf > from && body[lf - 1] === 0x0d && body[lf + 1] === 0x0d && body[lf + 2] === 0x0a) return { end: lf - 1, next: lf + 3 };
    lf = body.indexOf(0x0a, lf + 1);
  }
  return null;
}

/** The fields of the body; stops after `maxFields + 1`, enough for the caller to refuse too many. */
export function parseMultipartFields(contentType: string, body: Buffer, maxFields = Infinity): MultipartField[] {
  const boundary = multipartBoundary(contentType);
  if (boundary === null) return [];
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const nextPart = Buffer.concat([Buffer.from('\r\n'), delimiter]);
  const fields: MultipartField[] = [];
  let position = body.indexOf(delimiter);
  while (position !== -1 && fields.length <= maxFields) {
    let cursor = position + delimiter.length;
    if (body[cursor] === 0x2d && body[cursor + 1] === 0x2d) break; // `--boundary--` closes the body
    while (body[cursor] === 0x20 || body[cursor] === 0x09) cursor++; // transport padding
    if (body[cursor] === 0x0d) cursor++;
    if (body[cursor] === 0x0a) cursor++;
    const head = headerEnd(body, cursor);
    if (head === null) break;
    const nextDelimiter = body.indexOf(nextPart, head.next);
    if (nextDelimiter === -1) break; // truncated part: PHP drops it
    const headers = partHeaders(body.subarray(cursor, head.end).toString('latin1'));
    const disposition = headers.get('content-disposition') ?? '';
    const name = dispositionParam(disposition, 'name');
    if (/^\s*form-data\b/i.test(disposition) && name !== undefined && dispositionParam(disposition, 'filename') === undefined) {
      fields.push({ name: Buffer.from(name, 'latin1'), value: body.subarray(head.next, nextDelimiter) });
    }
    position = nextDelimiter + 2;
  }
  return fields;
}
