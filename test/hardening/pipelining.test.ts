// A malformed request pipelined behind valid ones (issue 18, finding 9): the valid requests are
// answered in full and in order, and only then the 400 for the malformed one, on a connection
// the server then closes. Before, the 400 was written while the first answer was still being
// made, so the client got the 400 and lost the answer it was owed.
import net from 'node:net';
import tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAnswers, readUntilClose, type RawAnswer } from '../helpers/raw.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const MALFORMED = 'NONSENSE\r\n\r\n';
const BAD_REQUEST = '{"error":"BAD_REQUEST","error_description":"Malformed HTTP request"}';

function get(path: string): string {
  return `GET ${path} HTTP/1.1\r\nHost: x\r\n\r\n`;
}

/**
 * Writes `payload` in one write on a fresh connection (then each of `later`), and returns every
 * answer read before the server closed it.
 */
function exchange(secure: boolean, payload: string, later: string[] = []): Promise<RawAnswer[]> {
  const send = () => {
    socket.write(payload);
    // More bytes while the first answers are still being made, 50 ms apart.
    later.forEach((bytes, index) => setTimeout(() => socket.writable && socket.write(bytes), 50 * (index + 1)));
  };
  const socket: net.Socket = secure
    ? tls.connect({ port: server.running.httpsPort!, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false }, send)
    : net.connect(server.running.httpPort, '127.0.0.1', send);
  return readUntilClose(socket, parseAnswers);
}

function expectBadRequest(answer: RawAnswer): void {
  expect(answer.status).toBe(400);
  expect(answer.headers.connection).toBe('close');
  expect(answer.text).toBe(BAD_REQUEST);
}

describe.each([
  ['HTTP', false],
  ['HTTPS', true],
])('a malformed request behind valid ones (%s)', (_name, secure) => {
  it('answers the valid request in full first, then 400, then closes', async () => {
    const answers = await exchange(secure, get(`${server.webhookPath}server.time`) + MALFORMED);
    expect(answers.map((answer) => answer.status)).toEqual([200, 400]);
    expect(typeof answers[0].body.result).toBe('string');
    expect(answers[0].body.time).toBeDefined();
    expectBadRequest(answers[1]);
  });

  it('waits for a slow answer, and for every valid request before the malformed one, in order', async () => {
    const payload =
      get(`${server.webhookPath}salestrace.test.work?seconds=0.3`) + get(`${server.webhookPath}user.current`) + MALFORMED;
    const answers = await exchange(secure, payload);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 400]);
    expect(answers[0].body.result).toBe(true);
    expect(answers[1].body.result.ID).toBe('1');
    expectBadRequest(answers[2]);
  });

  it('waits for a slow answer behind a quick one', async () => {
    const payload =
      get(`${server.webhookPath}server.time`) + get(`${server.webhookPath}salestrace.test.work?seconds=0.3`) + MALFORMED;
    const answers = await exchange(secure, payload);
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 400]);
    expect(answers[1].body.result).toBe(true);
    expectBadRequest(answers[2]);
  });

  it('answers once, however much more the client sends after the malformed request', async () => {
    const answers = await exchange(secure, get(`${server.webhookPath}salestrace.test.work?seconds=0.3`) + MALFORMED, ['MORE NONSENSE\r\n\r\n', 'AND MORE\r\n\r\n']);
    expect(answers.map((answer) => answer.status)).toEqual([200, 400]);
    expectBadRequest(answers[1]);
  });

  it('answers at once when the broken part is the body of the request being read (it gets no answer of its own)', async () => {
    const head = `POST ${server.webhookPath}server.time HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n`;
    const answers = await exchange(secure, head + 'not-a-chunk-size\r\n\r\n');
    expect(answers).toHaveLength(1);
    expectBadRequest(answers[0]);
  });

  it('still answers a malformed request on an idle connection at once', async () => {
    const answers = await exchange(secure, MALFORMED);
    expect(answers).toHaveLength(1);
    expectBadRequest(answers[0]);
  });

});
