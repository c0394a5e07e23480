// `salestrace telephony country|pool` against a data directory, run in process through commander.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { telephonyCommand } from '../../src/cli/commands/telephony.js';
import { resolveConfig } from '../../src/config.js';
import { createServices } from '../../src/services.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { capturedIo } from '../cli/inProcess.js';

let dataDir: string;
let database: TestDatabase;

const config = () => resolveConfig({ dataDir, databaseUrl: database.url, logLevel: 'silent' });

beforeAll(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-telephony-cli-'));
  database = await createTestDatabase();
  await (await createServices(config())).close();
});
afterAll(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true });
  await database.drop();
});

async function run(...args: string[]): Promise<string> {
  const captured = capturedIo();
  const command = telephonyCommand(captured.io).exitOverride();
  const where = database.url ? ['--data', dataDir, '--database-url', database.url] : ['--data', dataDir];
  await command.parseAsync([...args, ...where], { from: 'user' });
  return captured.stdout().replace(/\n$/, '');
}

describe('salestrace telephony', () => {
  it('prints and sets the default country, refusing what is not a country', async () => {
    expect(await run('country')).toBe('US');
    expect(await run('country', 'ru')).toBe('RU');
    expect(await run('country')).toBe('RU');
    await expect(run('country', 'XX')).rejects.toThrow('"XX" is not a country code with phone numbers (ISO 3166, e.g. US)');
    expect(await run('country')).toBe('RU');
  });

  it('lists the pool formatted, with the key calls are compared by', async () => {
    const services = await createServices(config());
    try {
      await services.tracking.addSource({ name: 'Ads', values: { PHONE: ['8 (495) 123-45-67'] } });
      await services.ports.telephony.addLine({ key: 'webhook:1', appId: null, appName: null, portalNumber: 'REST_APP:webhook.1' }, '+1 415 555 0101', 'Main', 'Y');
    } finally {
      await services.close();
    }
    const lines = (await run('pool')).split('\n');
    expect(lines[0]).toMatch(/^NUMBER\s+E164\s+SOURCE\s+LINE_OF$/);
    expect(lines[1]).toMatch(/^\+7 495 123 45 67\s+\+74951234567\s+7 Ads\s*$/);
    expect(lines[2]).toMatch(/^\+1 415 555 0101\s+\+14155550101\s+webhook:1$/);
  });
});
