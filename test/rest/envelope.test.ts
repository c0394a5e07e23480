// The success and error envelopes (rest-protocol.md §2, §3, §6) checked on the exact bytes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { callGet, callJson, startTestServer, type TestServer } from '../helpers/server.js';

// The server runs in this process; pin its zone so date('c') strings are exact.
process.env.TZ = 'UTC';

const START = Date.UTC(2026, 0, 1, 0, 0, 0); // 1767225600
let server: TestServer;
const clock = new ManualClock(START);

beforeAll(async () => {
  server = await startTestServer({ manualClock: clock });
});
afterAll(async () => {
  await server.close();
});

describe('time block (§2.2)', () => {
  it('prints whole floats with .0, date_* with a numeric offset, an integer operating_reset_at', async () => {
    clock.set(START);
    const answer = await callJson(server, 'server.time');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(answer.text).toBe(
      '{"result":"2026-01-01T00:00:00+00:00","time":{"start":1767225600.0,"finish":1767225600.0,' +
        '"duration":0.0,"processing":0.0,"date_start":"2026-01-01T00:00:00+00:00",' +
        '"date_finish":"2026-01-01T00:00:00+00:00","operating_reset_at":1767226200,"operating":0.0}}',
    );
  });

  it('measures the method: processing, duration and operating follow the clock', async () => {
    clock.set(START + 500);
    const answer = await callGet(server, 'salestrace.test.work', 'seconds=2.25');
    expect(answer.body.result).toBe(true);
    expect(answer.text).toContain(
      '"time":{"start":1767225600.5,"finish":1767225602.75,"duration":2.25,"processing":2.25,' +
        '"date_start":"2026-01-01T00:00:00+00:00","date_finish":"2026-01-01T00:00:02+00:00",' +
        '"operating_reset_at":1767226200,"operating":2.25}',
    );
  });

  it('renders the server zone offset in date_start / date_finish and server.time', async () => {
    process.env.TZ = 'Europe/Moscow';
    try {
      clock.set(START);
      const answer = await callJson(server, 'server.time');
      expect(answer.body.result).toBe('2026-01-01T03:00:00+03:00');
      expect(answer.body.time.date_start).toBe('2026-01-01T03:00:00+03:00');
    } finally {
      process.env.TZ = 'UTC';
    }
  });
});

describe('list envelope: next and total (§2.1, §6)', () => {
  const ids = (answer: { body: any }) => answer.body.result.map((row: { ID: string }) => Number(row.ID));

  it('pages 120 rows by 50 with next only while rows remain', async () => {
    const first = await callGet(server, 'salestrace.test.list', 'count=120');
    expect(first.text).toMatch(/^\{"result":\[\{"ID":"1"\},.*\{"ID":"50"\}\],"next":50,"total":120,"time":\{/);
    expect(ids(first)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    const second = await callGet(server, 'salestrace.test.list', 'count=120&start=50');
    expect(second.body.next).toBe(100);
    expect(ids(second)[0]).toBe(51);
    const last = await callGet(server, 'salestrace.test.list', 'count=120&start=100');
    expect(last.body.result).toHaveLength(20);
    expect('next' in last.body).toBe(false);
    expect(last.body.total).toBe(120);
  });

  it('snaps an offset down to a page boundary', async () => {
    const answer = await callGet(server, 'salestrace.test.list', 'count=120&start=77');
    expect(ids(answer)[0]).toBe(51);
    expect(answer.body.next).toBe(100);
  });

  it('start=-1 counts nothing: legacy lists report total 0 and no next', async () => {
    const answer = await callJson(server, 'salestrace.test.list', { count: 120, start: -1 });
    expect(answer.body.result).toHaveLength(50);
    expect(answer.text).toMatch(/\],"total":0,"time":/);
    expect('next' in answer.body).toBe(false);
  });

  it('start=-1 on a D7-style list reports neither next nor total', async () => {
    const answer = await callJson(server, 'salestrace.test.list', { count: 120, start: -1, style: 'd7' });
    expect(answer.body.result).toHaveLength(50);
    expect(answer.text).toMatch(/\],"time":/);
    expect('total' in answer.body).toBe(false);
    expect('next' in answer.body).toBe(false);
  });

  it('an empty list is [] with total 0', async () => {
    const answer = await callGet(server, 'salestrace.test.list', 'count=0');
    expect(answer.text).toMatch(/^\{"result":\[\],"total":0,"time":/);
  });
});

describe('PHP shapes (§2.3)', () => {
  it('an empty map is []', async () => {
    const answer = await callJson(server, 'salestrace.test.echo', {});
    expect(answer.text).toMatch(/^\{"result":\{"params":\[\],"start":0\},"time":/);
  });

  it('keys 0..n-1 are a list, anything else an object', async () => {
    const list = await callGet(server, 'salestrace.test.echo', 'a[0]=x&a[1]=y&b[1]=x&c[0]=x&c[2]=y');
    expect(list.text).toContain('"params":{"a":["x","y"],"b":{"1":"x"},"c":{"0":"x","2":"y"}}');
  });
});

describe('error envelope (§3)', () => {
  it('carries error and error_description, no result and no time, with the registry status', async () => {
    const cases: [string, number, string][] = [
      ['ERROR_CORE', 400, '{"error":"ERROR_CORE","error_description":"test failure"}'],
      ['LEGACY', 400, '{"error":"","error_description":"test failure"}'],
      ['ACCESS_DENIED', 403, '{"error":"ACCESS_DENIED","error_description":"Access denied!"}'],
      ['QUERY_LIMIT_EXCEEDED', 503, '{"error":"QUERY_LIMIT_EXCEEDED","error_description":"Too many requests"}'],
      ['OPERATION_TIME_LIMIT', 429, '{"error":"OPERATION_TIME_LIMIT","error_description":"Method is blocked due to operation time limit."}'],
      ['EXPIRED_TOKEN', 401, '{"error":"expired_token","error_description":"The access token provided has expired"}'],
      ['PORTAL_DELETED', 403, '{"error":"PORTAL_DELETED","error_description":"Portal was deleted"}'],
    ];
    for (const [key, status, body] of cases) {
      const answer = await callGet(server, 'salestrace.test.fail', `key=${key}`);
      expect(answer.status, key).toBe(status);
      expect(answer.text).toBe(body);
    }
  });

  it('answers an unexpected exception with a bare 500 INTERNAL_SERVER_ERROR, no stack', async () => {
    const answer = await callGet(server, 'salestrace.test.fail', 'key=crash');
    expect(answer.status).toBe(500);
    expect(answer.text).toBe('{"error":"INTERNAL_SERVER_ERROR","error_description":"Internal server error"}');
  });

  it('answers a statement the database refuses as core does: 500 ERROR_CORE "SQL query error!", no SQL text', async () => {
    const answer = await callGet(server, 'salestrace.test.fail', 'key=sql');
    expect(answer.status).toBe(500);
    expect(answer.text).toBe('{"error":"ERROR_CORE","error_description":"SQL query error!"}');
  });
});
