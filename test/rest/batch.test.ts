// `batch` (rest-protocol.md §5; clients.md §8.3; core's CRestProvider::methodsBatch and
// CRestUtil::processBatchElement).
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addWebhook } from '../../src/auth/webhooks.js';
import { createLogger } from '../../src/logger.js';
import { callForm, callGet, callJson, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const TIME_KEYS = ['start', 'finish', 'duration', 'processing', 'date_start', 'date_finish', 'operating_reset_at', 'operating'];

async function batch(body: unknown): Promise<any> {
  const answer = await callJson(server, 'batch', body);
  expect(answer.status, answer.text).toBe(200);
  expect(Object.keys(answer.body)).toEqual(['result', 'time']);
  expect(Object.keys(answer.body.result)).toEqual(['result', 'result_error', 'result_total', 'result_next', 'result_time']);
  return answer.body.result;
}

const echoOf = (result: any, key: string | number) => result.result[key].params;

describe('cmd shapes and PHP maps', () => {
  it('a list cmd gives list-shaped maps and [] for empty ones', async () => {
    const answer = await callJson(server, 'batch', { cmd: ['server.time', 'salestrace.test.echo?a=1'] });
    expect(answer.text).toMatch(
      /^\{"result":\{"result":\["[^"]+",\{"params":\{"a":"1"\},"start":0\}\],"result_error":\[\],"result_total":\[\],"result_next":\[\],"result_time":\[\{"start":/,
    );
    for (const time of answer.body.result.result_time) expect(Object.keys(time)).toEqual(TIME_KEYS);
  });

  it('a map cmd gives maps keyed by command id', async () => {
    const result = await batch({ halt: 0, cmd: { first: 'server.time', second: 'salestrace.test.echo?x=1' } });
    expect(Object.keys(result.result)).toEqual(['first', 'second']);
    expect(echoOf(result, 'second')).toEqual({ x: '1' });
    expect(Object.keys(result.result_time)).toEqual(['first', 'second']);
    expect(result.result_error).toEqual([]);
  });

  it('failed rows go to result_error only; keys keep their ids (an object when not 0..n-1)', async () => {
    const answer = await callJson(server, 'batch', { cmd: ['server.time', 'no.such.method', 'server.time'] });
    const result = answer.body.result;
    expect(answer.text).toContain('"result_error":{"1":{"error":"ERROR_METHOD_NOT_FOUND","error_description":"Method not found!"}}');
    expect(Object.keys(result.result)).toEqual(['0', '2']);
    expect(Object.keys(result.result_time)).toEqual(['0', '2']);
  });

  it('lifts next and total of list rows into result_next and result_total', async () => {
    const result = await batch({
      cmd: { page: 'salestrace.test.list?count=120', last: 'salestrace.test.list?count=120&start=100', fast: 'salestrace.test.list?count=120&start=-1' },
    });
    expect(result.result_next).toEqual({ page: 50 });
    expect(result.result_total).toEqual({ page: 120, last: 120, fast: 0 });
    expect(result.result.page).toHaveLength(50);
    expect(Object.keys(result.result_time)).toEqual(['page', 'last', 'fast']);
  });

  it('skips rows that are not strings, but counts them towards the 50', async () => {
    const result = await batch({ cmd: { a: 5, b: { x: 1 }, c: 'server.time', d: null } });
    expect(Object.keys(result.result)).toEqual(['c']);
    expect(result.result_error).toEqual([]);
    const rows: unknown[] = Array.from({ length: 50 }, () => 1);
    rows.push('server.time');
    const over = await batch({ cmd: rows });
    expect(over.result).toEqual([]);
    expect(over.result_error).toEqual({ '50': { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' } });
  });

  it('a cmd that is not an array runs nothing', async () => {
    const result = await batch({ cmd: 'server.time' });
    expect(result).toEqual({ result: [], result_error: [], result_total: [], result_next: [], result_time: [] });
  });

  it('reads cmd and halt case-insensitively', async () => {
    const result = await batch({ CMD: ['no.such.method', 'server.time'], Halt: 1 });
    expect(Object.keys(result.result_error)).toEqual(['0']);
    expect(result.result).toEqual([]);
  });
});

describe('rows', () => {
  it('splits a row like parse_url: `?` starts the query, `#` a fragment; `?` alone and `?0` are no parameters', async () => {
    const result = await batch({
      cmd: {
        plain: 'salestrace.test.echo',
        bare: 'salestrace.test.echo?',
        zero: 'salestrace.test.echo?0',
        fragment: 'salestrace.test.echo#x?a=1',
        both: 'salestrace.test.echo?a=1#b=2',
        upper: 'SALESTRACE.Test.Echo?a=2',
        start: 'salestrace.test.echo?start=70&b=1',
      },
    });
    for (const key of ['plain', 'bare', 'zero', 'fragment']) expect(echoOf(result, key), key).toEqual([]);
    expect(echoOf(result, 'both')).toEqual({ a: '1' });
    expect(echoOf(result, 'upper')).toEqual({ a: '2' });
    expect(result.result.start).toEqual({ params: { b: '1' }, start: 70 });
  });

  it('has no .json suffix handling inside cmd', async () => {
    const result = await batch({ cmd: ['server.time.json'] });
    expect(result.result_error).toEqual([{ error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' }]);
  });

  it('refuses a nested batch with ERROR_BATCH_METHOD_NOT_ALLOWED', async () => {
    const result = await batch({ cmd: { inner: 'batch?cmd[0]=server.time' } });
    expect(result.result_error).toEqual({
      inner: { error: 'ERROR_BATCH_METHOD_NOT_ALLOWED', error_description: 'Method is not allowed for batch usage' },
    });
  });

  it('gives rows 51 and later ERROR_BATCH_LENGTH_EXCEEDED and still runs the first 50', async () => {
    const rows = Array.from({ length: 53 }, (_, i) => `salestrace.test.echo?i=${i}`);
    const result = await batch({ cmd: rows });
    expect(result.result).toHaveLength(50);
    expect(echoOf(result, 49)).toEqual({ i: '49' });
    const exceeded = { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' };
    expect(result.result_error).toEqual({ '50': exceeded, '51': exceeded, '52': exceeded });
    const halted = await batch({ cmd: rows, halt: 1 });
    expect(halted.result_error).toEqual({ '50': exceeded });
  });

  it('checks each row against the webhook scopes: insufficient_scope with an empty text, as core`s batch item', async () => {
    const { secret } = await addWebhook(server.services.db, { userId: 1, scopes: ['user'] }, Date.now() / 1000);
    const answer = await callJson(
      server,
      'batch',
      { cmd: { crm: 'salestrace.test.scoped', user: 'user.current', global: 'server.time' } },
      `${server.httpUrl}/rest/1/${secret}/`,
    );
    expect(answer.status).toBe(200);
    expect(answer.body.result.result_error).toEqual({ crm: { error: 'insufficient_scope', error_description: '' } });
    expect(Object.keys(answer.body.result.result)).toEqual(['user', 'global']);
  });

  it('passes row errors of the method through with their extra keys', async () => {
    const result = await batch({ cmd: { a: 'salestrace.test.fail?key=ERROR_CORE', b: 'salestrace.test.fail?key=LEGACY' } });
    expect(result.result_error).toEqual({
      a: { error: 'ERROR_CORE', error_description: 'test failure' },
      b: { error: '', error_description: 'test failure' },
    });
  });
});

describe('halt', () => {
  const cmd = { a: 'server.time', b: 'no.such.method', c: 'salestrace.test.echo?x=1' };

  it.each([[0], ['0'], [''], [false], [null], [[]]])('halt=%j runs every row', async (halt) => {
    const result = await batch({ cmd, halt });
    expect(Object.keys(result.result)).toEqual(['a', 'c']);
    expect(Object.keys(result.result_error)).toEqual(['b']);
  });

  it('an absent halt runs every row', async () => {
    const result = await batch({ cmd });
    expect(Object.keys(result.result)).toEqual(['a', 'c']);
  });

  it.each([[1], ['1'], [true], ['false'], ['yes'], [[0]]])('halt=%j stops at the first failing row', async (halt) => {
    const result = await batch({ cmd, halt });
    expect(Object.keys(result.result)).toEqual(['a']);
    expect(Object.keys(result.result_error)).toEqual(['b']);
    expect(Object.keys(result.result_time)).toEqual(['a']);
  });
});

describe('references ($result, $next, $total, $time, $error)', () => {
  it('replaces a whole value with the referenced node, following nested paths', async () => {
    const result = await batch({
      cmd: {
        list: 'salestrace.test.list?count=120',
        echo: 'salestrace.test.echo?a[b][c]=deep&n[]=1&n[]=2',
        use: 'salestrace.test.echo?id=$result[list][1][ID]&deep=$result[echo][params][a][b][c]&sub=$result[echo][params][n]&next=$next[list]&total=$total[list]&row=$result[list][0]',
      },
    });
    expect(echoOf(result, 'use')).toEqual({ id: '2', deep: 'deep', sub: ['1', '2'], next: 50, total: 120, row: { ID: '1' } });
  });

  it('substitutes inside text: strings, and numbers as text; the placeholder runs to the next whitespace', async () => {
    const result = await batch({
      cmd: {
        list: 'salestrace.test.list?count=120',
        use: 'salestrace.test.echo?a=ID%20$result[list][2][ID]%20done&b=page%20$next[list]%20of%20$total[list]&c=x-$result[list][0][ID]-tail',
      },
    });
    expect(echoOf(result, 'use')).toEqual({ a: 'ID 3 done', b: 'page 50 of 120', c: 'x-1' });
  });

  it('leaves text alone when the node is not a string or number', async () => {
    const result = await batch({
      cmd: { list: 'salestrace.test.list?count=3', use: 'salestrace.test.echo?a=rows%20$result[list]%20end&b=$result[list]' },
    });
    expect(echoOf(result, 'use')).toEqual({ a: 'rows $result[list] end', b: [{ ID: '1' }, { ID: '2' }, { ID: '3' }] });
  });

  it('stops an unresolvable path at the deepest node found', async () => {
    const result = await batch({
      cmd: {
        echo: 'salestrace.test.echo?a[b]=1',
        use: 'salestrace.test.echo?x=$result[echo][params][a][missing]&y=$result[echo][params][zzz][b]',
      },
    });
    expect(echoOf(result, 'use')).toEqual({ x: { b: '1' }, y: { a: { b: '1' } } });
  });

  it('treats a key whose value is null as missing (PHP isset) and stops at its parent', async () => {
    const result = await batch({
      cmd: {
        add: 'crm.deal.add?fields[TITLE]=Without%20UTM',
        get: 'crm.deal.get?id=$result[add]',
        // $RESULT finds no map (core looks it up by the name as written), so `a` is null here.
        nul: 'salestrace.test.echo?a=$RESULT[add]&b[c]=1',
        use: 'salestrace.test.echo?utm=$result[get][UTM_SOURCE]&deep=$result[get][UTM_SOURCE][0]&a=$result[nul][params][a]&ac=$result[nul][params][a][c]&text=x%20$result[nul][params][a]',
      },
    });
    expect(result.result_error).toEqual([]);
    expect(result.result.get.UTM_SOURCE).toBe(null);
    expect(echoOf(result, 'nul')).toEqual({ a: null, b: { c: '1' } });
    const params = { a: null, b: { c: '1' } };
    expect(echoOf(result, 'use')).toEqual({ utm: result.result.get, deep: result.result.get, a: params, ac: params, text: 'x $result[nul][params][a]' });
  });

  it('reads $error and $time of earlier rows', async () => {
    const result = await batch({
      cmd: { bad: 'no.such.method', first: 'server.time', use: 'salestrace.test.echo?code=$error[bad][error]&when=$time[first][date_start]' },
    });
    expect(echoOf(result, 'use')).toEqual({ code: 'ERROR_METHOD_NOT_FOUND', when: result.result_time.first.date_start });
  });

  it('matches the name case-insensitively but finds nothing for $RESULT (core looks the map up by the name as written)', async () => {
    const answer = await callJson(server, 'batch', {
      cmd: { list: 'salestrace.test.list?count=2', use: 'salestrace.test.echo?a=$RESULT[list][0][ID]&b=x%20$Result[list][0][ID]' },
    });
    expect(answer.text).toContain('"use":{"params":{"a":null,"b":"x $Result[list][0][ID]"},"start":0}');
  });

  it('substitutes in nested parameters and list rows alike', async () => {
    const result = await batch({
      cmd: ['salestrace.test.list?count=5', 'salestrace.test.echo?filter[>ID]=$result[0][4][ID]&select[]=$result[0][1][ID]'],
    });
    expect(echoOf(result, 1)).toEqual({ filter: { '>ID': '5' }, select: ['2'] });
  });
});

describe('form and GET batches (double-encoded rows)', () => {
  it('decodes cmd from a form body', async () => {
    const answer = await callForm(
      server,
      'batch',
      'halt=0&cmd[a]=salestrace.test.echo%3Fx%3DJohn%2526Martin%26y%5B%5D%3D1&cmd[b]=salestrace.test.echo%3Fid%3D%24result%5Ba%5D%5Bparams%5D%5Bx%5D',
    );
    expect(answer.body.result.result.a.params).toEqual({ x: 'John&Martin', y: ['1'] });
    expect(answer.body.result.result.b.params).toEqual({ id: 'John&Martin' });
  });

  it('decodes cmd from a GET query (@2bad/bitrix style, no halt)', async () => {
    const answer = await callGet(server, 'batch', 'cmd%5Btime%5D=server.time&cmd%5Becho%5D=salestrace.test.echo%3Fa%3D1');
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body.result.result)).toEqual(['time', 'echo']);
    expect(answer.body.result.result.echo.params).toEqual({ a: '1' });
  });
});

describe('rows that fail unexpectedly', () => {
  const INTERNAL = { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' };
  const SQL = { error: 'ERROR_CORE', error_description: 'SQL query error!' };

  it('answer per row, as core does: a database error as core\'s SQL error, anything else as INTERNAL_SERVER_ERROR', async () => {
    const lines: string[] = [];
    const logged = await startTestServer({
      log: createLogger('error', new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) })),
    });
    try {
      const answer = await callJson(logged, 'batch', {
        halt: 0,
        cmd: { a: 'server.time', crash: 'salestrace.test.fail?key=crash&auth=S3CR3T', sql: 'salestrace.test.fail?key=sql', z: 'salestrace.test.echo?z=1' },
      });
      expect(answer.status, answer.text).toBe(200);
      expect(Object.keys(answer.body.result.result)).toEqual(['a', 'z']);
      expect(answer.body.result.result_error).toEqual({ crash: INTERNAL, sql: SQL });
      expect(Object.keys(answer.body.result.result_time)).toEqual(['a', 'z']);
      // Each failure is logged with its row and method (never the row's parameters)...
      const entries = lines.map((line) => JSON.parse(line));
      expect(entries.map((entry) => [entry.msg, entry.row, entry.method])).toEqual([
        ['unexpected error in a batch row', 'crash', 'salestrace.test.fail'],
        ['unexpected error in a batch row', 'sql', 'salestrace.test.fail'],
      ]);
      expect(entries[0].err.message).toBe('simulated crash with a secret stack');
      expect(lines.join('')).not.toContain('S3CR3T');

      // ...and halt stops at the first of them.
      const halted = await callJson(logged, 'batch', { halt: 1, cmd: { a: 'server.time', sql: 'salestrace.test.fail?key=sql', z: 'server.time' } });
      expect(halted.status).toBe(200);
      expect(Object.keys(halted.body.result.result)).toEqual(['a']);
      expect(halted.body.result.result_error).toEqual({ sql: SQL });
    } finally {
      await logged.close();
    }
  });
});
