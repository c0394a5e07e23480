// The operating-time limit (rest-protocol.md §4.2, limits.md), driven by the manual clock:
// `salestrace.test.work?seconds=S` moves the clock by S seconds while it runs, so a call
// "takes" S seconds without anyone sleeping.
import { afterEach, describe, expect, it } from 'vitest';
import { addWebhook } from '../../src/auth/webhooks.js';
import type { ManualClock } from '../../src/clock.js';
import { callJson, expectTimeBlock, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const BLOCKED = { error: 'OPERATION_TIME_LIMIT', error_description: 'Method is blocked due to operation time limit.' };

function work(s: TestServer, seconds: number, base = s.webhookUrl) {
  return callJson(s, 'salestrace.test.work', { seconds }, base);
}

function nowSeconds(s: TestServer): number {
  return s.clock.now() / 1000;
}

describe('accounting', () => {
  it('reports operating (this call included) and operating_reset_at = first call of the oldest bucket + 600', async () => {
    server = await startTestServer({ manualClock: true });
    const firstStart = Math.floor(nowSeconds(server));
    const first = await work(server, 100);
    expect(first.status).toBe(200);
    expectTimeBlock(first.body.time);
    expect(first.body.time.operating).toBe(100);
    expect(first.body.time.operating_reset_at).toBe(firstStart + 600);
    expect(first.body.time.processing).toBe(100);
    expect(first.text).toContain('"operating_reset_at":' + (firstStart + 600) + ',');

    const second = await work(server, 30.5);
    expect(second.body.time.operating).toBe(130.5);
    expect(second.body.time.operating_reset_at).toBe(firstStart + 600);
  });

  it('with nothing recorded reports operating 0 and this call\'s start + 600', async () => {
    server = await startTestServer({ manualClock: true });
    (server.clock as ManualClock).set(1_769_494_687_250);
    const answer = await callJson(server, 'server.time');
    expect(answer.body.time.operating).toBe(0);
    expect(answer.body.time.operating_reset_at).toBe(1_769_494_687 + 600);
    expect(answer.text).toMatch(/"operating":0\.0\}/);
  });

  it('records only calls longer than 0.1 s', async () => {
    server = await startTestServer({ manualClock: true });
    expect((await work(server, 0.1)).body.time.operating).toBe(0);
    expect((await work(server, 0.05)).body.time.operating).toBe(0);
    expect((await work(server, 0.11)).body.time.operating).toBe(0.11);
  });

  it('keeps each method separate, and each webhook separate', async () => {
    server = await startTestServer({ manualClock: true });
    await work(server, 200);
    expect((await callJson(server, 'server.time')).body.time.operating).toBe(0);
    const other = await addWebhook(server.services.db, { userId: 1, scopes: ['user'] }, nowSeconds(server));
    const otherBase = `${server.httpUrl}/rest/1/${other.secret}/`;
    expect((await work(server, 1, otherBase)).body.time.operating).toBe(1);
    expect((await work(server, 1)).body.time.operating).toBe(201);
  });

  it('does not count batch itself; each row is counted under its own method', async () => {
    server = await startTestServer({ manualClock: true });
    const batch = await callJson(server, 'batch', {
      halt: 0,
      cmd: { a: 'salestrace.test.work?seconds=40', b: 'salestrace.test.work?seconds=60', t: 'server.time' },
    });
    expect(batch.status).toBe(200);
    expect(batch.body.time.operating).toBe(0);
    expect(batch.body.result.result_time.a.operating).toBe(40);
    expect(batch.body.result.result_time.b.operating).toBe(100);
    expect(batch.body.result.result_time.t.operating).toBe(0);
    expect((await work(server, 1)).body.time.operating).toBe(101);
  });
});

describe('the limit (480 s by default)', () => {
  it('lets the crossing call finish, blocks the next with 429, and leaves other methods and webhooks alone', async () => {
    server = await startTestServer({ manualClock: true });
    for (let i = 1; i <= 4; i++) expect((await work(server, 100)).body.time.operating).toBe(i * 100);
    // 400 s is not over 480: this call runs and takes the sum to 500.
    const crossing = await work(server, 100);
    expect(crossing.status).toBe(200);
    expect(crossing.body.time.operating).toBe(500);

    const blocked = await work(server, 1);
    expect(blocked.status).toBe(429);
    expect(blocked.body).toEqual(BLOCKED);
    expect(blocked.headers.get('content-type')).toBe('application/json; charset=utf-8');

    expect((await callJson(server, 'server.time')).status).toBe(200);
    const other = await addWebhook(server.services.db, { userId: 1, scopes: ['user'] }, nowSeconds(server));
    expect((await work(server, 1, `${server.httpUrl}/rest/1/${other.secret}/`)).status).toBe(200);

    // Inside a batch the row fails and the batch answers 200.
    const batch = await callJson(server, 'batch', { halt: 0, cmd: ['salestrace.test.work?seconds=1', 'server.time'] });
    expect(batch.status).toBe(200);
    expect(batch.body.result.result_error).toEqual([BLOCKED]);
    expect(batch.body.result.result).toEqual({ 1: expect.any(String) });
  });

  it('recovers when the oldest bucket expires at operating_reset_at, not a second earlier', async () => {
    server = await startTestServer({ manualClock: true });
    const clock = server.clock as ManualClock;
    const start = Math.floor(nowSeconds(server));
    clock.set(start * 1000); // a whole second, so the first bucket's reset moment is exact
    let last;
    for (let i = 0; i < 5; i++) last = await work(server, 100);
    expect(last!.body.time.operating).toBe(500);
    const resetAt = last!.body.time.operating_reset_at;
    expect(resetAt).toBe(start + 600);

    clock.set(resetAt * 1000 - 1);
    expect((await work(server, 1)).body).toEqual(BLOCKED);
    clock.set(resetAt * 1000);
    const recovered = await work(server, 1);
    expect(recovered.status).toBe(200);
    // The first 100 s left the window; the next-oldest bucket began at start + 100.
    expect(recovered.body.time.operating).toBe(401);
    expect(recovered.body.time.operating_reset_at).toBe(start + 100 + 600);
  });

  it('counts ten minutes from the first call of each minute bucket', async () => {
    server = await startTestServer({ manualClock: true });
    const clock = server.clock as ManualClock;
    const minute = Math.floor(nowSeconds(server) / 60) * 60;
    clock.set((minute + 20) * 1000);
    await work(server, 1); // bucket of `minute`, first call at :20
    clock.set((minute + 50) * 1000);
    const same = await work(server, 2); // same bucket
    expect(same.body.time.operating).toBe(3);
    expect(same.body.time.operating_reset_at).toBe(minute + 20 + 600);
    clock.set((minute + 619) * 1000);
    expect((await callJson(server, 'server.time')).status).toBe(200);
    expect((await work(server, 0.5)).body.time.operating).toBe(3.5);
    clock.set((minute + 620) * 1000);
    const after = await work(server, 0.5);
    expect(after.body.time.operating).toBe(1);
  });

  it('counts a call that takes time and then fails, whichever way it fails', async () => {
    server = await startTestServer({ manualClock: true });
    const failed = await callJson(server, 'salestrace.test.work', { seconds: 200, fail: 'ERROR_CORE' });
    expect([failed.status, failed.body]).toEqual([400, { error: 'ERROR_CORE', error_description: 'test failure' }]);
    const crashed = await callJson(server, 'salestrace.test.work', { seconds: 200, fail: 'crash' });
    expect(crashed.status).toBe(500);
    const inBatch = await callJson(server, 'batch', { cmd: { slow: 'salestrace.test.work?seconds=50&fail=ERROR_CORE' } });
    expect(inBatch.body.result.result_error.slow.error).toBe('ERROR_CORE');
    expect((await work(server, 1)).body.time.operating).toBe(451);
    // 451 s is not over 480, so that call ran; one more failing call crosses the limit.
    await callJson(server, 'salestrace.test.work', { seconds: 30, fail: 'ERROR_CORE' });
    expect((await work(server, 1)).body).toEqual(BLOCKED);
  });

  it('a method exactly at the limit is not yet blocked; the first second over it is', async () => {
    server = await startTestServer({ manualClock: true, config: { operatingLimitSeconds: '60' } });
    expect((await work(server, 60)).body.time.operating).toBe(60);
    const atLimit = await work(server, 1);
    expect(atLimit.status).toBe(200);
    expect(atLimit.body.time.operating).toBe(61);
    expect((await work(server, 1)).body).toEqual(BLOCKED);
  });

  it('is configurable (--operating-limit 60) and can be turned off while still reporting', async () => {
    server = await startTestServer({ manualClock: true, config: { operatingLimitSeconds: '60' } });
    await work(server, 61);
    expect((await work(server, 1)).body).toEqual(BLOCKED);
    await server.close();

    server = await startTestServer({ manualClock: true, config: { operatingLimitSeconds: 'off' } });
    for (let i = 0; i < 6; i++) await work(server, 100);
    const unlimited = await work(server, 1);
    expect(unlimited.status).toBe(200);
    expect(unlimited.body.time.operating).toBe(601 - 100); // the first call's bucket has expired
  });
});
