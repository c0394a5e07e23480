// README, "Sales Intelligence": the curl walk-through and the `source` commands run exactly as
// written (curl through bash, the CLI through bin/salestrace) against a real server, so the
// README cannot drift from what the server does.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ROOT, runCli } from '../cli/spawn.js';
import { expectIntegrity, trackingCounts } from './helpers.js';

const run = promisify(execFile);
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

/** The commands of the n-th `sh` block of the README's Sales Intelligence section, continuation lines joined. */
function readmeCommands(block: number): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Sales Intelligence'), readme.indexOf('\n## ', readme.indexOf('## Sales Intelligence') + 1));
  const code = [...section.matchAll(/```sh\n([\s\S]*?)```/g)][block][1];
  return code
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

describe('README: Sales Intelligence', () => {
  it('the curl walk-through works as written', async () => {
    const [hookLine, ...commands] = readmeCommands(0);
    expect(hookLine).toBe('HOOK=http://127.0.0.1:8080/rest/1/<secret>');
    const env = { ...process.env, HOOK: `${server.httpUrl}/rest/1/${server.secret}` };
    const answers: any[] = [];
    for (const command of commands) {
      expect(command).toMatch(/^curl -s /);
      const { stdout } = await run('bash', ['-c', command], { env });
      answers.push(JSON.parse(stdout));
    }
    const [sourceUpdate, sourceList, itemAdd, traceAdd, traceGet, traceList, traceDelete] = answers;
    expect(answers).toHaveLength(7);
    expect(sourceUpdate.result).toBe(true);
    expect(sourceList.result[0]).toMatchObject({ ID: 1, CODE: 'google', UTM_SOURCE: ['google'] });
    expect(itemAdd.result.item).toMatchObject({ id: 1, name: 'Jane', lastName: 'Doe' });
    expect(traceAdd.result).toBe(1);
    expect(traceGet.result).toMatchObject({
      ID: 1,
      SOURCE: { ID: 1, CODE: 'google', NAME: 'Google Ads' },
      TAGS: { UTM_SOURCE: 'google', UTM_MEDIUM: 'cpc' },
      CHANNELS: [{ CODE: 'site-domain', VALUE: 'shop.example' }],
      ENTITIES: [{ TYPE: 'CONTACT', ENTITY_TYPE_ID: 3, ID: 1 }],
    });
    expect(traceList).toMatchObject({ result: [{ ID: 1 }], total: 1 });
    expect(traceDelete.result).toBeNull();
    expect(await trackingCounts(server)).toEqual({ traces: 0, items: 0, channels: 0, tree: 0 });
    await expectIntegrity(server.services.db);
  });

  it('the source commands work as written', async () => {
    const commands = readmeCommands(1);
    expect(commands).toHaveLength(5);
    const outputs: string[] = [];
    for (const command of commands) {
      const [bin, ...args] = command.split(' ');
      expect(bin).toBe('./bin/salestrace');
      const { stdout, code } = await runCli([...args, '--data', server.dataDir]);
      expect(code).toBe(0);
      outputs.push(stdout);
    }
    expect(outputs[1]).toBe('source 7 added\n');
    const settings = await server.services.tracking.settings();
    expect(settings).toEqual({ region: 'ru', socialReferrers: false });
    const sources = await server.services.tracking.sources();
    expect(sources.find((source) => source.id === 7)).toBeUndefined();
    expect(sources.find((source) => source.id === 1)?.values).toMatchObject({ UTM_SOURCE: ['google'], REF_DOMAIN: ['google.com'] });
  }, 30_000);
});
