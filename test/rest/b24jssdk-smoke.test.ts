import { B24Hook } from '@bitrix24/b24jssdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

it('b24jssdk calls server.time over HTTPS with the generated certificate', async () => {
  const b24 = B24Hook.fromWebhookUrl(server.webhookHttpsUrl);
  const response = await b24.actions.v2.call.make<string>({ method: 'server.time', params: {} });
  expect(response.isSuccess).toBe(true);
  expect(response.getData()!.result).toMatch(/^\d{4}-/);
});
