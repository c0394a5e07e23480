// `.xml` answers are well-formed XML 1.0 whatever the data holds (issue 18, finding 9): text
// an XML 1.0 document cannot carry, even as a character reference, comes out as U+FFFD.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, request, startTestServer, type TestServer } from '../helpers/server.js';
import { assertWellFormed } from '../helpers/xml.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('the well-formedness check itself', () => {
  it('refuses what it must', () => {
    expect(() => assertWellFormed('<r>a\u0001</r>')).toThrow(/U\+1 /);
    expect(() => assertWellFormed('<r>\uD800</r>')).toThrow(/U\+d800/);
    expect(() => assertWellFormed('<r>\uFFFE</r>')).toThrow(/U\+fffe/);
    expect(() => assertWellFormed('<r><a></r></a>')).toThrow(/does not close/);
    expect(() => assertWellFormed('<r>a & b</r>')).toThrow(/raw &/);
    expect(() => assertWellFormed('<r></r><r></r>')).toThrow(/after the root/);
    expect(() => assertWellFormed('<r>')).toThrow(/not closed/);
    expect(() => assertWellFormed('<r>\t\n\r\u00e9\u{1F600}&amp;&#10;</r>')).not.toThrow();
  });
});

describe('.xml answers with characters XML 1.0 cannot hold', () => {
  const unsafe = {
    nul: 'a\u0000b',
    controls: '\u0001\u0002\u0008\u000B\u000C\u000E\u001F|\t\n\r|\u007F\u0085',
    nonCharacters: 'x\uFFFEy\uFFFFz',
    loneSurrogates: 'p\uD800q\uDC00r',
    pair: '\u{1F600}',
    markup: '<&>"\'',
  };

  it('replaces each with U+FFFD and keeps everything else, in values and in error texts', async () => {
    const answer = await request(`${server.webhookUrl}salestrace.test.echo.xml`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(unsafe),
    });
    expect(answer.status).toBe(200);
    assertWellFormed(answer.text);
    const params = /<params>(.*)<\/params>/s.exec(answer.text)![1];
    expect(params).toBe(
      '<nul>a\uFFFDb</nul>' +
        '<controls>\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD\uFFFD|\t\n\r|\u007F\u0085</controls>' +
        '<nonCharacters>x\uFFFDy\uFFFDz</nonCharacters>' +
        '<loneSurrogates>p\uFFFDq\uFFFDr</loneSurrogates>' +
        '<pair>\u{1F600}</pair>' +
        '<markup>&lt;&amp;&gt;&quot;&apos;</markup>',
    );
  });

  it('the same call in JSON keeps the characters (escaped as JSON allows)', async () => {
    const answer = await callJson(server, 'salestrace.test.echo', unsafe);
    expect(answer.body.result.params).toEqual(unsafe);
  });

  it('error answers are well-formed too', async () => {
    // The error text echoes the key it was given.
    const answer = await request(`${server.webhookUrl}salestrace.test.fail.xml?key=a%01b`);
    expect(answer.status).toBe(400);
    assertWellFormed(answer.text);
    expect(answer.text).toContain('unknown test error key &quot;a\uFFFDb&quot;');
    const notFound = await request(`${server.webhookUrl}no.such%01method%00.xml`);
    expect(notFound.status).toBe(404);
    assertWellFormed(notFound.text);
  });
});
