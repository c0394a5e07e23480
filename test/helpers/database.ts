// Which database the suite runs on, and a fresh, isolated one for each test server.
//
// TEST_DB=sqlite (the default) keeps the embedded file in each server's temporary data directory.
// TEST_DB=postgres gives every server (and every CLI data directory) its own PostgreSQL database,
// created on the server named by TEST_DATABASE_URL and dropped when the server closes. The
// names carry the host, the vitest run's process ID and the worker's process ID, so parallel
// workers and parallel runs never collide, and the global setup can drop what a killed run left.
import { createHash } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DialectName } from '../../src/db/dialects/types.js';
import { processExists } from '../../src/setup/runningServer.js';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';
const NAME_PREFIX = 'salestrace_test_';

export function testDialect(env: NodeJS.ProcessEnv = process.env): DialectName {
  const chosen = (env.TEST_DB ?? 'sqlite').trim().toLowerCase();
  if (chosen === '' || chosen === 'sqlite') return 'sqlite';
  if (chosen === 'postgres' || chosen === 'postgresql' || chosen === 'pg') return 'postgres';
  throw new Error(`TEST_DB must be "sqlite" or "postgres", got "${env.TEST_DB}"`);
}

export const TEST_DIALECT: DialectName = testDialect();

/** The PostgreSQL server and maintenance database the suite connects to for CREATE/DROP DATABASE. */
export function testDatabaseBaseUrl(env: NodeJS.ProcessEnv = process.env): string {
  return env.TEST_DATABASE_URL?.trim() || DEFAULT_TEST_DATABASE_URL;
}

/** Short and stable per machine, so a sweep only touches databases this machine's runs made. */
function hostTag(): string {
  return createHash('sha256').update(os.hostname()).digest('hex').slice(0, 8);
}

/** Every database of one vitest run starts with this; the global setup exports the run ID. */
export function runPrefix(runId: string): string {
  return `${NAME_PREFIX}${hostTag()}_${runId}_`;
}

export function databaseUrl(baseUrl: string, name: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdminClient<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: testDatabaseBaseUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** FORCE ends the connections of a server that was not closed, so nothing is left behind. */
async function dropDatabase(client: pg.Client, name: string): Promise<void> {
  await client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`);
}

export interface TestDatabase {
  /** The postgres:// URL to pass as `databaseUrl` / `--database-url`; null on SQLite. */
  readonly url: string | null;
  /** Drops the database (a no-op on SQLite); safe to call twice. */
  drop(): Promise<void>;
}

let created = 0;
/** Whether this server can create databases that sort by a language's rules (found out once). */
let linguisticSupported: boolean | undefined;

/**
 * Test databases sort text by English rules (ICU "en-US"), the way most PostgreSQL servers are
 * set up, rather than by code point like a "C" locale: code that relied on the database's
 * default order would pass here by luck and differ from SQLite elsewhere. Servers without ICU
 * get a plain database.
 */
async function createDatabase(client: pg.Client, name: string): Promise<void> {
  if (linguisticSupported !== false) {
    try {
      await client.query(
        `CREATE DATABASE ${quoteIdent(name)} TEMPLATE template0 ENCODING 'UTF8' LOCALE_PROVIDER icu ICU_LOCALE 'en-US' LOCALE 'C.UTF-8'`,
      );
      linguisticSupported = true;
      return;
    } catch (error) {
      if (linguisticSupported === true) throw error;
      linguisticSupported = false;
    }
  }
  await client.query(`CREATE DATABASE ${quoteIdent(name)}`);
}

/** A new empty database for one server, or nothing on SQLite (the data directory holds the file). */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (TEST_DIALECT === 'sqlite') return { url: null, drop: async () => {} };
  const runId = process.env.SALESTRACE_TEST_RUN;
  if (!runId) throw new Error('TEST_DB=postgres needs the global setup (test/helpers/globalSetup.ts) to have run');
  const name = `${runPrefix(runId)}${process.pid}_${++created}`;
  await withAdminClient((client) => createDatabase(client, name));
  let dropped: Promise<void> | null = null;
  return {
    url: databaseUrl(testDatabaseBaseUrl(), name),
    drop: () => (dropped ??= withAdminClient((client) => dropDatabase(client, name))),
  };
}

/**
 * Global setup: fails loudly when PostgreSQL cannot be reached, then drops the databases that
 * runs on this machine left behind when they were killed (their run process is gone).
 */
export async function prepareTestPostgres(): Promise<void> {
  const base = testDatabaseBaseUrl();
  try {
    await withAdminClient(async (client) => {
      const own = `${NAME_PREFIX}${hostTag()}_`;
      const { rows } = await client.query<{ datname: string }>(
        'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
        [own],
      );
      for (const { datname } of rows) {
        const runPid = Number(datname.slice(own.length).split('_')[0]);
        if (Number.isInteger(runPid) && runPid > 0 && !processExists(runPid)) await dropDatabase(client, datname);
      }
    });
  } catch (error) {
    const shown = new URL(base);
    if (shown.password) shown.password = '***';
    throw new Error(
      `TEST_DB=postgres but PostgreSQL at ${shown} cannot be used (${(error as Error).message}). ` +
        'Start PostgreSQL or point TEST_DATABASE_URL at a server where this user may create databases.',
    );
  }
}

/** Global teardown: drops every database of this run, including those of failed or aborted tests. */
export async function dropRunDatabases(runId: string): Promise<string[]> {
  return withAdminClient(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      'SELECT datname FROM pg_database WHERE starts_with(datname, $1)',
      [runPrefix(runId)],
    );
    for (const { datname } of rows) await dropDatabase(client, datname);
    return rows.map((row) => row.datname);
  });
}

/** Data directories whose database is not the SQLite file inside them, by directory. */
const databasesByDataDir = new Map<string, string>();

/** Remembers which database goes with a data directory, for commands run against it. */
export function rememberDataDirDatabase(dataDir: string, url: string | null): void {
  if (url) databasesByDataDir.set(path.resolve(dataDir), url);
}

export function forgetDataDirDatabase(dataDir: string): void {
  databasesByDataDir.delete(path.resolve(dataDir));
}

/** The PostgreSQL URL that goes with a data directory (or one inside it); null on SQLite. */
export function databaseUrlForDataDir(dataDir: string | undefined): string | null {
  if (!dataDir) return null;
  const resolved = path.resolve(dataDir);
  for (const [root, url] of databasesByDataDir) {
    if (resolved === root || resolved.startsWith(root + path.sep)) return url;
  }
  return null;
}
