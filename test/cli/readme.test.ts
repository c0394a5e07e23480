// Follows the README on a fresh data directory: the first start prints a working webhook and
// saves it to an owner-only file; the second start keeps it and only says where the file is.
// Under TEST_DB=postgres the same flow runs with `serve --database-url` (spawn.ts adds it): the
// administrator and the webhook hash live in PostgreSQL, the data directory keeps the rest.
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_DIALECT } from '../helpers/database.js';
import { databaseUrlFor, removeTempDataDir, runCli, startServe, tempDataDir } from './spawn.js';

const parent = await tempDataDir();
const dataDir = path.join(parent, 'fresh', 'data'); // does not exist yet
afterAll(() => removeTempDataDir(parent));

/** Every row of every table in the PostgreSQL database, as text. */
async function postgresDump(url: string): Promise<{ tables: Record<string, string[]> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const tables: Record<string, string[]> = {};
    const names = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'",
    );
    for (const { table_name } of names.rows) {
      const rows = await client.query<{ row: string }>(`SELECT to_jsonb(t)::text AS row FROM "${table_name}" t`);
      tables[table_name] = rows.rows.map((r) => r.row);
    }
    return { tables };
  } finally {
    await client.end();
  }
}

/** A request over HTTPS trusting only the certificate `serve` generated: status, headers and text. */
function httpsRequest(
  url: string,
  ca: Buffer,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; text: string }> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, { ca, method: options.method ?? 'GET', headers: options.headers }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, text }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

/** GET over HTTPS trusting only the certificate `serve` generated. */
function httpsGet(url: string, ca: Buffer): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body: JSON.parse(text) }));
      })
      .on('error', reject);
  });
}

function printedUrls(output: string): { https: string; http: string; listening: string } {
  const https = /^ {2}(https:\/\/127\.0\.0\.1:\d+\/rest\/1\/[a-z0-9]{16}\/)$/m.exec(output)?.[1];
  const http = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/rest\/1\/[a-z0-9]{16}\/)$/m.exec(output)?.[1];
  const listening = /^Salestrace listening on (.*)$/m.exec(output)?.[1];
  if (!https || !http || !listening) throw new Error(`webhook URLs not printed:\n${output}`);
  return { https, http, listening };
}

const portOf = (url: string) => Number(new URL(url).port);

describe('README: npm start on a fresh data directory', () => {
  let secret = '';

  it('first start creates everything, prints both webhook URLs on the real ports, and they work', async () => {
    const serve = await startServe(['--data', dataDir, '--port', '0', '--https-port', '0']);
    try {
      const output = serve.output();
      const urls = printedUrls(output);
      secret = urls.https.split('/')[5];
      expect(urls.http.split('/')[5]).toBe(secret);
      // Port 0 must print the ports actually bound, in both the banner and the URLs.
      expect(portOf(urls.https)).toBeGreaterThan(0);
      expect(portOf(urls.http)).toBeGreaterThan(0);
      expect(urls.listening).toBe(`https://127.0.0.1:${portOf(urls.https)} and http://127.0.0.1:${portOf(urls.http)}`);

      const webhookFile = path.join(dataDir, 'webhook.txt');
      const database = TEST_DIALECT === 'sqlite' ? `SQLite, ${path.join(dataDir, 'salestrace.db')}` : `PostgreSQL, ${databaseUrlFor(dataDir)}`;
      expect(output).toContain(`\nData directory: ${dataDir}\nDatabase: ${database}\n`);
      expect(output).toContain(`Saved to ${webhookFile} (readable by you only; the database keeps only a hash).`);
      const certFile = path.join(dataDir, 'tls', 'cert.pem');
      expect(output).toContain(`NODE_EXTRA_CA_CERTS=${certFile}`);

      // The database, the certificate and the owner-only webhook file exist.
      expect(fs.existsSync(path.join(dataDir, 'salestrace.db'))).toBe(TEST_DIALECT === 'sqlite');
      expect(fs.statSync(webhookFile).mode & 0o777).toBe(0o600);
      const saved = fs.readFileSync(webhookFile, 'utf8');
      expect(saved).toContain(`${urls.https}\n`);
      expect(saved).toContain(`${urls.http}\n`);

      // The certificate is its own CA for 127.0.0.1 and localhost.
      const ca = fs.readFileSync(certFile);
      const cert = new X509Certificate(ca);
      expect(cert.subjectAltName).toContain('DNS:localhost');
      expect(cert.subjectAltName).toContain('IP Address:127.0.0.1');
      expect(cert.ca).toBe(true);

      const overHttps = await httpsGet(`${urls.https}profile`, ca);
      expect(overHttps.status).toBe(200);
      expect(overHttps.body.result).toMatchObject({ ID: '1', ADMIN: true });
      const viaLocalhost = await httpsGet(`${urls.https.replace('127.0.0.1', 'localhost')}server.time`, ca);
      expect(viaLocalhost.status).toBe(200);
      const overHttp = await fetch(`${urls.http}scope`);
      expect(overHttp.status).toBe(200);
      expect(((await overHttp.json()) as any).result).toEqual(expect.arrayContaining(['user']));

      // Only a hash of the secret reaches the database.
      if (TEST_DIALECT === 'sqlite') {
        for (const file of fs.readdirSync(dataDir).filter((name) => name.startsWith('salestrace.db'))) {
          expect(fs.readFileSync(path.join(dataDir, file)).includes(Buffer.from(secret)), file).toBe(false);
        }
      } else {
        // The first start created the administrator and its webhook in PostgreSQL.
        const { tables } = await postgresDump(databaseUrlFor(dataDir)!);
        expect(tables.users.map((row) => JSON.parse(row))).toEqual([expect.objectContaining({ id: 1, login: 'admin', is_admin: 1 })]);
        expect(tables.webhooks.map((row) => JSON.parse(row))).toEqual([
          expect.objectContaining({ id: 1, user_id: 1, title: 'Default administrator webhook', secret_hash: expect.any(String) }),
        ]);
        for (const [table, rows] of Object.entries(tables)) {
          for (const row of rows) expect(row.includes(secret), table).toBe(false);
        }
        // serve.json: where this server listens, for `webhook add` (removed when it stops).
        expect(fs.readdirSync(dataDir).sort()).toEqual(['serve.json', 'tls', 'webhook.txt']);
      }
    } finally {
      expect(await serve.stop()).toBe(0);
    }
    expect(fs.existsSync(path.join(dataDir, 'serve.json'))).toBe(false);
  });

  it('second start reuses everything: names the file, prints no secret, the old webhook still works', async () => {
    expect(secret).toMatch(/^[a-z0-9]{16}$/);
    const serve = await startServe(['--data', dataDir, '--port', '0', '--https-port', '0']);
    try {
      const output = serve.output();
      expect(output).toContain(`Administrator webhook URLs are in ${path.join(dataDir, 'webhook.txt')}`);
      expect(output).not.toContain(secret);
      const ports = /listening on https:\/\/127\.0\.0\.1:(\d+) and http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      expect(ports).not.toBeNull();
      const ca = fs.readFileSync(path.join(dataDir, 'tls', 'cert.pem'));
      const overHttps = await httpsGet(`https://127.0.0.1:${ports![1]}/rest/1/${secret}/server.time`, ca);
      expect(overHttps.status).toBe(200);
      const overHttp = await fetch(`http://127.0.0.1:${ports![2]}/rest/1/${secret}/server.time`);
      expect(overHttp.status).toBe(200);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });

  it('the dashboard as the README says: the banner names it, `user passwd 1` while serving, and admin signs in over HTTPS', async () => {
    const serve = await startServe(['--data', dataDir, '--port', '0', '--https-port', '0']);
    try {
      const https = /^Salestrace listening on (https:\/\/127\.0\.0\.1:\d+) and/m.exec(serve.output())![1];
      expect(serve.output()).toContain(`\nDashboard: ${https}/app/ (sign in as admin after \`salestrace user passwd 1\`)\n`);
      const ca = fs.readFileSync(path.join(dataDir, 'tls', 'cert.pem'));

      const passwd = await runCli(['user', 'passwd', '1', '--data', dataDir]);
      expect(passwd.code, passwd.stderr).toBe(0);
      const password = /^password of user 1: (\S+)$/im.exec(passwd.stdout)?.[1];
      expect(password, passwd.stdout).toBeDefined();

      const page = await httpsRequest(`${https}/app/`, ca);
      expect(page.status).toBe(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      const signIn = (secret: string) =>
        httpsRequest(`${https}/app/api/login`, ca, {
          method: 'POST',
          headers: { 'content-type': 'application/json', origin: https },
          body: JSON.stringify({ login: 'admin', password: secret }),
        });
      expect((await signIn(`${password}x`)).status).toBe(401);
      const signedIn = await signIn(password!);
      expect(signedIn.status, signedIn.text).toBe(200);
      const cookie = String(signedIn.headers['set-cookie']);
      expect(cookie).toMatch(/^salestrace_session=[^;]+;.*HttpOnly/i);
      expect(cookie).toMatch(/; Secure/i);
      expect(cookie).toMatch(/SameSite=Strict/i);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });

  it('a start whose webhook file was deleted says how to make a new webhook instead of failing', async () => {
    const webhookFile = path.join(dataDir, 'webhook.txt');
    fs.rmSync(webhookFile);
    const serve = await startServe(['--data', dataDir, '--port', '0', '--https-port', '0']);
    try {
      expect(serve.output()).toContain(
        `The administrator webhook file ${webhookFile} is gone; create a new webhook with \`salestrace webhook add --user 1 --scope crm,user\`.`,
      );
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });
});
