// Secrets and tokens never reach the log: a server logging at trace level handles webhook
// calls, token calls, the token endpoint and the sign-in form, with failures and a crash,
// and the captured pino output is searched for every secret involved.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { callWithToken, createTestApp, createTestUser, grantTokens } from '../helpers/oauth.js';
import { callForm, callGet, callJson, request, startTestServer, type TestServer } from '../helpers/server.js';

const lines: string[] = [];
let server: TestServer;

beforeAll(async () => {
  const sink = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  server = await startTestServer({ log: createLogger('trace', sink), config: { requestTimeoutMs: '300' } });
});
afterAll(async () => {
  await server.close();
});

it('never logs webhook secrets, tokens, client secrets, codes or passwords', async () => {
  const app = await createTestApp(server, ['user']);
  const pair = await grantTokens(server, app.app.id);
  const user = await createTestUser(server, 'password-that-must-not-leak');
  const secrets = [server.secret, pair.accessToken, pair.refreshToken, app.clientSecret, user.password];

  // Webhook calls: fine, failing, crashing, timing out, with the secret also echoed in parameters.
  await callJson(server, 'server.time');
  await callGet(server, 'server.time', `echo=${server.secret}`);
  await callJson(server, 'salestrace.test.fail', { key: 'crash', note: server.secret });
  await callForm(server, 'salestrace.test.fail', `key=crash&auth=${pair.accessToken}`);
  await callGet(server, 'salestrace.test.fail', `key=crash&auth=${pair.accessToken}`);
  await request(`${server.httpUrl}/rest/salestrace.test.fail?key=crash&auth=${pair.accessToken}&access_token=${pair.refreshToken}`);
  await callJson(server, 'salestrace.test.work', { seconds: 0.5 });
  await request(`${server.httpUrl}/rest/1/${server.secret}x/server.time`);
  await callJson(server, 'batch', { cmd: [`salestrace.test.fail?key=crash&t=${pair.accessToken}`] });

  // Token calls: good, expired-looking, garbage, in the header and in parameters.
  await callWithToken(server, 'server.time', pair.accessToken);
  await callWithToken(server, 'salestrace.test.fail', pair.accessToken, { key: 'crash' });
  await request(`${server.httpUrl}/rest/server.time`, { headers: { authorization: `Bearer ${pair.accessToken}` } });
  await request(`${server.httpUrl}/rest/server.time?access_token=${pair.refreshToken}`);

  // The token endpoint, right and wrong, and the sign-in form with a wrong and a right password.
  const query = (extra: Record<string, string>) =>
    new URLSearchParams({ grant_type: 'refresh_token', client_id: app.clientId, client_secret: app.clientSecret, ...extra }).toString();
  await request(`${server.httpUrl}/oauth/token/?${query({ refresh_token: pair.accessToken })}`);
  const refreshed = await request(`${server.httpUrl}/oauth/token/?${query({ refresh_token: pair.refreshToken })}`);
  secrets.push(refreshed.body.access_token, refreshed.body.refresh_token);
  for (const password of [user.password + 'x', user.password]) {
    await fetch(`${server.httpUrl}/oauth/authorize/`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ client_id: app.clientId, login: user.login, password }).toString(),
    });
  }
  // Malformed HTTP straight on the socket, with a secret in the request line.
  const net = await import('node:net');
  await new Promise<void>((resolve) => {
    const socket = net.connect(server.running.httpPort, '127.0.0.1', () => socket.write(`GET /rest/1/${server.secret}/x HTTP/1.1\r\nBad Header\r\n\r\n`));
    socket.on('close', () => resolve());
    socket.on('data', () => socket.end());
  });

  const log = lines.join("");
  if (process.env.SHOW_LOG) console.log(log);
  // The crash was logged (with its request id), so the capture works...
  expect(log).toContain('unexpected error while answering a REST call');
  expect(log).toContain('simulated crash');
  // ...with the URL, its secrets masked...
  expect(log).toContain('"url":"/rest/1/***/salestrace.test.fail?key=crash&auth=***"');
  expect(log).toContain('REST call timed out');
  // ...and no secret is in it.
  for (const secret of secrets) expect(log.includes(secret), `log contains ${secret.slice(0, 4)}…`).toBe(false);
});
