// @2bad/bitrix, unmodified, as a second witness (clients.md §2): plain HTTP, every call a GET
// with the parameters in the query. It throttles itself to 2 requests a second, so the calls
// here are few. A got hook only records what it sends.
import { Bitrix } from '@2bad/bitrix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
const sent: string[] = [];
let bitrix: ReturnType<typeof Bitrix>;

function client(base: string) {
  return Bitrix(base, undefined, {
    hooks: { beforeRequest: [(options) => void sent.push(`${options.method} ${String(options.url)}`)] },
  });
}

beforeAll(async () => {
  server = await startTestServer();
  bitrix = client(server.webhookUrl.replace(/\/$/, ''));
});
afterAll(async () => {
  await server.close();
});

/** The status of the got HTTPError a call throws. */
async function failure(call: () => Promise<unknown>): Promise<{ status: number; body: unknown }> {
  try {
    await call();
  } catch (error) {
    const response = (error as { response?: { statusCode: number; body: unknown } }).response;
    if (response) return { status: response.statusCode, body: response.body };
    throw error;
  }
  throw new Error('the call did not fail');
}

describe('@2bad/bitrix against Salestrace', () => {
  it('makes a single call as a GET with the parameters in the query', async () => {
    sent.length = 0;
    const payload = (await bitrix.call('salestrace.test.echo' as never, { fields: { TITLE: 'Тест & co', FLAG: true }, list: [1, 2] } as never)) as any;
    expect(payload.result.params).toEqual({ fields: { TITLE: 'Тест & co', FLAG: 'true' }, list: ['1', '2'] });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(new RegExp(`^GET ${server.webhookUrl}salestrace\\.test\\.echo\\?fields%5BTITLE%5D=`));
  });

  it('runs a batch (cmd in the query, no halt) with a $result reference', async () => {
    sent.length = 0;
    const payload = (await bitrix.batch({
      list: { method: 'salestrace.test.list', params: { count: 3 } },
      echo: { method: 'salestrace.test.echo', params: { id: '$result[list][1][ID]' } },
    } as never)) as any;
    expect(payload.result.result.list).toEqual([{ ID: '1' }, { ID: '2' }, { ID: '3' }]);
    expect(payload.result.result.echo.params).toEqual({ id: '2' });
    expect(payload.result.result_error).toEqual([]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^GET .*\/batch\?cmd%5Blist%5D=salestrace\.test\.list%3Fcount%3D3&cmd%5Becho%5D=/);
  });

  it('pages a list through next and total', async () => {
    sent.length = 0;
    const payload = (await bitrix.list('salestrace.test.list' as never, { count: 120 } as never)) as any;
    expect(payload.result.map((row: { ID: string }) => Number(row.ID))).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
    expect(payload.total).toBe(120);
    expect(sent.every((line) => line.startsWith('GET '))).toBe(true);
  });

  it('sees the Bitrix statuses for 400, 401, 404 and 503', async () => {
    expect(await failure(() => bitrix.call('salestrace.test.fail' as never, { key: 'ERROR_CORE' } as never))).toEqual({
      status: 400,
      body: { error: 'ERROR_CORE', error_description: 'test failure' },
    });
    const wrong = client(`${server.httpUrl}/rest/1/wrongsecret`);
    expect(await failure(() => wrong.call('server.time' as never, {} as never))).toEqual({
      status: 401,
      body: { error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' },
    });
    expect(await failure(() => bitrix.call('no.such.method' as never, {} as never))).toEqual({
      status: 404,
      body: { error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' },
    });
    sent.length = 0;
    expect(await failure(() => bitrix.call('salestrace.test.fail' as never, { key: 'QUERY_LIMIT_EXCEEDED' } as never))).toEqual({
      status: 503,
      body: { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' },
    });
    // got retries a 503 twice before giving up.
    expect(sent).toHaveLength(3);
  });
});
