// Parameter sources, precedence and reserved names (rest-protocol.md §1.3, §1.4; clients.md §8.2),
// seen through `salestrace.test.echo`, which returns the parameters a method receives.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callForm, callGet, callJson, request, startTestServer, type TestServer } from '../helpers/server.js';
import { rawRequest } from '../helpers/raw.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const ECHO = 'salestrace.test.echo';

async function echoPost(body: string | Buffer, contentType: string | null, query = ''): Promise<any> {
  const headers: Record<string, string> = {};
  if (contentType !== null) headers['content-type'] = contentType;
  const answer = await request(`${server.webhookUrl}${ECHO}${query ? `?${query}` : ''}`, { method: 'POST', headers, body });
  expect(answer.status, answer.text).toBe(200);
  return answer.body.result;
}

function multipart(parts: { name: string; value: string | Buffer; filename?: string; type?: string }[]): {
  body: Buffer;
  type: string;
} {
  const boundary = '----salestrace7MA4YWxkTrZu0gW';
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"`;
    if (part.filename !== undefined) head += `; filename="${part.filename}"`;
    head += '\r\n';
    if (part.type) head += `Content-Type: ${part.type}\r\n`;
    chunks.push(Buffer.from(head + '\r\n', 'utf8'), Buffer.isBuffer(part.value) ? part.value : Buffer.from(part.value, 'utf8'), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), type: `multipart/form-data; boundary=${boundary}` };
}

describe('query string and form bodies (PHP parse_str)', () => {
  it('decodes brackets, lists, `+` and escaped and raw brackets from the query', async () => {
    const answer = await callGet(
      server,
      ECHO,
      'fields[TITLE]=%D0%A2%D0%B5%D1%81%D1%82+%26+co&ENTITIES%5B0%5D%5BTYPE%5D=CONTACT&ENTITIES%5B0%5D%5BID%5D=15&select[]=ID&select[]=NAME&empty[]=&a.b=1&x=1&x=2',
    );
    expect(answer.body.result.params).toEqual({
      fields: { TITLE: 'Тест & co' },
      ENTITIES: [{ TYPE: 'CONTACT', ID: '15' }],
      select: ['ID', 'NAME'],
      empty: [''],
      a_b: '1',
      x: '2',
    });
  });

  it('keeps a sparse list sparse: `cmd[5]=` keeps key 5', async () => {
    const answer = await callForm(server, ECHO, 'list[5]=a&list[7]=b');
    expect(answer.body.result.params).toEqual({ list: { '5': 'a', '7': 'b' } });
  });

  it('`[]` after an explicit index takes the next free one: `select[0]=ID&select[]=NAME` keeps ID', async () => {
    const expected = { select: ['ID', 'NAME'], a: { '5': 'x', '6': 'y' } };
    const pairs = 'select[0]=ID&select[]=NAME&a[5]=x&a[]=y';
    expect((await callGet(server, ECHO, pairs)).body.result.params).toEqual(expected);
    expect((await callForm(server, ECHO, pairs)).body.result.params).toEqual(expected);
    const form = multipart([
      { name: 'select[0]', value: 'ID' },
      { name: 'select[]', value: 'NAME' },
      { name: 'a[5]', value: 'x' },
      { name: 'a[]', value: 'y' },
    ]);
    expect((await echoPost(form.body, form.type)).params).toEqual(expected);
    const batch = await callJson(server, 'batch', { cmd: { row: `${ECHO}?${pairs}` } });
    expect(batch.body.result.result.row.params).toEqual(expected);
  });

  it('decodes a form body the same way', async () => {
    const answer = await callForm(server, ECHO, 'fields[PHONE][0][VALUE]=%2B1+555&fields[PHONE][0][VALUE_TYPE]=WORK&flag=true&nul=');
    expect(answer.body.result.params).toEqual({ fields: { PHONE: [{ VALUE: '+1 555', VALUE_TYPE: 'WORK' }] }, flag: 'true', nul: '' });
  });

  it('decodes a text/plain body (BX24 in a browser) and a body without a type as form syntax', async () => {
    expect((await echoPost('a[b]=1&c=2', 'text/plain;charset=UTF-8')).params).toEqual({ a: { b: '1' }, c: '2' });
    expect((await echoPost('a[b]=1&c=2', null)).params).toEqual({ a: { b: '1' }, c: '2' });
    // core trims a raw body before decoding it
    expect((await echoPost('\n\ta=1&b=2 \n', 'text/plain')).params).toEqual({ a: '1', b: '2' });
  });

  it('decodes multipart fields with bracket names, raw UTF-8, and ignores files', async () => {
    const form = multipart([
      { name: 'fields[TITLE]', value: 'Тест & co' },
      { name: 'fields[PHONE][0][VALUE]', value: '+1 555' },
      { name: 'select[]', value: 'ID' },
      { name: 'select[]', value: 'NAME' },
      { name: 'declared', value: 'Ünïcode', type: 'text/plain; charset=utf-8' },
      { name: 'upload', value: Buffer.from([0xff, 0xfe, 0x00]), filename: 'a.bin', type: 'application/octet-stream' },
      { name: 'binaryTyped', value: 'kept', type: 'application/octet-stream' },
    ]);
    const result = await echoPost(form.body, form.type, 'q=1');
    expect(result.params).toEqual({
      q: '1',
      fields: { TITLE: 'Тест & co', PHONE: [{ VALUE: '+1 555' }] },
      select: ['ID', 'NAME'],
      declared: 'Ünïcode',
      binaryTyped: 'kept',
    });
  });

  it('treats a multipart body without boundary or with only files as no parameters', async () => {
    expect((await echoPost('a=1', 'multipart/form-data', 'q=1')).params).toEqual({ q: '1' });
    const onlyFile = multipart([{ name: 'f', value: 'x', filename: 'f.txt' }]);
    expect((await echoPost(onlyFile.body, onlyFile.type, 'q=1')).params).toEqual({ q: '1' });
  });
});

describe('JSON bodies', () => {
  it('keeps native JSON types', async () => {
    const params = { fields: { TITLE: 'Тест & co', NUM: 1.5, FLAG: true, NUL: null, LIST: [1, '2'], EMPTY: {} }, filter: [] };
    const answer = await callJson(server, ECHO, params);
    expect(answer.body.result.params).toEqual({ ...params, fields: { ...params.fields, EMPTY: [] } });
    expect(answer.text).toContain('"NUM":1.5,"FLAG":true,"NUL":null,"LIST":[1,"2"],"EMPTY":[]');
  });

  it('turns a top-level JSON array into positional keys 0,1,… (task.* style)', async () => {
    const answer = await callJson(server, ECHO, [123, { TEXT: 'x' }]);
    expect(answer.text).toContain('"params":[123,{"TEXT":"x"}]');
  });

  it('reads JSON that is not an object or array, and an empty or blank body, as no parameters, as core does', async () => {
    for (const body of ['"text"', '5', 'null', 'true', '', ' \r\n\t\u000b\u0000 ']) {
      expect((await echoPost(body, 'application/json', 'q=1')).params, body).toEqual({ q: '1' });
    }
  });

  it('detects JSON by core`s exact media type: parameters after `;` are fine, other spellings are form syntax', async () => {
    expect((await echoPost('{"a":1}', 'application/json; charset=utf-8')).params).toEqual({ a: 1 });
    // `Application/JSON` is not core's 'application/json', so the body is parse_str'd
    expect((await echoPost('{"a":1}', 'Application/JSON')).params).toEqual({ '{"a":1}': '' });
  });
});

describe('precedence (§1.3)', () => {
  it('a form body replaces equal string keys of the query and renumbers integer keys (array_merge)', async () => {
    const answer = await callForm(server, `${ECHO}?5=a&x=1&y=q`, 'x=2&3=b&z[1]=c');
    expect(answer.body.result.params).toEqual({ '0': 'a', x: '2', y: 'q', '1': 'b', z: { '1': 'c' } });
  });

  it('a JSON body replaces top-level keys without a deep merge (array_replace)', async () => {
    const answer = await callJson(server, `${ECHO}?fields[A]=1&fields[B]=2&keep=1`, { fields: { C: 3 } });
    expect(answer.body.result.params).toEqual({ fields: { C: 3 }, keep: '1' });
  });

  it('renumbers integer keys once more at the end, like the rest.server component', async () => {
    expect((await callGet(server, ECHO, '7=a&9=b')).text).toContain('"params":["a","b"]');
    expect((await callJson(server, `${ECHO}?0=x`, { '5': 'y' })).text).toContain('"params":["x","y"]');
  });

  it('ignores a GET body and a PUT body: core reads bodies of POST only', async () => {
    const port = server.running.httpPort;
    const get = await rawRequest(
      port,
      `GET ${server.webhookPath}${ECHO}?q=1 HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3`,
      'a=1',
    );
    expect(get.status).toBe(200);
    expect(get.body.result.params).toEqual({ q: '1' });
    const put = await request(`${server.webhookUrl}${ECHO}?q=1`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: '{"a":1}',
    });
    expect(put.body.result.params).toEqual({ q: '1' });
  });
});

describe('reserved names (§1.4)', () => {
  it('drops method, state, auth and access_token, and passes bx24_* and unknown names through', async () => {
    const answer = await callJson(server, `${ECHO}?bx24_request_id=abc&bx24_sdk_ver=2.2.0&bx24_sdk_type=b24-js-sdk&method=x`, {
      state: 's',
      auth: 'token',
      access_token: 'token',
      auth_connector: 'c',
      other: 1,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.result.params).toEqual({ bx24_request_id: 'abc', bx24_sdk_ver: '2.2.0', bx24_sdk_type: 'b24-js-sdk', other: 1 });
  });

  it('reads `start` with PHP intval and hands it to the method separately', async () => {
    const cases: [unknown, number][] = [['50', 50], ['12abc', 12], [' 7', 7], ['-1', -1], [50.9, 50], ['x', 0], [true, 1], ['1e3', 1000]];
    for (const [start, expected] of cases) {
      const answer = await callJson(server, ECHO, { start });
      expect(answer.body.result, JSON.stringify(start)).toEqual({ params: [], start: expected });
    }
    expect((await callGet(server, ECHO, 'start=100')).body.result.start).toBe(100);
  });

  it('answers any call carrying `token` with ACCESS_DENIED "Link check failed" (after authentication)', async () => {
    const withToken = await callGet(server, 'server.time', 'token=crm|abc|def');
    expect(withToken.status).toBe(403);
    expect(withToken.body).toEqual({ error: 'ACCESS_DENIED', error_description: 'Access denied! Link check failed' });
    const jsonToken = await callJson(server, 'server.time', { token: '' });
    expect(jsonToken.body).toEqual({ error: 'ACCESS_DENIED', error_description: 'Access denied! Link check failed' });
    // A null token is not set (PHP isset), so the call goes through.
    expect((await callJson(server, 'server.time', { token: null })).status).toBe(200);
    // Credentials are checked before the link.
    const badSecret = await request(`${server.httpUrl}/rest/1/wrongsecret/server.time?token=x`);
    expect(badSecret.body.error).toBe('INVALID_CREDENTIALS');
  });

  it('accepts webhook credentials as aplogin/ap parameters on the token URL form, the path winning', async () => {
    const viaQuery = await request(`${server.httpUrl}/rest/${ECHO}?aplogin=1&ap=${server.secret}&x=1`);
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.body.result.params).toEqual({ x: '1' });
    const viaJson = await request(`${server.httpUrl}/rest/server.time`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ aplogin: 1, ap: server.secret }),
    });
    expect(viaJson.status).toBe(200);
    const pathWins = await callGet(server, ECHO, 'aplogin=1&ap=wrong');
    expect(pathWins.status).toBe(200);
    const wrong = await request(`${server.httpUrl}/rest/server.time?aplogin=1&ap=wrong`);
    expect(wrong.body.error).toBe('INVALID_CREDENTIALS');
  });
});

describe('invalid UTF-8 (WRONG_ENCODING)', () => {
  const WRONG_ENCODING = { error: 'WRONG_ENCODING', error_description: 'Wrong request encoding' };

  it('refuses invalid UTF-8 in the query', async () => {
    for (const query of ['a=%FF%FE', 'a=%C3%28', '%C3=1', 'a[%FF]=1']) {
      const answer = await callGet(server, ECHO, query);
      expect(answer.status, query).toBe(400);
      expect(answer.body).toEqual(WRONG_ENCODING);
    }
    expect((await callGet(server, ECHO, 'a=%C3%A9')).body.result.params).toEqual({ a: 'é' });
  });

  it('answers raw (unescaped) bytes outside ASCII in the request line with a JSON 400 from the HTTP parser', async () => {
    for (const bytes of [Buffer.from('Тест', 'utf8'), Buffer.from([0xc3, 0x28])]) {
      const raw = await rawRequest(
        server.running.httpPort,
        Buffer.concat([Buffer.from(`GET ${server.webhookPath}${ECHO}?a=`), bytes, Buffer.from(' HTTP/1.1\r\nHost: x')]),
      );
      expect(raw.status).toBe(400);
      expect(raw.body).toEqual({ error: 'BAD_REQUEST', error_description: 'Malformed HTTP request' });
    }
  });

  it('refuses invalid UTF-8 in form, text, multipart and JSON bodies', async () => {
    const bad = Buffer.from([0x61, 0x3d, 0xff]); // a=\xff
    const form = multipart([{ name: 'a', value: Buffer.from([0xff]) }]);
    const bodies: [Buffer, string][] = [
      [bad, 'application/x-www-form-urlencoded'],
      [Buffer.from('a=%C3'), 'application/x-www-form-urlencoded'],
      [bad, 'text/plain'],
      [form.body, form.type],
      [Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xff]), Buffer.from('"}')]), 'application/json'],
    ];
    for (const [body, type] of bodies) {
      const answer = await request(`${server.webhookUrl}${ECHO}`, { method: 'POST', headers: { 'content-type': type }, body });
      expect(answer.status, type).toBe(400);
      expect(answer.body).toEqual(WRONG_ENCODING);
    }
  });
});
