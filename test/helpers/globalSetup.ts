// Once per run: one TLS certificate every test process trusts, and under TEST_DB=postgres a
// reachable PostgreSQL server, cleared of what killed runs left, whose run databases are all
// dropped at the end however the tests went.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describeDatabase, resolveConfig } from '../../src/config.js';
import { ensureCertificate, tlsFiles } from '../../src/tls/certificate.js';
import { dropRunDatabases, prepareTestPostgres, testDatabaseBaseUrl, testDialect } from './database.js';

export default async function setup(): Promise<() => Promise<void>> {
  const dialect = testDialect();
  if (dialect === 'postgres') {
    await prepareTestPostgres();
    // Workers inherit the environment: their database names start with this run's ID.
    process.env.SALESTRACE_TEST_RUN = String(process.pid);
    console.log(`Test database: ${describeDatabase(resolveConfig({ databaseUrl: testDatabaseBaseUrl() }))} (one database per test server)`);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-tls-'));
  await ensureCertificate(dir);
  process.env.SALESTRACE_TEST_TLS_DIR = dir;
  process.env.NODE_EXTRA_CA_CERTS = tlsFiles(dir).certFile;
  return async () => {
    fs.rmSync(dir, { recursive: true, force: true });
    if (dialect === 'postgres') await dropRunDatabases(String(process.pid));
  };
}
