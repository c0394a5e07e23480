// `salestrace telephony country|pool` against a data directory, run in process through commander.
import { describe, expect, it } from 'vitest';
import { telephonyCommand } from '../../src/cli/commands/telephony.js';
import { commandDataDir } from '../helpers/commandDataDir.js';

const { run, withServices } = commandDataDir('telephony', telephonyCommand);

describe('salestrace telephony', () => {
  it('prints and sets the default country, refusing what is not a country', async () => {
    expect(await run('country')).toBe('US');
    expect(await run('country', 'ru')).toBe('RU');
    expect(await run('country')).toBe('RU');
    await expect(run('country', 'XX')).rejects.toThrow('"XX" is not a country code with phone numbers (ISO 3166, e.g. US)');
    expect(await run('country')).toBe('RU');
  });

  it('lists the pool formatted, with the key calls are compared by', async () => {
    await withServices(async (services) => {
      await services.tracking.addSource({ name: 'Ads', values: { PHONE: ['8 (495) 123-45-67'] } });
      await services.ports.telephony.addLine({ key: 'webhook:1', appId: null, appName: null, portalNumber: 'REST_APP:webhook.1' }, '+1 415 555 0101', 'Main', 'Y');
    });
    const lines = (await run('pool')).split('\n');
    expect(lines[0]).toMatch(/^NUMBER\s+E164\s+SOURCE\s+LINE_OF$/);
    expect(lines[1]).toMatch(/^\+7 495 123 45 67\s+\+74951234567\s+7 Ads\s*$/);
    expect(lines[2]).toMatch(/^\+1 415 555 0101\s+\+14155550101\s+webhook:1$/);
  });
});
