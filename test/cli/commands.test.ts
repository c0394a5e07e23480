// The administrative commands: `user add|list`, `webhook add|list|revoke`, the `serve` flags and
// SALESTRACE_* variables, and `--data DIR` on every command. `serve` runs as a process, the
// other commands in the test process (inProcess.ts) beside it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { TEST_DIALECT } from '../helpers/database.js';
import { runCli } from './inProcess.js';
import { builtBin, cleanEnv, databaseUrlFor, removeTempDataDir, ROOT, runCli as spawnCli, startServe, tempDataDir, type ServeProcess } from './spawn.js';

const dataDir = await tempDataDir();
let serve: ServeProcess;
let httpBase = '';

beforeAll(async () => {
  serve = await startServe(['--data', dataDir, '--port', '0', '--https-port', 'off']);
  const port = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(serve.output())?.[1];
  httpBase = `http://127.0.0.1:${port}`;
});
afterAll(async () => {
  await serve.stop();
  await removeTempDataDir(dataDir);
});

async function call(url: string): Promise<any> {
  return (await fetch(url)).json() as Promise<any>;
}

describe('./bin/salestrace', () => {
  it('runs directly from the checkout (shebang and executable bit)', async () => {
    const result = await new Promise<{ code: number | null; stdout: string }>((resolve, reject) => {
      const child = spawn(builtBin(), ['--version'], { cwd: ROOT, env: cleanEnv() });
      let stdout = '';
      child.stdout.on('data', (chunk) => (stdout += chunk));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout }));
    });
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });
});

describe('every command takes --data DIR', () => {
  it.each([['serve'], ['user', 'add'], ['user', 'list'], ['webhook', 'add'], ['webhook', 'list'], ['webhook', 'revoke']])(
    '%s %s --help lists --data',
    async (...command) => {
      const help = await runCli([...command.filter(Boolean), '--help']);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(/--data <dir>/);
    },
  );
});

describe('serve flags and environment', () => {
  it('--https-port off serves HTTP only and prints only the HTTP URL', () => {
    const output = serve.output();
    expect(output).toMatch(/^Salestrace listening on http:\/\/127\.0\.0\.1:\d+$/m);
    expect(output).toMatch(/^ {2}http:\/\/127\.0\.0\.1:\d+\/rest\/1\/[a-z0-9]{16}\/$/m);
    expect(output).not.toContain('https://');
    expect(fs.existsSync(path.join(dataDir, 'tls'))).toBe(false);
  });

  it('reads SALESTRACE_DATA, SALESTRACE_HOST, SALESTRACE_PORT and SALESTRACE_HTTPS_PORT, flags winning', async () => {
    const envDir = await tempDataDir();
    const other = await startServe(['--https-port', '0'], {
      SALESTRACE_DATA: envDir,
      SALESTRACE_HOST: 'localhost',
      SALESTRACE_PORT: '0',
      SALESTRACE_HTTPS_PORT: 'off',
    });
    try {
      const output = other.output();
      expect(output).toMatch(/^Salestrace listening on https:\/\/localhost:\d+ and http:\/\/localhost:\d+$/m);
      expect(output).toContain(`Data directory: ${envDir}`);
      expect(fs.existsSync(path.join(envDir, 'webhook.txt'))).toBe(true);
    } finally {
      expect(await other.stop()).toBe(0);
      await removeTempDataDir(envDir);
    }
  });

  it('refuses a bad value with a one-line message naming the flag or variable that gave it, and exit code 1', async () => {
    const levels = 'fatal, error, warn, info, debug, trace, silent';
    const cases: [string[], Record<string, string>, string][] = [
      [['--port', 'eighty'], {}, '--port must be an integer, got "eighty"'],
      [['--port', '99999'], {}, '--port must be between 0 and 65535, got 99999'],
      [[], { SALESTRACE_PORT: '99999' }, 'SALESTRACE_PORT must be between 0 and 65535, got 99999'],
      [['--https-port', '-5'], {}, '--https-port must be between 0 and 65535, got -5'],
      [['--rate-drain', 'fast'], {}, '--rate-drain must be a positive number, got "fast"'],
      [['--plan', 'gold'], {}, '--plan must be one of unlimited, standard, enterprise, free, got "gold"'],
      [[], { SALESTRACE_PLAN: 'gold' }, 'SALESTRACE_PLAN must be one of unlimited, standard, enterprise, free, got "gold"'],
      [['--strict'], { SALESTRACE_REQUIRE_HTTPS: 'perhaps' }, 'SALESTRACE_REQUIRE_HTTPS must be true or false, got "perhaps"'],
      [['--log-level', 'loud'], {}, `--log-level must be one of ${levels}, got "loud"`],
      [[], { SALESTRACE_LOG_LEVEL: 'LOUD' }, `SALESTRACE_LOG_LEVEL must be one of ${levels}, got "LOUD"`],
      // Anything but PostgreSQL is refused rather than quietly replaced by the SQLite file.
      [['--database-url', 'mysql://root:secret@127.0.0.1/crm'], {}, '--database-url must be a postgres:// or postgresql:// URL'],
      [[], { SALESTRACE_DATABASE_URL: 'mysql://root:secret@127.0.0.1/crm' }, 'SALESTRACE_DATABASE_URL must be a postgres:// or postgresql:// URL'],
    ];
    for (const [index, [args, env, message]] of cases.entries()) {
      // The first through the real binary (its exit code), the rest in the test process.
      const run = index === 0 ? spawnCli : runCli;
      const bad = await run(['serve', '--data', dataDir, ...args], env);
      expect(bad.code, message).toBe(1);
      expect(bad.stderr.trim()).toBe(`salestrace: ${message}`);
    }
    // The other commands read the same variables.
    const listed = await runCli(['webhook', 'add', '--data', dataDir, '--user', '1', '--scope', 'crm'], { SALESTRACE_HTTPS_PORT: 'x' });
    expect(listed.stderr.trim()).toBe('salestrace: SALESTRACE_HTTPS_PORT must be an integer, got "x"');
  });
});

describe('user add | list', () => {
  it('refuses to add a user before the first serve created the administrator', async () => {
    const fresh = await tempDataDir();
    try {
      const result = await runCli(['user', 'add', '--data', fresh, '--login', 'early']);
      expect(result.code).toBe(1);
      // On SQLite the directory has no database yet; a PostgreSQL database has no administrator.
      expect(result.stderr.trim()).toBe(
        TEST_DIALECT === 'sqlite'
          ? `salestrace: no database in ${fresh}: run \`salestrace serve --data ${fresh}\` first`
          : 'salestrace: this data directory has no administrator yet: run `salestrace serve` once first',
      );
    } finally {
      await removeTempDataDir(fresh);
    }
  });

  it('adds users and lists them', async () => {
    const added = await runCli(['user', 'add', '--data', dataDir, '--login', 'bob', '--name', 'Bob', '--last-name', 'Smith', '--email', 'bob@example.com']);
    expect(added.code).toBe(0);
    expect(added.stdout.trim()).toBe('user 2 (bob) added');
    const admin = await runCli(['user', 'add', '--data', dataDir, '--login', 'ann', '--admin']);
    expect(admin.stdout.trim()).toBe('user 3 (ann) added as administrator');
    const duplicate = await runCli(['user', 'add', '--data', dataDir, '--login', 'bob']);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr.trim()).toBe('salestrace: a user with login "bob" already exists (ID 2)');
    const list = await runCli(['user', 'list', '--data', dataDir]);
    expect(list.stdout.split('\n').map((line) => line.trimEnd())).toEqual([
      'ID  LOGIN  NAME           ADMIN  ACTIVE',
      '1   admin  Administrator  Y      Y',
      '2   bob    Bob Smith      N      Y',
      '3   ann                   Y      Y',
      '',
    ]);
  });
});

/** The defaults `webhook add` prints when no server runs on the data directory. */
async function expectConfiguredAddresses(): Promise<void> {
  const added = await runCli(['webhook', 'add', '--data', dataDir, '--user', '2', '--scope', 'user']);
  expect(added.stdout.trim()).toMatch(/^https:\/\/127\.0\.0\.1:8443\/rest\/2\/[a-z0-9]{16}\/$/);
  expect(added.stderr.trim().split('\n')[1]).toBe(
    `no server is running on ${dataDir}: the URL names the address serve would use with these settings (--base-url for another)`,
  );
  const env = await runCli(['webhook', 'add', '--data', dataDir, '--user', '2', '--scope', 'user'], { SALESTRACE_HTTPS_PORT: 'off', SALESTRACE_PORT: '9090' });
  expect(env.stdout.trim()).toMatch(/^http:\/\/127\.0\.0\.1:9090\/rest\/2\/[a-z0-9]{16}\/$/);
  // A wildcard listen address is reached through 127.0.0.1, as serve prints it; IPv6 in brackets.
  for (const [host, shown] of [['0.0.0.0', '127.0.0.1'], ['::', '127.0.0.1'], ['::1', '[::1]'], ['localhost', 'localhost']]) {
    const wild = await runCli(['webhook', 'add', '--data', dataDir, '--user', '2', '--scope', 'user'], { SALESTRACE_HOST: host, SALESTRACE_HTTPS_PORT: '9443' });
    expect(wild.code, host).toBe(0);
    expect(wild.stdout.trim().replace(/[a-z0-9]{16}\/$/, 'SECRET/')).toBe(`https://${shown}:9443/rest/2/SECRET/`);
  }
}

describe('webhook add | list | revoke', () => {
  it('prints the URL of a new webhook, with a --code used verbatim, and the running server accepts it', async () => {
    const added = await runCli(['webhook', 'add', '--data', dataDir, '--user', '2', '--scope', 'crm,user', '--code', 'Script_Known-Code1', '--base-url', `${httpBase}/`]);
    expect(added.code).toBe(0);
    expect(added.stdout.trim()).toBe(`${httpBase}/rest/2/Script_Known-Code1/`);
    expect(added.stderr.trim()).toBe('webhook 2 created for user 2 with scopes crm,user');
    const profile = await call(`${httpBase}/rest/2/Script_Known-Code1/profile`);
    expect(profile.result).toMatchObject({ ID: '2', NAME: 'Bob', LAST_NAME: 'Smith', ADMIN: false });
    expect((await call(`${httpBase}/rest/2/Script_Known-Code1/scope`)).result).toEqual(['crm', 'user']);
  });

  it('prints the address of the server running on the data directory, whatever its flags', async () => {
    // serve runs here on a free HTTP port with HTTPS off: neither is what the defaults would say.
    const added = await runCli(['webhook', 'add', '--data', dataDir, '--user', '2', '--scope', 'user']);
    expect(added.code).toBe(0);
    const url = added.stdout.trim();
    expect(url).toMatch(new RegExp(`^${httpBase}/rest/2/[a-z0-9]{16}/$`));
    expect(added.stderr.trim().split('\n')[1]).toBe(`the URL names the server running on ${dataDir} (process ${serve.child.pid})`);
    expect((await call(`${url}profile`)).result).toMatchObject({ ID: '2' });
    const record = JSON.parse(fs.readFileSync(path.join(dataDir, 'serve.json'), 'utf8'));
    expect(record).toEqual({ pid: serve.child.pid, https: null, http: httpBase });
    expect(fs.statSync(path.join(dataDir, 'serve.json')).mode & 0o777).toBe(0o600);
  });

  it('without a running server, prints the address serve would use and says so', async () => {
    // A record left by a killed server names a process that is gone: it is ignored.
    const recordFile = path.join(dataDir, 'serve.json');
    const saved = fs.readFileSync(recordFile);
    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.on('close', resolve));
    fs.writeFileSync(recordFile, JSON.stringify({ pid: gone.pid, https: null, http: 'http://127.0.0.1:1' }));
    try {
      await expectConfiguredAddresses();
    } finally {
      fs.writeFileSync(recordFile, saved);
    }
  }, 120_000); // seven CLI runs, each a few seconds on a loaded machine

  it('refuses unknown users, unknown scopes, reused and malformed codes, bad dates', async () => {
    const cases: [string[], string][] = [
      [['--user', '99', '--scope', 'crm'], 'salestrace: user 99 does not exist'],
      [['--user', '2', '--scope', 'crm,nope'], 'salestrace: unknown scope: nope'],
      [['--user', '2', '--scope', 'crm', '--code', 'Script_Known-Code1'], 'salestrace: that code is already used by webhook 2'],
      [['--user', '2', '--scope', 'crm', '--code', 'short'], 'salestrace: a webhook code must be 16-128 characters of letters, digits, "_" or "-"'],
      [['--user', '2', '--scope', 'crm', '--code', 'fifteen-chars-1'], 'salestrace: a webhook code must be 16-128 characters of letters, digits, "_" or "-"'],
      [['--user', '2', '--scope', 'crm', '--expires', 'someday'], 'salestrace: not a date: "someday" (use YYYY-MM-DD or an ISO date-time)'],
    ];
    for (const [args, message] of cases) {
      const result = await runCli(['webhook', 'add', '--data', dataDir, ...args]);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.stderr.trim()).toBe(message);
    }
  });

  it('--expires makes a webhook that stops working at that moment', async () => {
    const past = await runCli(['webhook', 'add', '--data', dataDir, '--user', '2', '--scope', 'user', '--code', 'expired-code-0001', '--expires', '2020-01-01']);
    expect(past.code).toBe(0);
    expect(await call(`${httpBase}/rest/2/expired-code-0001/server.time`)).toEqual({
      error: 'INVALID_CREDENTIALS',
      error_description: 'Invalid request credentials',
    });
    const future = await runCli(['webhook', 'add', '--data', dataDir, '--user', '2', '--scope', 'user', '--code', 'future-code-00001', '--expires', '2999-12-31T23:59:59Z']);
    expect(future.code).toBe(0);
    expect((await call(`${httpBase}/rest/2/future-code-00001/server.time`)).result).toEqual(expect.any(String));
  });

  it('lists webhooks without secrets and revokes one for good', async () => {
    const list = await runCli(['webhook', 'list', '--data', dataDir]);
    expect(list.code).toBe(0);
    const lines = list.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+USER\s+SCOPES\s+EXPIRES\s+ACTIVE\s+HELD\s+TITLE$/);
    expect(lines[1]).toMatch(/^1\s+1\s+\S*crm\S*\s+Y\s+N\s+Default administrator webhook$/);
    expect(lines[2]).toMatch(/^2\s+2\s+crm,user\s+Y\s+N$/);
    expect(lines.filter((line) => line.includes('2020-'))).toEqual([expect.stringMatching(/^\d+\s+2\s+user\s+2020-01-01T00:00:00\.000Z\s+Y\s+N$/)]);
    expect(list.stdout).not.toContain('Script_Known-Code1');

    const revoked = await runCli(['webhook', 'revoke', '2', '--data', dataDir]);
    expect(revoked.code).toBe(0);
    expect(revoked.stdout.trim()).toBe('webhook 2 revoked');
    expect((await call(`${httpBase}/rest/2/Script_Known-Code1/server.time`)).error).toBe('INVALID_CREDENTIALS');
    expect((await runCli(['webhook', 'list', '--data', dataDir])).stdout).toMatch(/^2\s+2\s+crm,user\s+N\s+N$/m);
    const missing = await runCli(['webhook', 'revoke', '77', '--data', dataDir]);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe('salestrace: webhook 77 does not exist');
    // Beyond a 32-bit ID is just as missing (PostgreSQL would refuse to compare it).
    const beyond = await runCli(['webhook', 'revoke', '9999999999', '--data', dataDir]);
    expect([beyond.code, beyond.stderr.trim()]).toEqual([1, 'salestrace: webhook 9999999999 does not exist']);
  });
});

describe('a data directory without a database', () => {
  const commands = [['webhook', 'list'], ['user', 'list'], ['user', 'add', '--login', 'x'], ['source', 'list'], ['role', 'list'], ['app', 'list'], ['portal', 'status']];

  it('is refused by every command but serve, and nothing is created in it', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-typo-'));
    const typo = path.join(parent, 'dtaa');
    const refusal = `salestrace: no database in ${typo}: run \`salestrace serve --data ${typo}\` first`;
    try {
      for (const command of commands) {
        const result = await runCli([...command, '--data', typo]);
        expect([result.code, result.stderr.trim()], command.join(' ')).toEqual([1, refusal]);
      }
      expect(fs.existsSync(typo)).toBe(false);
      // An empty directory is no better.
      fs.mkdirSync(typo);
      const result = await runCli(['webhook', 'list', '--data', typo]);
      expect([result.code, result.stderr.trim()]).toEqual([1, refusal]);
      expect(fs.readdirSync(typo)).toEqual([]);
    } finally {
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });

  it('is created by serve for its owner alone: directories 0700, database files 0600', async () => {
    const parent = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-new-'));
    const fresh = path.join(parent, 'new', 'data');
    try {
      const started = await startServe(['--data', fresh, '--port', '0', '--https-port', 'off']);
      expect(await started.stop()).toBe(0);
      expect(fs.statSync(path.join(parent, 'new')).mode & 0o777).toBe(0o700);
      expect(fs.statSync(fresh).mode & 0o777).toBe(0o700);
      const databaseFiles = fs.readdirSync(fresh).filter((name) => name.startsWith('salestrace.db'));
      expect(databaseFiles).toContain('salestrace.db');
      for (const name of databaseFiles) expect(fs.statSync(path.join(fresh, name)).mode & 0o777, name).toBe(0o600);
      // Now the other commands use it.
      const listed = await runCli(['webhook', 'list', '--data', fresh]);
      expect(listed.code).toBe(0);
      expect(listed.stdout).toMatch(/^1\s+1\s/m);
    } finally {
      fs.rmSync(parent, { recursive: true, force: true });
    }
  });

  it('does not apply with --database-url: the database is the one the URL names', async () => {
    if (TEST_DIALECT !== 'postgres') return;
    const withDatabase = await tempDataDir();
    const url = databaseUrlFor(withDatabase)!;
    const missing = path.join(withDatabase, 'nothing-here');
    try {
      const result = await runCli(['webhook', 'list', '--data', missing, '--database-url', url]);
      expect([result.code, result.stdout.trim()]).toEqual([0, '(none)']);
      expect(fs.existsSync(missing)).toBe(false);
    } finally {
      await removeTempDataDir(withDatabase);
    }
  });
});
