import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, expectTimeBlock, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('smoke', () => {
  it('answers server.time with a full time block', async () => {
    const answer = await callJson(server, 'server.time');
    expect(answer.status).toBe(200);
    expect(answer.body.result).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expectTimeBlock(answer.body.time);
  });
});
