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

  it('as the README notes, a legacy add gives the new item a trace of its own, an item add none', async () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    expect(readme).toContain('legacy `crm.{lead,deal,contact,company,quote}.add` methods give every new item a trace of its own');
    const fresh = await startTestServer();
    try {
      const hook = `${fresh.httpUrl}/rest/1/${fresh.secret}`;
      const post = async (method: string, body: unknown) =>
        (await fetch(`${hook}/${method}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })).json() as Promise<any>;
      const contact = (await post('crm.contact.add', { fields: { NAME: 'John' } })).result;
      const own = await post('salestrace.trace.list', { filter: { ENTITY_TYPE: 'CONTACT', ENTITY_ID: contact } });
      expect(own).toMatchObject({ result: [{ ID: 1, SOURCE: { ID: 0, CODE: 'organic', NAME: 'Other traffic' }, CHANNELS: [{ CODE: 'rest', VALUE: null }] }], total: 1 });
      // The walk-through's next trace is then 2, not 1.
      const trace = await post('crm.tracking.trace.add', { TRACE: '{"url":"https://shop.example/"}', ENTITIES: [{ TYPE: 'CONTACT', ID: contact }] });
      expect(trace.result).toBe(2);
      const item = (await post('crm.item.add', { entityTypeId: 3, fields: { name: 'Jane' } })).result.item;
      expect(await post('salestrace.trace.list', { filter: { ENTITY_TYPE: 'CONTACT', ENTITY_ID: item.id } })).toMatchObject({ result: [], total: 0 });
    } finally {
      await fresh.close();
    }
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
