// README, "Tracking a website": the curl commands and the `site` commands run exactly as written
// (curl through bash, the CLI through bin/salestrace), and the HTML form's fields are posted to
// the form the README creates, so the section cannot drift from what the server does.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type TestServer } from '../helpers/server.js';
import { ROOT, runCli } from '../cli/spawn.js';
import { getTrace } from '../tracking/helpers.js';

const run = promisify(execFile);
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

function section(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Tracking a website');
  return readme.slice(start, readme.indexOf('\n## ', start + 1));
}

/** The lines of the n-th block of a language, continuation lines joined, comments dropped. */
function block(language: string, n: number): string[] {
  const code = [...section().matchAll(new RegExp('```' + language + '\\n([\\s\\S]*?)```', 'g'))][n][1];
  return code
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

/** Words of a command line: spaces split, double quotes group. */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((match) => match[1] ?? match[2]);
}

async function curl(commands: string[]): Promise<any[]> {
  const env = { ...process.env, HOOK: `${server.httpUrl}/rest/1/${server.secret}` };
  const answers: any[] = [];
  for (const command of commands) {
    expect(command).toMatch(/^curl -s /);
    const { stdout } = await run('bash', ['-c', command.replace(/\s+#.*$/, '')], { env });
    answers.push(JSON.parse(stdout));
  }
  return answers;
}

describe('README: Tracking a website', () => {
  it('the site curl commands work as written', async () => {
    const [hookLine, ...commands] = block('sh', 0);
    expect(hookLine).toBe('HOOK=http://127.0.0.1:8080/rest/1/<secret>');
    const [added, got, updated] = await curl(commands);
    expect(added.result).toBe(1);
    expect(got.result).toMatchObject({ ID: 1, HOST: 'shop.example', PHONES: ['+1 555 010 0000'], EMAILS: ['info@shop.example'], ENRICH_TEXT: 'Y' });
    expect(updated.result).toBe(true);
    expect((await server.services.sites.getSite(1))?.enrichText).toBe(false);
  });

  it('the site commands work as written', async () => {
    const fresh = await startTestServer();
    try {
      const outputs: string[] = [];
      for (const line of block('sh', 1)) {
        const [bin, ...args] = words(line);
        expect(bin).toBe('./bin/salestrace');
        const { stdout, code } = await runCli([...args, '--data', fresh.dataDir]);
        expect(code, line).toBe(0);
        outputs.push(stdout);
      }
      expect(outputs[0]).toBe('site 1 added\n');
      expect(outputs[1]).toMatch(/\n1\s+shop\.example\s+https:\/\/shop\.example\/\s+\+1 555 010 0000\s+info@shop\.example\s+Y\s+Y\s+Y\s+Y\s+Y\n$/);
      expect(outputs.slice(2)).toEqual(['site 1 updated\n', 'site 1 deleted\n', 'any origin: off\n']);
      expect(await fresh.services.sites.listSites()).toEqual([]);
    } finally {
      await fresh.close();
    }
  }, 60_000);

  it('the form set-up works as written, and the HTML form posts to it', async () => {
    const [added, got] = await curl(block('sh', 2));
    expect(added.result).toBe(1);
    expect(got.result).toMatchObject({ ID: 1, NAME: 'Call me back', CREATE_CONTACT: 'Y', THANKS_URL: 'https://shop.example/thanks' });
    const html = block('html', 0).join('\n');
    expect(html).toContain(`action="https://salestrace.example.com/pub/form/<CODE>"`);
    const names = [...html.matchAll(/name="([^"]+)"/g)].map((match) => match[1]);
    expect(names).toEqual(['name', 'phone', 'message', 'trace', 'salestrace_hp']);

    const trace = JSON.stringify({ url: 'https://shop.example/contact', tags: { list: { utm_source: 'google' } }, pages: { list: [['https://shop.example/contact', 1780300000, 'Contact']] } });
    const fields: Record<string, string> = { name: 'Jane', phone: '+1 555 0199', message: 'Please call', trace, salestrace_hp: '' };
    const answer = await request(`${server.httpUrl}${got.result.URL}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://shop.example' },
      body: new URLSearchParams(fields).toString(),
    });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('https://shop.example/thanks');
    const lead = await server.services.db.selectFrom('tracking_trace_items').select(['trace_id', 'entity_type_id']).where('entity_type_id', '=', 1).executeTakeFirstOrThrow();
    const stored = await getTrace(server, lead.trace_id);
    expect(stored.CHANNELS).toEqual([
      { CODE: 'site', VALUE: '1' },
      { CODE: 'form', VALUE: '1' },
      { CODE: 'rest', VALUE: null },
    ]);
    expect(stored.TAGS).toEqual({ UTM_SOURCE: 'google' });
  });
});
