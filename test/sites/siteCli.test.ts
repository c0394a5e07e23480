// `salestrace site …` against a data directory, run in-process through commander exactly as
// the binary parses its arguments.
import { describe, expect, it } from 'vitest';
import { siteCommand } from '../../src/cli/commands/site.js';
import { commandDataDir } from '../helpers/commandDataDir.js';

const { run, withServices } = commandDataDir('site', siteCommand);

const storedSites = () => withServices((services) => services.sites.listSites());

describe('salestrace site', () => {
  it('adds, shows, updates, lists and deletes a site', async () => {
    expect(await run('list')).toBe('(none)');
    expect(await run('add', '--address', 'https://www.Example.com/', '--phone', '+1 555 010 0000', '--email', 'hi@example.com', '--enrich-text', 'off')).toBe('site 1 added');
    expect(await storedSites()).toEqual([
      {
        id: 1, address: 'https://www.Example.com/', host: 'www.example.com', phones: ['+1 555 010 0000'], emails: ['hi@example.com'],
        replaceText: true, enrichText: false, resolveDup: true, active: true, installed: true, createdAt: expect.any(Number),
      },
    ]);
    expect(await run('get', '1')).toMatch(/\n1\s+www\.example\.com\s+https:\/\/www\.Example\.com\/\s+\+1 555 010 0000\s+hi@example\.com\s+Y\s+N\s+Y\s+Y\s+Y$/);
    expect(await run('update', '1', '--phone', '', '--active', 'off', '--address', 'example.com')).toBe('site 1 updated');
    expect(await storedSites()).toMatchObject([{ id: 1, address: 'example.com', host: 'example.com', phones: [], active: false }]);
    expect(await run('list')).toMatch(/^ID\s+HOST\s+ADDRESS\s+PHONES\s+EMAILS\s+REPLACE\s+ENRICH\s+DEDUP\s+ACTIVE\s+INSTALLED\n1\s+example\.com/);
    expect(await run('delete', '1')).toBe('site 1 deleted');
    expect(await storedSites()).toEqual([]);
  });

  it('refuses bad input in words and writes nothing', async () => {
    await expect(run('add', '--address', 'ftp://x.example')).rejects.toThrow('"ftp://x.example" is not the http(s) address of a web site.');
    await expect(run('add', '--address', 'x.example', '--phone', '1'.repeat(31))).rejects.toThrow('A phone number is longer than 30 characters.');
    await expect(run('add', '--address', 'x.example', '--email', 'nope')).rejects.toThrow('"nope" is not an e-mail address.');
    await expect(run('add', '--address', 'x.example', '--active', 'maybe')).rejects.toThrow('--active must be on or off, got "maybe"');
    await expect(run('update', '7', '--active', 'on')).rejects.toThrow('Site with ID `7` not found.');
    expect(await storedSites()).toEqual([]);
  });
});
