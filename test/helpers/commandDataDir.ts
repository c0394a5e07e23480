// One `salestrace <command> …` group run in process through commander, exactly as the binary
// parses its arguments, against a data directory of its own (and its own PostgreSQL database
// under TEST_DB=postgres) that holds the database the first `serve` would create: commands
// refuse a data directory without one. Call it at the top of a test file; the directory and the
// database are made before the file's tests and removed after them.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { afterAll, beforeAll } from 'vitest';
import type { CliIo } from '../../src/cli/io.js';
import { resolveConfig } from '../../src/config.js';
import { createServices, type Services } from '../../src/services.js';
import { capturedIo } from '../cli/inProcess.js';
import { createTestDatabase, type TestDatabase } from './database.js';

export interface CommandDataDir {
  /** Runs one command of the group and returns what it printed, without the newline after the last line. */
  run(...args: string[]): Promise<string>;
  /** Services on the same data directory and database, closed once `work` is done. */
  withServices<T>(work: (services: Services) => Promise<T>): Promise<T>;
}

export function commandDataDir(name: string, command: (io: CliIo) => Command): CommandDataDir {
  let dataDir = '';
  let database: TestDatabase;
  const config = () => resolveConfig({ dataDir, databaseUrl: database.url, logLevel: 'silent' });

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `salestrace-${name}-cli-`));
    database = await createTestDatabase();
    await (await createServices(config())).close();
  });
  afterAll(async () => {
    fs.rmSync(dataDir, { recursive: true, force: true });
    await database.drop();
  });

  return {
    async run(...args) {
      const captured = capturedIo();
      const where = database.url ? ['--data', dataDir, '--database-url', database.url] : ['--data', dataDir];
      await command(captured.io).exitOverride().parseAsync([...args, ...where], { from: 'user' });
      return captured.stdout().replace(/\n$/, '');
    },
    async withServices(work) {
      const services = await createServices(config());
      try {
        return await work(services);
      } finally {
        await services.close();
      }
    },
  };
}
