// The OAuth administration commands, run against a running server's data directory on their own
// database connection, as the `salestrace` command does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { callWithToken } from '../helpers/oauth.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

function cli(...args: string[]) {
  return runCli([...args, '--data', server.dataDir]);
}

describe('app add, list, grant', () => {
  it('registers an app, shows the secret once, and mints a working first token pair', async () => {
    const added = await cli('app', 'add', '--scope', 'crm,user', '--redirect-uri', 'https://example.com/cb', '--title', 'My app');
    expect(added.code).toBe(0);
    const clientId = /^client_id: (local\.[0-9a-f]{14}\.\d{8})$/m.exec(added.stdout)?.[1];
    const secret = /^client_secret: ([a-z0-9]{50})$/m.exec(added.stdout)?.[1];
    expect(clientId).toBeDefined();
    expect(secret).toBeDefined();
    const id = /application (\d+) added/.exec(added.stderr)?.[1];

    const list = await cli('app', 'list');
    expect(list.stdout).toContain(clientId);
    expect(list.stdout).toContain('https://example.com/cb');
    expect(list.stdout).not.toContain(secret);

    const granted = await cli('app', 'grant', '--app', id!, '--user', '1', '--base-url', server.httpUrl);
    expect(granted.code).toBe(0);
    const tokens = JSON.parse(granted.stdout);
    expect(tokens).toMatchObject({
      client_endpoint: `${server.httpUrl}/rest/`,
      server_endpoint: `${server.httpUrl}/rest/`,
      scope: 'crm,user',
      user_id: 1,
      status: 'L',
      expires_in: 3600,
    });
    const me = await callWithToken(server, 'user.current', tokens.access_token);
    expect(me.status).toBe(200);

    // The refresh token from `app grant` works at the token endpoint with the printed secret.
    const refreshed = await fetch(`${server.httpUrl}/oauth/token/`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId!, client_secret: secret!, refresh_token: tokens.refresh_token }),
    });
    expect(refreshed.status).toBe(200);
  });

  it('refuses bad input with a message and exit code 1', async () => {
    for (const args of [
      ['app', 'add', '--scope', 'crm,nonsense'],
      ['app', 'add', '--scope', 'crm', '--redirect-uri', 'ftp://example.com/'],
      ['app', 'add', '--scope', 'crm', '--redirect-uri', 'https://example.com/#frag'],
      ['app', 'grant', '--app', '999', '--user', '1'],
      ['app', 'restrict', '--app', '1'],
      ['app', 'restrict', '--app', '1', '--users', '1', '--all'],
      ['app', 'restrict', '--app', '1', '--users', '12345'],
    ]) {
      const result = await cli(...args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr).toMatch(/^salestrace: /);
    }
  });
});

describe('user passwd', () => {
  it('sets a password from stdin, or prints a random one; never takes it as an argument', async () => {
    const fromStdin = await runCli(['user', 'passwd', '1', '--stdin', '--data', server.dataDir], 'a long passphrase\n');
    expect(fromStdin.code).toBe(0);
    expect(fromStdin.stdout).toBe('password of user 1 set\n');
    const random = await cli('user', 'passwd', '1');
    expect(random.stdout).toMatch(/^password of user 1: [A-Za-z0-9_-]{16}\n$/);
    const short = await runCli(['user', 'passwd', '1', '--stdin', '--data', server.dataDir], 'short\n');
    expect(short.code).toBe(1);
    expect(short.stderr).toContain('at least 8 characters');
    const rows = JSON.stringify(await server.services.db.selectFrom('user_passwords').selectAll().execute());
    expect(rows).toMatch(/scrypt\$16384\$8\$1\$/);
    expect(rows).not.toContain(random.stdout.split(': ')[1].trim());
  });
});
