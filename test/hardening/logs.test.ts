// Secrets and tokens never reach the log: a server logging at trace level handles webhook
// calls, token calls, the token endpoint and the sign-in form, with failures and a crash,
// and the captured pino output is searched for every secret involved.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createLogger, redactUrl } from '../../src/logger.js';
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
  // The webhook secret as `ap`, and token parameters whose names PHP decodes or mangles to `auth`.
  await request(`${server.httpUrl}/rest/salestrace.test.fail?key=crash&aplogin=1&ap=${server.secret}`);
  await request(`${server.httpUrl}/rest/salestrace.test.fail?key=crash&%61uth=${pair.accessToken}`);
  await request(`${server.httpUrl}/rest/salestrace.test.fail?key=crash&access.token=${pair.accessToken}`);

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
  expect(log).toContain('"url":"/rest/salestrace.test.fail?key=crash&aplogin=1&ap=***"');
  expect(log).toContain('"url":"/rest/salestrace.test.fail?key=crash&%61uth=***"');
  expect(log).toContain('"url":"/rest/salestrace.test.fail?key=crash&access.token=***"');
  expect(log).toContain('REST call timed out');
  // ...and no secret is in it.
  for (const secret of secrets) expect(log.includes(secret), `log contains ${secret.slice(0, 4)}…`).toBe(false);
});

it('masks a parameter by the name PHP reads, whatever the spelling', () => {
  const cases: [string, string][] = [
    ['/rest/batch?aplogin=1&ap=S3CR3T', '/rest/batch?aplogin=1&ap=***'],
    ['/rest/server.time?%61uth=S3CR3T', '/rest/server.time?%61uth=***'],
    ['/rest/server.time?AUTH=S3CR3T&x=1', '/rest/server.time?AUTH=***&x=1'],
    ['/rest/server.time?auth[0]=S3CR3T', '/rest/server.time?auth[0]=***'],
    ['/rest/server.time?auth%5B%5D=S3CR3T', '/rest/server.time?auth%5B%5D=***'],
    ['/rest/server.time?+auth=S3CR3T', '/rest/server.time?+auth=***'],
    ['/rest/server.time?access.token=S3CR3T', '/rest/server.time?access.token=***'],
    ['/rest/server.time?refresh%20token=S3CR3T', '/rest/server.time?refresh%20token=***'],
    ['/oauth/token/?client_secret=S3CR3T&code=C0DE&grant_type=x', '/oauth/token/?client_secret=***&code=***&grant_type=x'],
    ['/oauth/authorize/?password=S3CR3T&token=T0K', '/oauth/authorize/?password=***&token=***'],
    // Names that only look alike are left alone; so is a secret-looking value under another name.
    ['/rest/server.time?author=a&apx=b&auth_x=c&x=auth', '/rest/server.time?author=a&apx=b&auth_x=c&x=auth'],
    // A name that is not valid UTF-8 cannot be read: its value is masked rather than guessed at.
    ['/rest/server.time?%FFauth=S3CR3T', '/rest/server.time?%FFauth=***'],
    ['/rest/1/S3CR3T/server.time?a=1', '/rest/1/***/server.time?a=1'],
    ['//rest//7//S3CR3T//profile', '//rest//7//***//profile'],
  ];
  for (const [url, masked] of cases) expect(redactUrl(url), url).toBe(masked);
});
