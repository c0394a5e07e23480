// b24jssdk retries a 503 QUERY_LIMIT_EXCEEDED (clients.md §1.6) and gets through once the
// server's bucket has drained. Real clock: the SDK really waits.
import { B24Hook } from '@bitrix24/b24jssdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ config: { plan: 'standard', rateBurst: '3', rateDrain: '2' } });
});
afterAll(async () => {
  await server.close();
});

it('retries after 503 QUERY_LIMIT_EXCEEDED and succeeds once the bucket drains', async () => {
  const limiter = server.services.rateLimiter!;
  const take = limiter.take.bind(limiter);
  let refused = 0;
  limiter.take = async (key: string) => {
    const wait = await take(key);
    if (wait !== null) refused++;
    return wait;
  };
  // Client-side throttling off, so the server's limit is what the SDK meets.
  const b24 = B24Hook.fromWebhookUrl(server.webhookHttpsUrl, {
    restrictionParams: { rateLimit: { burstLimit: 10_000, drainRate: 1000, adaptiveEnabled: false } },
  });
  const started = performance.now();
  const answers = await Promise.all(
    Array.from({ length: 6 }, () => b24.actions.v2.call.make<string>({ method: 'server.time', params: {} })),
  );
  const elapsed = performance.now() - started;
  expect(answers.every((answer) => answer.isSuccess)).toBe(true);
  expect(refused).toBeGreaterThanOrEqual(3);
  expect(elapsed).toBeGreaterThan(900);
});
