// The request timeout (limits.md: 60 s in the cloud): a slow method and a slow client both get
// a JSON error in time, and the server goes on answering.
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: { requestTimeoutMs: '400' } });
});
afterAll(async () => {
  await server.close();
});

it('defaults to 60 seconds', async () => {
  const plain = await startTestServer();
  try {
    expect(plain.services.config.requestTimeoutMs).toBe(60_000);
    expect(plain.running.app.server.requestTimeout).toBe(60_000);
  } finally {
    await plain.close();
  }
});

describe('a method that runs too long', () => {
  it('gets 504 REQUEST_TIMEOUT when the timeout passes, not when the method ends', async () => {
    const started = performance.now();
    const answer = await callJson(server, 'salestrace.test.work', { seconds: 3 });
    const elapsed = performance.now() - started;
    expect(answer.status).toBe(504);
    expect(answer.body).toEqual({ error: 'REQUEST_TIMEOUT', error_description: 'The request took longer than 0.4 s and was stopped' });
    expect(elapsed).toBeGreaterThanOrEqual(390);
    expect(elapsed).toBeLessThan(2000);
    expect((await callJson(server, 'server.time')).status).toBe(200);
  });

  it('a method that finishes in time is answered normally', async () => {
    const answer = await callJson(server, 'salestrace.test.work', { seconds: 0.1 });
    expect(answer.status).toBe(200);
    expect(answer.body.result).toBe(true);
  });
});

/** Sends `head` (and never the rest) on a raw socket; resolves with what the server wrote. */
function stall(port: number, head: string): Promise<{ text: string; elapsed: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const socket = net.connect(port, '127.0.0.1', () => socket.write(head));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('close', () => resolve({ text, elapsed: performance.now() - started }));
    socket.on('error', reject);
    setTimeout(() => socket.destroy(), 5000);
  });
}

describe('a client that sends too slowly', () => {
  const expected = '{"error":"REQUEST_TIMEOUT","error_description":"The request was not received completely within 0.4 s"}';

  it('an unfinished body gets 408 with a JSON body and the connection closed', async () => {
    const { text, elapsed } = await stall(
      server.running.httpPort,
      `POST ${server.webhookPath}server.time HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"a":`,
    );
    expect(text.startsWith('HTTP/1.1 408 Request Timeout\r\n')).toBe(true);
    expect(text).toContain('Content-Type: application/json; charset=utf-8');
    expect(text.endsWith(`\r\n\r\n${expected}`)).toBe(true);
    expect(elapsed).toBeLessThan(2500);
  });

  it('unfinished headers get the same answer', async () => {
    const { text } = await stall(server.running.httpPort, `GET ${server.webhookPath}server.time HTTP/1.1\r\nHost: x\r\nX-Slow: `);
    expect(text.startsWith('HTTP/1.1 408 Request Timeout\r\n')).toBe(true);
    expect(text.endsWith(expected)).toBe(true);
  });

  it('over HTTPS too', async () => {
    const tls = await import('node:tls');
    const text = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ port: server.running.httpsPort!, host: '127.0.0.1', servername: 'localhost' }, () => {
        socket.write(`POST ${server.webhookPath}server.time HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\n{`);
      });
      let out = '';
      socket.on('data', (chunk) => (out += chunk.toString('utf8')));
      socket.on('close', () => resolve(out));
      socket.on('error', reject);
      setTimeout(() => socket.destroy(), 5000);
    });
    expect(text.startsWith('HTTP/1.1 408 Request Timeout\r\n')).toBe(true);
    expect(text.endsWith(expected)).toBe(true);
  });

  it('a malformed request line gets a JSON 400', async () => {
    const { text } = await stall(server.running.httpPort, 'NONSENSE\r\n\r\n');
    expect(text.startsWith('HTTP/1.1 400 Bad Request\r\n')).toBe(true);
    expect(text.endsWith('{"error":"BAD_REQUEST","error_description":"Malformed HTTP request"}')).toBe(true);
  });
});
