// The official JS SDK, unmodified, as an independent witness (clients.md §1): over HTTPS with
// the generated certificate (trusted through NODE_EXTRA_CA_CERTS by the global setup), with its
// client-side rate limits raised as clients.md §1.6 advises.
import { AjaxError, B24Hook } from '@bitrix24/b24jssdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

const FAST = { rateLimit: { burstLimit: 10_000, drainRate: 1_000, adaptiveEnabled: false } };

let server: TestServer;
let b24: B24Hook;
beforeAll(async () => {
  server = await startTestServer();
  b24 = B24Hook.fromWebhookUrl(server.webhookHttpsUrl, { restrictionParams: FAST });
});
afterAll(async () => {
  await server.close();
});

/** The AjaxError a call throws, or a failure when it does not throw one. */
async function thrown(call: () => Promise<unknown>): Promise<AjaxError> {
  try {
    await call();
  } catch (error) {
    if (error instanceof AjaxError) return error;
    throw error;
  }
  throw new Error('the call did not throw');
}

describe('b24jssdk against Salestrace', () => {
  it('makes a single call', async () => {
    const response = await b24.actions.v2.call.make<{ ID: string; ADMIN: boolean }>({ method: 'profile', params: {} });
    expect(response.isSuccess).toBe(true);
    expect(response.getData()!.result).toMatchObject({ ID: '1', ADMIN: true, NAME: 'Administrator' });
    expect(response.getData()!.time.operating_reset_at).toEqual(expect.any(Number));
  });

  it('sends nested JSON parameters that arrive with their types', async () => {
    const params = { fields: { TITLE: 'Тест & co', PHONE: [{ VALUE: '+1 555', VALUE_TYPE: 'WORK' }], FLAG: true, NUM: 1.5 } };
    const response = await b24.actions.v2.call.make<{ params: unknown }>({ method: 'salestrace.test.echo', params });
    // The SDK's telemetry query parameters ride along and reach the method untouched.
    expect(response.getData()!.result.params).toEqual({
      ...params,
      bx24_request_id: expect.any(String),
      bx24_sdk_ver: expect.any(String),
      bx24_sdk_type: 'b24-js-sdk',
    });
  });

  it('runs a batch whose second command uses $result of the first', async () => {
    const response = await b24.actions.v2.batch.make({
      calls: {
        list: { method: 'salestrace.test.list', params: { count: 3 } },
        echo: { method: 'salestrace.test.echo', params: { id: '$result[list][2][ID]', filter: { '>ID': '$result[list][0][ID]' } } },
      },
      options: { isHaltOnError: true },
    });
    expect(response.isSuccess).toBe(true);
    const data = response.getData() as Record<string, any>;
    expect(data.list).toEqual([{ ID: '1' }, { ID: '2' }, { ID: '3' }]);
    expect(data.echo.params).toEqual({ id: '3', filter: { '>ID': '1' } });
  });

  it('runs a list batch and reports a failed row as a failed result', async () => {
    const response = await b24.actions.v2.batch.make({
      calls: [
        ['server.time', {}],
        ['no.such.method', {}],
      ],
      options: { isHaltOnError: false },
    });
    expect(response.isSuccess).toBe(false);
    expect(response.getErrorMessages().join(' ')).toContain('Method not found!');
  });

  it('pages a list with callList (filter[>ID] + start=-1), fetchList and the deprecated callListMethod (next)', async () => {
    const all = await b24.actions.v2.callList.make<{ ID: string }>({ method: 'salestrace.test.list', params: { count: 120 } });
    expect(all.isSuccess).toBe(true);
    expect(all.getData()!.map((row) => Number(row.ID))).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));

    const pages: number[] = [];
    for await (const page of b24.actions.v2.fetchList.make<{ ID: string }>({ method: 'salestrace.test.list', params: { count: 120 } })) {
      pages.push(page.length);
    }
    expect(pages).toEqual([50, 50, 20]);

    const viaNext = await b24.callListMethod('salestrace.test.list', { count: 120 });
    expect(viaNext.isSuccess).toBe(true);
    expect((viaNext.getData() as { ID: string }[]).map((row) => Number(row.ID))).toEqual(Array.from({ length: 120 }, (_, i) => i + 1));
  });

  it('surfaces a 400 with the Bitrix code and text', async () => {
    const error = await thrown(() => b24.actions.v2.call.make({ method: 'salestrace.test.fail', params: { key: 'ERROR_CORE' } }));
    expect(error.status).toBe(400);
    expect(error.code).toBe('ERROR_CORE');
    expect(error.message).toBe('test failure');
  });

  it('surfaces a 401 for a wrong secret', async () => {
    const wrong = B24Hook.fromWebhookUrl(`${server.httpsUrl}/rest/1/wrongsecret/`, { restrictionParams: FAST });
    const error = await thrown(() => wrong.actions.v2.call.make({ method: 'server.time', params: {} }));
    expect(error.status).toBe(401);
    expect(error.code).toBe('INVALID_CREDENTIALS');
    expect(error.message).toBe('Invalid request credentials');
  });

  it('surfaces a 404 for an unknown method', async () => {
    const error = await thrown(() => b24.actions.v2.call.make({ method: 'no.such.method', params: {} }));
    expect(error.status).toBe(404);
    expect(error.code).toBe('ERROR_METHOD_NOT_FOUND');
    expect(error.message).toBe('Method not found!');
  });

  it('retries a 503 QUERY_LIMIT_EXCEEDED and gives up with it when it persists', async () => {
    const started = Date.now();
    const error = await thrown(() =>
      b24.actions.v2.call.make({ method: 'salestrace.test.fail', params: { key: 'QUERY_LIMIT_EXCEEDED' } }),
    );
    expect(error.status).toBe(503);
    expect(error.code).toBe('QUERY_LIMIT_EXCEEDED');
    expect(error.message).toBe('Too many requests');
    expect(Date.now() - started).toBeGreaterThan(1_000); // it waited between attempts
  });
});

describe('b24jssdk against the request-rate limit', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ config: { plan: 'standard', rateBurst: 3, rateDrain: 2 } });
  });
  afterAll(async () => {
    await limited.close();
  });

  it('gets 503 for calls over the burst and succeeds on its retries once the bucket drains', async () => {
    const client = B24Hook.fromWebhookUrl(limited.webhookHttpsUrl, { restrictionParams: FAST });
    const started = Date.now();
    const results = await Promise.all(Array.from({ length: 5 }, () => client.actions.v2.call.make<string>({ method: 'server.time', params: {} })));
    for (const result of results) expect(result.getData()!.result).toMatch(/^\d{4}-/);
    // Two of the five were refused at first and only answered after a retry delay.
    expect(Date.now() - started).toBeGreaterThan(1_000);
  });
});
