// Batch references are substituted in one pass over the row as sent, within size limits
// (issue 18, finding 2). Core replaces references in text that already holds earlier
// substitutions, so a value that contains its own reference doubled per use: an 843-byte
// request gave a 116 MB answer and a 32 kB batch ran the process out of memory.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BATCH_REFERENCE_CHARS, MAX_BATCH_ROW_CHARS } from '../../src/rest/batch.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const ECHO = 'salestrace.test.echo';
const REF = '$result[a][params][v]';
const REFERENCE_TOO_LARGE = {
  error: 'ERROR_BATCH_REFERENCE_TOO_LARGE',
  error_description: `Max batch reference length exceeded: a reference may stand for at most ${MAX_BATCH_REFERENCE_CHARS} characters`,
};
const ROW_TOO_LARGE = {
  error: 'ERROR_BATCH_ROW_TOO_LARGE',
  error_description: `Max batch command length exceeded: a command may grow to at most ${MAX_BATCH_ROW_CHARS} characters by substitution`,
};

async function batch(cmd: Record<string, string>, halt = 0) {
  const answer = await callJson(server, 'batch', { cmd, halt });
  expect(answer.status, answer.text.slice(0, 300)).toBe(200);
  return answer;
}

describe('one pass over the row as sent', () => {
  it('does not substitute into a value that holds its own reference: the doubling request answers small', async () => {
    // Row a echoes its own (unresolvable) reference twice; row b names it 16 times. Substituting
    // again into substituted text made 2^16 copies (over 20 MB); one pass makes 16.
    const cmd = { a: `${ECHO}?v=${REF}+${REF}`, b: `${ECHO}?w=${Array(16).fill(REF).join('+')}` };
    const answer = await batch(cmd);
    const own = `${REF} ${REF}`;
    expect(answer.body.result.result.a.params.v).toBe(own);
    expect(answer.body.result.result.b.params.w).toBe(Array(16).fill(own).join(' '));
    expect(answer.text.length).toBeLessThan(5000);
  });

  it('still substitutes every reference of a value, embedded and whole', async () => {
    const answer = await batch({ a: `${ECHO}?v=7`, b: `${ECHO}?x=id-${REF}+and+${REF}&y=${REF}` });
    expect(answer.body.result.result.b.params).toEqual({ x: 'id-7 and 7', y: '7' });
  });

  it('finds the path of a reference followed by a long run of `[` at once', async () => {
    const answer = await batch({ a: `${ECHO}?v=7`, b: `${ECHO}?x=${REF}${'['.repeat(200_000)}` });
    expect(answer.body.result.result.b.params.x).toBe('7');
  });
});

describe('limits', () => {
  it(`lets a reference stand for ${MAX_BATCH_REFERENCE_CHARS} characters, and refuses the row when it stands for more`, async () => {
    const fits = 'x'.repeat(MAX_BATCH_REFERENCE_CHARS);
    const ok = await batch({ a: `${ECHO}?v=${fits}`, b: `${ECHO}?w=(+${REF}+)`, c: `${ECHO}?w=${REF}` });
    expect(ok.body.result.result.b.params.w).toBe(`( ${fits} )`);
    expect(ok.body.result.result.c.params.w).toBe(fits);

    const tooLong = fits + 'x';
    const answer = await batch({ a: `${ECHO}?v=${tooLong}`, b: `${ECHO}?w=(+${REF}+)`, c: `${ECHO}?w=${REF}`, d: `${ECHO}?z=1` });
    expect(answer.body.result.result_error).toEqual({ b: REFERENCE_TOO_LARGE, c: REFERENCE_TOO_LARGE });
    expect(answer.body.result.result.d.params).toEqual({ z: '1' });
  });

  it(`refuses a row that substitution grows beyond ${MAX_BATCH_ROW_CHARS} characters; the other rows run, halt stops`, async () => {
    const value = 'y'.repeat(60_000);
    const fitting = Array(16).fill(REF).join('+'); // 16 × 60 000 < 1 MiB
    const growing = Array(18).fill(REF).join('+'); // 18 × 60 000 > 1 MiB
    const ok = await batch({ a: `${ECHO}?v=${value}`, b: `${ECHO}?w=${fitting}` });
    expect(ok.body.result.result.b.params.w).toBe(Array(16).fill(value).join(' '));

    const answer = await batch({ a: `${ECHO}?v=${value}`, b: `${ECHO}?w=${growing}`, c: `${ECHO}?z=1` });
    expect(answer.body.result.result_error).toEqual({ b: ROW_TOO_LARGE });
    expect(answer.body.result.result.c.params).toEqual({ z: '1' });

    const halted = await batch({ a: `${ECHO}?v=${value}`, b: `${ECHO}?w=${growing}`, c: `${ECHO}?z=1` }, 1);
    expect(halted.body.result.result_error).toEqual({ b: ROW_TOO_LARGE });
    expect(Object.keys(halted.body.result.result)).toEqual(['a']);
  });

  it('keeps a long row that substitution does not grow', async () => {
    const long = 'z'.repeat(MAX_BATCH_ROW_CHARS + 10);
    const answer = await batch({ a: `${ECHO}?v=1`, b: `${ECHO}?w=${long}&r=${REF}` });
    expect(answer.body.result.result.b.params).toEqual({ w: long, r: '1' });
  });
});

describe('a reference that stands for an array', () => {
  it('passes a copy of an earlier result on, as PHP assigns arrays', async () => {
    const answer = await batch({ a: `${ECHO}?v=7&list[]=x&list[]=y`, b: `${ECHO}?w=$result[a][params]` });
    expect(answer.body.result.result.b.params.w).toEqual({ v: '7', list: ['x', 'y'] });
  });

  it('gives a row that names a missing row the whole result map as it stood, not the map inside itself', async () => {
    // `$result[absent]` stops at `$result`: the row's own parameters then hold the map that is
    // about to hold that row. Before the copy this answered 500 (the JSON encoder recursed
    // forever); the fuzz suite found it.
    const answer = await batch({ a: `${ECHO}?v=7`, b: `${ECHO}?w=$result[absent]` });
    expect(answer.body.result.result.b.params.w).toEqual({ a: answer.body.result.result.a });
    expect(answer.body.result.result_error).toEqual([]);
  });

  it('stops a chain of rows that each copy the growing result map at the row limit', async () => {
    const pad = 'p'.repeat(50_000);
    const cmd: Record<string, string> = { a: `${ECHO}?v=${pad}` };
    for (let row = 1; row <= 30; row += 1) cmd[`r${row}`] = `${ECHO}?w=$result[absent]`;
    const answer = await batch(cmd);
    const { result, result_error: errors } = answer.body.result;
    // Each copy holds every earlier one, so the sizes double: 50 000 characters in r1, about
    // 800 000 in r5, and r6 would pass 1 MiB. From there on each row is refused.
    expect(Object.keys(result)).toEqual(['a', 'r1', 'r2', 'r3', 'r4', 'r5']);
    expect(result.r5.params.w.r4.params.w.a.params.v).toBe(pad);
    const refused = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`r${i + 6}`, ROW_TOO_LARGE]));
    expect(errors).toEqual(refused);
    expect(answer.text.length).toBeLessThan(2 * MAX_BATCH_ROW_CHARS);
  });
});
