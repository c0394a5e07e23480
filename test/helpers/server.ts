// Starts the real server on free ports with a fresh data directory (and, under TEST_DB=postgres,
// a fresh PostgreSQL database: see database.ts), exactly as `serve` does, and gives tests plain
// HTTP helpers. Nothing here reaches into the server's internals except
// `services`, which tests use to inspect database state.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ManualClock, type Clock } from '../../src/clock.js';
import { resolveConfig, type RawOptions } from '../../src/config.js';
import { routeInstallers } from '../../src/routes.js';
import { startServer, type RunningServer } from '../../src/server.js';
import type { SyncLog } from '../../src/db/dialects/groupCommit.js';
import { createServices, type Services } from '../../src/services.js';
import { ensureAdministrator } from '../../src/setup/firstStart.js';
import { ensureCertificate, tlsFiles } from '../../src/tls/certificate.js';
import { createLogger, type Logger } from '../../src/logger.js';
import { createTestDatabase, forgetDataDirDatabase, rememberDataDirDatabase } from './database.js';

/** The suite's own methods (salestrace.test.*), loaded by the server from source in this process. */
export const TEST_METHODS_SOURCE = fileURLToPath(new URL('../support/testMethods.ts', import.meta.url));

export interface TestServer {
  readonly running: RunningServer;
  readonly services: Services;
  readonly clock: Clock;
  readonly dataDir: string;
  /** `http://127.0.0.1:port` */
  readonly httpUrl: string;
  /** `https://127.0.0.1:port` */
  readonly httpsUrl: string;
  /** The administrator webhook: `/rest/1/{secret}/` over HTTP. */
  readonly webhookPath: string;
  readonly webhookUrl: string;
  readonly webhookHttpsUrl: string;
  readonly secret: string;
  close(): Promise<void>;
}

export interface TestServerOptions {
  readonly config?: RawOptions;
  /** Use a ManualClock (the default is the real clock). */
  readonly manualClock?: boolean | ManualClock;
  /** A logger of the test's own (to capture the log); the default logs nothing. */
  readonly log?: Logger;
  /** Replaces the sync of SQLite's log, to hold answers back (see ServiceOptions.syncLog). */
  readonly syncLog?: SyncLog;
  /** Makes the checkpoint thread fail while element 0 is non-zero (see ServiceOptions.checkpointFaults). */
  readonly checkpointFaults?: Int32Array;
}

function copyTestCertificate(dataDir: string): void {
  const source = process.env.SALESTRACE_TEST_TLS_DIR;
  if (!source) return;
  const from = tlsFiles(source);
  const to = tlsFiles(dataDir);
  fs.mkdirSync(path.dirname(to.certFile), { recursive: true });
  fs.copyFileSync(from.certFile, to.certFile);
  fs.copyFileSync(from.keyFile, to.keyFile);
}

export interface TestServices {
  readonly services: Services;
  readonly dataDir: string;
  /** The PostgreSQL URL under TEST_DB=postgres, else null (SQLite in dataDir). */
  readonly databaseUrl: string | null;
  /** Closes the services, removes the data directory and drops the database. */
  close(): Promise<void>;
}

/**
 * The services alone, without listeners, on a fresh data directory and database: for tests
 * below the HTTP layer. Like startTestServer it runs on whatever backend TEST_DB names.
 */
export async function startTestServices(options: { config?: RawOptions; clock?: Clock } = {}): Promise<TestServices> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-services-'));
  const database = await createTestDatabase();
  const discard = async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  };
  try {
    const config = resolveConfig({ dataDir, databaseUrl: database.url, logLevel: 'silent', ...options.config });
    const services = await createServices(config, { clock: options.clock, log: createLogger(config.logLevel) });
    return {
      services,
      dataDir,
      databaseUrl: database.url,
      async close() {
        try {
          await services.close();
        } finally {
          await discard();
        }
      },
    };
  } catch (error) {
    await discard();
    throw error;
  }
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-test-'));
  const database = await createTestDatabase();
  // Commands a test runs with `--data <this dir>` reach the same database (test/cli/spawn.ts).
  rememberDataDirDatabase(dataDir, database.url);
  const discard = async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    forgetDataDirDatabase(dataDir);
    await database.drop();
  };
  let services: Services | undefined;
  try {
    copyTestCertificate(dataDir);
    await ensureCertificate(dataDir);
    const config = resolveConfig({
      host: '127.0.0.1',
      port: 0,
      httpsPort: 0,
      dataDir,
      databaseUrl: database.url,
      testMethods: TEST_METHODS_SOURCE,
      logLevel: 'silent',
      ...options.config,
    });
    const clock =
      options.manualClock instanceof ManualClock ? options.manualClock : options.manualClock ? new ManualClock(Date.now()) : undefined;
    // Group commit, as `serve` runs.
    services = await createServices(config, {
      clock,
      log: options.log ?? createLogger(config.logLevel),
      groupCommit: true,
      syncLog: options.syncLog,
      checkpointFaults: options.checkpointFaults,
    });
    const bootstrap = await ensureAdministrator(services);
    if (!bootstrap.created) throw new Error('a fresh data directory must create the administrator');
    const running = await startServer(services, routeInstallers());
    const secret = bootstrap.created.secret;
    const webhookPath = `/rest/1/${secret}/`;
    return {
      running,
      services,
      clock: services.clock,
      dataDir,
      httpUrl: running.httpUrl,
      httpsUrl: running.httpsUrl ?? '',
      webhookPath,
      webhookUrl: running.httpUrl + webhookPath,
      webhookHttpsUrl: (running.httpsUrl ?? '') + webhookPath,
      secret,
      async close() {
        try {
          await running.close();
        } finally {
          await discard();
        }
      },
    };
  } catch (error) {
    await services?.close().catch(() => {});
    await discard();
    throw error;
  }
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** Parsed JSON body, or undefined when the body is not JSON. */
  readonly body: any;
}

export async function request(url: string, init: RequestInit = {}): Promise<HttpAnswer> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, headers: response.headers, text, body };
}

/** POST a JSON body to a method through the administrator webhook (or another base URL). */
export function callJson(server: TestServer, method: string, params: unknown = {}, base = server.webhookUrl): Promise<HttpAnswer> {
  return request(base + method, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(params),
  });
}

/** POST a form body (PHP bracket syntax) to a method. */
export function callForm(server: TestServer, method: string, form: string, base = server.webhookUrl): Promise<HttpAnswer> {
  return request(base + method, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: form,
  });
}

/** GET with a query string. */
export function callGet(server: TestServer, method: string, query = '', base = server.webhookUrl): Promise<HttpAnswer> {
  return request(base + method + (query ? `?${query}` : ''));
}

/** Asserts the shape every successful answer shares and returns the body. */
export function expectTimeBlock(time: any): void {
  const keys = ['start', 'finish', 'duration', 'processing', 'date_start', 'date_finish', 'operating_reset_at', 'operating'];
  if (!time || typeof time !== 'object') throw new Error(`time block missing: ${JSON.stringify(time)}`);
  for (const key of keys) if (!(key in time)) throw new Error(`time.${key} missing`);
  if (!Number.isInteger(time.operating_reset_at)) throw new Error('time.operating_reset_at must be an integer');
}
