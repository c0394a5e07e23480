// Adversarial request shapes for the parameter decoder: large runs of whitespace and of the
// characters the decoders look for, each about 1 MB. A quadratic scan turns any of them into
// minutes of a blocked event loop; a linear one answers in milliseconds. Used by the fuzz suite
// (decoder.fuzz.test.ts) and by the end-to-end check in test/hardening/adversarialInput.test.ts.

import fc from 'fast-check';

const M = 1 << 20;
const WHITESPACE = ' \t\r\n';

export interface AdversarialBody {
  readonly name: string;
  readonly contentType: string;
  readonly body: Buffer;
  /** Status of the webhook echo and of /rest/server.time when it is not the usual 200 and 401. */
  readonly status?: number;
}

function body(name: string, contentType: string, text: string | Buffer, status?: number): AdversarialBody {
  return { name, contentType, body: Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'), status };
}

export function adversarialBodies(size = M): AdversarialBody[] {
  const part = (name: string, eol: string) => `--b${eol}Content-Disposition: form-data; name="${name}"${eol}${eol}x\r\n`;
  return [
    body('JSON with an inner run of spaces', 'application/json', `{"a":${' '.repeat(size)}1}`),
    body('JSON after a run of whitespace', 'application/json', `${WHITESPACE.repeat(size / 4)}{"a":1}`),
    body('JSON before a run of whitespace', 'application/json', `{"a":1}${' '.repeat(size)}`),
    body('JSON with many inner runs', 'application/json', `[${`${WHITESPACE.repeat(256)}1,`.repeat(size / 1026)}0]`),
    body('JSON cut off after a run of spaces', 'application/json; charset=utf-8', `{"a":${' '.repeat(size)}`, 400),
    body('a JSON string of a run of spaces', 'application/json', `{"a":"${' '.repeat(size)}"}`),
    body('form text with an inner run of spaces', 'text/plain', `a=1${' '.repeat(size)}&b=2`),
    body('form of +', 'application/x-www-form-urlencoded', `a=${'+'.repeat(size)}`),
    body('form of %', 'application/x-www-form-urlencoded', `a=${'%'.repeat(size)}`),
    body('form of &', 'application/x-www-form-urlencoded', '&'.repeat(size)),
    body('form name of [', 'application/x-www-form-urlencoded', `a${'['.repeat(size)}=1`),
    body('form name of .', 'application/x-www-form-urlencoded', `${'.'.repeat(size)}a=1`),
    body('form name of [x', 'application/x-www-form-urlencoded', `a${'[x'.repeat(size / 2)}=1`),
    body('multipart with many parts', 'multipart/form-data; boundary=b', `${part('a[]', '\r\n').repeat(size / 60)}--b--`, 400),
    body('multipart with bare LF', 'multipart/form-data; boundary=b', `${part('a', '\n').repeat(size / 60)}--b--`, 400),
    body('multipart with a header run', 'multipart/form-data; boundary=b', `--b\r\n${'X: y\r\n'.repeat(size / 6)}`),
  ];
}

export function adversarialQueries(size = 15_000): { name: string; text: string }[] {
  return [
    { name: 'of %', text: `a=${'%'.repeat(size)}` },
    { name: 'of +', text: `a=${'+'.repeat(size)}` },
    { name: 'of &', text: '&'.repeat(size) },
    { name: 'name of [', text: `a${'['.repeat(size)}=1` },
    { name: 'of spaces (%20)', text: `a=1${'%20'.repeat(size / 3)}&b=2` },
  ];
}

export function adversarialHeaders(size = 15_000): { name: string; line: string; status?: number }[] {
  return [
    { name: 'content type of ;', line: `Content-Type: application/json${';'.repeat(size)}` },
    { name: 'content type with spaces', line: `Content-Type: application/json${' '.repeat(size)};x` },
    { name: 'multipart boundary of "', line: `Content-Type: multipart/form-data; boundary="${'x'.repeat(size)}` },
    { name: 'multipart of ; boundary', line: `Content-Type: multipart/form-data${'; boundary'.repeat(size / 10)}` },
    { name: 'bearer with many words', line: `Authorization: Bearer ${'a '.repeat(size / 2)}` },
    { name: 'bearer with a run of spaces', line: `Authorization: Bearer${' '.repeat(size / 3)}a${' '.repeat(size / 3)}b` },
  ];
}

/** Pieces the decoders scan for, repeated into long runs. */
const RUN_PIECES = [' ', '\t', '\r\n', '\n', '\u0000', '\u000b', '[', ']', '&', '+', '%', '%2', '.', ';', '"', '\\', '{', '}', '1', 'a=', '$result[a]', '!', '\n\n', '--b\r\n'];

/** Text made of a few long runs of such pieces (up to `maxRun` repeats each). */
export function adversarialText(maxRun: number): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(fc.constantFrom(...RUN_PIECES), fc.integer({ min: 1, max: maxRun })), { minLength: 1, maxLength: 4 })
    .map((runs) => runs.map(([piece, count]) => piece.repeat(count)).join(''));
}

/** An adversarial body in one of the encodings, with the content type that goes with it. */
export function adversarialBody(maxRun: number): fc.Arbitrary<{ contentType: string; body: string }> {
  return fc.tuple(adversarialText(maxRun), fc.integer({ min: 0, max: 6 })).map(([text, how]) => {
    switch (how) {
      case 0:
        return { contentType: 'application/json', body: `{"a":${text}1}` };
      case 1:
        return { contentType: 'application/json', body: `${text}{"a":1}${text}` };
      case 2:
        return { contentType: 'application/json', body: JSON.stringify({ fields: { [text]: text }, filter: { [`${text}a\nb`]: 1 } }) };
      case 3:
        return { contentType: 'application/x-www-form-urlencoded', body: `a${text}=${text}&b=1` };
      case 4:
        return { contentType: 'text/plain', body: `a=1${text}&b=2` };
      case 5:
        return { contentType: 'multipart/form-data; boundary=b', body: `--b\r\nContent-Disposition: form-data; name="a${text}"\r\n\r\n${text}\r\n--b--` };
      default:
        // A header value cannot carry control characters; the rest of the run stays.
        // eslint-disable-next-line no-control-regex
        return { contentType: `application/json${text.replace(/[\u0000-\u001f]/g, ' ').slice(0, 4000)}`, body: '{}' };
    }
  });
}

/**
 * A batch whose rows name earlier rows' values many times: each row echoes a value made of
 * references to the rows before it, so substituting again into substituted text would grow
 * exponentially.
 */
export const adversarialBatch: fc.Arbitrary<Record<string, string>> = fc
  .tuple(
    fc.integer({ min: 16, max: 40 }),
    fc.array(fc.tuple(fc.integer({ min: 1, max: 40 }), fc.constantFrom('+', '+', '', '_'), fc.constantFrom('result', 'result', 'error', 'RESULT')), {
      maxLength: 10,
    }),
  )
  .map(([first, rows]) => {
    // Row r0 echoes its own reference twice, and r1 names it many times: substituting again
    // into substituted text doubles per name (2^16 copies and more).
    const own = '$result[r0][params][v]';
    const cmd: Record<string, string> = {
      r0: `salestrace.test.echo?v=${own}+${own}`,
      r1: `salestrace.test.echo?v=${Array(first).fill(own).join('+')}`,
    };
    rows.forEach(([times, separator, map], i) => {
      const previous = `$${map}[r${i + 1}][params][v]`;
      cmd[`r${i + 2}`] = `salestrace.test.echo?v=${Array(times).fill(previous).join(separator)}`;
    });
    return cmd;
  });
