// `salestrace source …` against a data directory, run in-process through commander exactly as
// the binary parses its arguments.
import { describe, expect, it } from 'vitest';
import { sourceCommand } from '../../src/cli/commands/source.js';
import { commandDataDir } from '../helpers/commandDataDir.js';

const { run, withServices } = commandDataDir('source', sourceCommand);

const storedSources = () => withServices(async (services) => ({ sources: await services.tracking.sources(), settings: await services.tracking.settings() }));

describe('salestrace source', () => {
  it('lists the built-in sources and the settings', async () => {
    const out = await run('list');
    expect(out.split('\n')[0]).toMatch(/^ID\s+CODE\s+NAME\s+ACTIVE\s+AVAILABLE\s+UTM_SOURCE\s+REF_DOMAIN\s+PHONE\s+EMAIL$/);
    expect(out).toMatch(/\n1\s+google\s+Google Ads\s+Y\s+Y\n/);
    expect(out).toMatch(/\n5\s+vk\s+VK\s+Y\s+N\n/);
    expect(out).toContain('region: other; social referrer domains: on');
  });

  it('adds, updates and deletes a custom source', async () => {
    expect(await run('add', '--name', 'Partner', '--utm-source', 'partner', '--utm-source', 'p2', '--ref-domain', 'Partner.Example')).toBe('source 7 added');
    let { sources } = await storedSources();
    expect(sources.at(-1)).toMatchObject({ id: 7, code: null, name: 'Partner', active: true, values: { UTM_SOURCE: ['partner', 'p2'], REF_DOMAIN: ['partner.example'], PHONE: [], EMAIL: [] } });

    expect(await run('update', '7', '--active', 'off', '--phone', '+1 (555) 010', '--utm-source', 'p3')).toBe('source 7 updated');
    ({ sources } = await storedSources());
    expect(sources.at(-1)).toMatchObject({ name: 'Partner', active: false, values: { UTM_SOURCE: ['p3'], REF_DOMAIN: ['partner.example'], PHONE: ['1555010'] } });

    expect(await run('update', '7', '--utm-source', '')).toBe('source 7 updated');
    ({ sources } = await storedSources());
    expect(sources.at(-1)?.values.UTM_SOURCE).toEqual([]);

    expect(await run('delete', '7')).toBe('source 7 deleted');
    ({ sources } = await storedSources());
    expect(sources.map((s) => s.id)).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('changes the region and the social referrer option', async () => {
    expect(await run('settings', '--region', 'ru', '--social-referrers', 'off')).toBe('region: ru; social referrer domains: off');
    expect((await storedSources()).settings).toEqual({ region: 'ru', socialReferrers: false });
    expect(await run('settings')).toBe('region: ru; social referrer domains: off');
    await run('settings', '--region', 'other', '--social-referrers', 'on');
  });

  it('refuses what it cannot do with a clear message', async () => {
    await expect(run('delete', '2')).rejects.toThrow('Source fb is built in and cannot be deleted; archive it instead.');
    await expect(run('delete', '99')).rejects.toThrow('Source with ID `99` not found.');
    await expect(run('add', '--name', ' ')).rejects.toThrow('The source name must not be empty.');
    await expect(run('add', '--name', 'X', '--email', 'nobody')).rejects.toThrow('"nobody" is not an e-mail address.');
    await expect(run('settings', '--region', 'eu')).rejects.toThrow('--region must be ru or other, got "eu"');
    await expect(run('update', 'abc')).rejects.toThrow('source ID must be a positive integer, got "abc"');
    expect((await storedSources()).sources).toHaveLength(6);
  });
});
