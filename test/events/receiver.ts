// A real HTTP receiver for delivered events: keeps every request's raw body, decoded with PHP's
// parse_str rules (src/php/query.ts, the same rules a PHP handler applies), and answers each
// with what the test asks for.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { parsePhpQuery, type PhpMap } from '../../src/php/query.js';

export interface Received {
  readonly raw: string;
  readonly contentType: string | undefined;
  readonly body: PhpMap;
  /** Date.now() when the request arrived. */
  readonly at: number;
}

export interface Receiver {
  readonly url: string;
  readonly received: Received[];
  /** Status to answer with (default 200) and a delay before answering. */
  answer: { status: number; delayMs: number };
  /** Resolves when `count` requests have arrived (rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(path = '/handler/'): Promise<Receiver> {
  const received: Received[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const receiver = {
    url: '',
    received,
    answer: { status: 200, delayMs: 0 },
  } as Receiver & { url: string };
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      received.push({ raw, contentType: request.headers['content-type'], body: parsePhpQuery(raw), at: Date.now() });
      for (const waiter of waiters.filter((w) => received.length >= w.count)) waiter.resolve();
      const { status, delayMs } = receiver.answer;
      setTimeout(() => {
        response.statusCode = status;
        response.end('ok');
      }, delayMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  receiver.waitFor = (count, timeoutMs = 10_000) =>
    new Promise((resolve, reject) => {
      if (received.length >= count) return resolve(received.slice());
      const timer = setTimeout(() => reject(new Error(`expected ${count} requests, got ${received.length}`)), timeoutMs);
      waiters.push({ count, resolve: () => (clearTimeout(timer), resolve(received.slice())) });
    });
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
