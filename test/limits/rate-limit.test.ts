// The request-rate limit (rest-protocol.md §4.1, limits.md): a leaky bucket per client IP,
// one count per HTTP request, batch or not. Driven by the manual clock.
import { afterEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/clock.js';
import { callJson, request, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const LIMITED = { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' };

async function burst(s: TestServer, count: number, headers: Record<string, string> = {}): Promise<number[]> {
  const statuses: number[] = [];
  // One after another: the bucket is checked in arrival order.
  for (let i = 0; i < count; i++) {
    const answer = await request(s.webhookUrl + 'server.time', { method: 'POST', headers });
    statuses.push(answer.status);
  }
  return statuses;
}

describe('standard plan: bucket 50, drains 2 per second', () => {
  it('lets 50 requests through at once and refuses the 51st with 503 and Retry-After', async () => {
    server = await startTestServer({ manualClock: true, config: { plan: 'standard' } });
    expect(await burst(server, 50)).toEqual(Array(50).fill(200));
    const refused = await callJson(server, 'server.time');
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual(LIMITED);
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(refused.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('drains 2 per second: after 0.5 s one more request fits, after 25 s the whole bucket', async () => {
    server = await startTestServer({ manualClock: true, config: { plan: 'standard' } });
    const clock = server.clock as ManualClock;
    await burst(server, 50);
    expect((await callJson(server, 'server.time')).status).toBe(503);
    clock.advance(499);
    expect((await callJson(server, 'server.time')).status).toBe(503);
    clock.advance(1);
    expect((await callJson(server, 'server.time')).status).toBe(200);
    expect((await callJson(server, 'server.time')).status).toBe(503);
    clock.advance(25_000);
    expect(await burst(server, 50)).toEqual(Array(50).fill(200));
    expect((await callJson(server, 'server.time')).body).toEqual(LIMITED);
  });

  it('counts a batch of 50 commands as one request', async () => {
    server = await startTestServer({ manualClock: true, config: { plan: 'standard' } });
    await burst(server, 49);
    const cmd = Array.from({ length: 50 }, () => 'server.time');
    const batch = await callJson(server, 'batch', { halt: 0, cmd });
    expect(batch.status).toBe(200);
    expect(batch.body.result.result).toHaveLength(50);
    expect((await callJson(server, 'server.time')).body).toEqual(LIMITED);
  });

  it('counts requests that fail too: an unknown method or bad credentials still use the bucket', async () => {
    server = await startTestServer({ manualClock: true, config: { plan: 'standard', rateBurst: '3' } });
    expect((await callJson(server, 'no.such.method')).status).toBe(404);
    expect((await request(`${server.httpUrl}/rest/1/wrongsecret1/server.time`)).status).toBe(401);
    expect((await callJson(server, 'server.time')).status).toBe(200);
    expect((await callJson(server, 'server.time')).status).toBe(503);
  });
});

describe('enterprise plan and overrides', () => {
  it('enterprise: bucket 250, drains 5 per second', async () => {
    server = await startTestServer({ manualClock: true, config: { plan: 'enterprise' } });
    const clock = server.clock as ManualClock;
    expect((await burst(server, 250)).every((status) => status === 200)).toBe(true);
    expect((await callJson(server, 'server.time')).body).toEqual(LIMITED);
    clock.advance(200);
    expect((await callJson(server, 'server.time')).status).toBe(200);
    expect((await callJson(server, 'server.time')).status).toBe(503);
  });

  it('--rate-burst and --rate-drain override the plan, and apply to the unlimited default too', async () => {
    server = await startTestServer({ manualClock: true, config: { rateBurst: '2', rateDrain: '0.5' } });
    const clock = server.clock as ManualClock;
    expect(await burst(server, 3)).toEqual([200, 200, 503]);
    const refused = await callJson(server, 'server.time');
    expect(refused.headers.get('retry-after')).toBe('2');
    clock.advance(2000);
    expect(await burst(server, 2)).toEqual([200, 503]);
  });

  it('unlimited (the default) never refuses', async () => {
    server = await startTestServer({ manualClock: true });
    expect(server.services.rateLimiter).toBeNull();
    expect((await burst(server, 300)).every((status) => status === 200)).toBe(true);
  });
});

describe('key: the client IP', () => {
  it('behind --trust-proxy each X-Forwarded-For address has its own bucket', async () => {
    server = await startTestServer({ manualClock: true, config: { plan: 'standard', rateBurst: '2', trustProxy: true } });
    const a = { 'x-forwarded-for': '203.0.113.1' };
    const b = { 'x-forwarded-for': '203.0.113.2' };
    expect(await burst(server, 3, a)).toEqual([200, 200, 503]);
    expect(await burst(server, 3, b)).toEqual([200, 200, 503]);
  });

  it('behind --trust-proxy only the entry our proxy appended counts, not what the client put before it', async () => {
    server = await startTestServer({ manualClock: true, config: { plan: 'standard', rateBurst: '2', trustProxy: true } });
    const spoofed = (n: number) => ({ 'x-forwarded-for': `10.0.0.${n}, 203.0.113.9` });
    expect((await request(server.webhookUrl + 'server.time', { headers: spoofed(1) })).status).toBe(200);
    expect((await request(server.webhookUrl + 'server.time', { headers: spoofed(2) })).status).toBe(200);
    expect((await request(server.webhookUrl + 'server.time', { headers: spoofed(3) })).status).toBe(503);
  });

  it('without --trust-proxy X-Forwarded-For is ignored: one client cannot dodge the limit', async () => {
    server = await startTestServer({ manualClock: true, config: { plan: 'standard', rateBurst: '2' } });
    expect(await burst(server, 2, { 'x-forwarded-for': '203.0.113.1' })).toEqual([200, 200]);
    expect(await burst(server, 1, { 'x-forwarded-for': '203.0.113.2' })).toEqual([503]);
  });

  it('does not count CORS preflights, the health check or the OAuth endpoints', async () => {
    server = await startTestServer({ manualClock: true, config: { plan: 'standard', rateBurst: '1' } });
    expect((await request(server.webhookUrl + 'server.time', { method: 'OPTIONS' })).status).toBe(200);
    expect((await request(`${server.httpUrl}/healthz`)).status).toBe(200);
    expect((await request(`${server.httpUrl}/oauth/token/`)).status).toBe(400);
    expect(await burst(server, 2)).toEqual([200, 503]);
  });
});
