// README, "Call tracking": the curl walk-through runs exactly as written (curl through bash)
// against a real server, with CALL set from the register answer as the text says.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { ROOT } from '../cli/spawn.js';

const run = promisify(execFile);
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

function readmeCommands(): string[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('## Call tracking');
  const section = readme.slice(start, readme.indexOf('\n## ', start + 1));
  const code = [...section.matchAll(/```sh\n([\s\S]*?)```/g)][0][1];
  return code
    .replace(/\\\n\s*/g, '')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'));
}

describe('README: Call tracking', () => {
  it('the curl walk-through works as written', async () => {
    const [hookLine, ...commands] = readmeCommands();
    expect(hookLine).toBe('HOOK=http://127.0.0.1:8080/rest/1/<secret>');
    const env: Record<string, string> = { ...(process.env as Record<string, string>), HOOK: `${server.httpUrl}/rest/1/${server.secret}` };
    const answers: any[] = [];
    for (const command of commands) {
      expect(command).toMatch(/^curl -s /);
      const { stdout } = await run('bash', ['-c', command], { env });
      const answer = JSON.parse(stdout);
      answers.push(answer);
      if (command.includes('telephony.externalCall.register')) env.CALL = answer.result.CALL_ID;
    }
    expect(answers).toHaveLength(7);
    const [source, line, trace, register, finish, traces, activities] = answers;
    expect(source.result).toBe(7);
    expect(line.result).toEqual({ ID: 1 });
    expect(trace.result).toBe(1);
    expect(register.result).toMatchObject({ CRM_CREATED_LEAD: 1, CRM_ENTITY_TYPE: 'LEAD', CRM_ENTITY_ID: 1 });
    expect(finish.result).toMatchObject({ CALL_ID: register.result.CALL_ID, EXTERNAL_CALL_ID: 'pbx-1', CALL_DURATION: 95, CALL_STATUS: 1, CRM_ENTITY_ID: 1 });
    expect(traces).toMatchObject({
      total: 1,
      result: [{ ID: 1, SOURCE: { ID: 7, NAME: 'Spring ads' }, TAGS: { UTM_SOURCE: 'spring' }, ENTITIES: [{ TYPE: 'LEAD', ID: 1 }] }],
    });
    expect(activities).toMatchObject({ total: 1, result: [{ ID: String(finish.result.CRM_ACTIVITY_ID), OWNER_ID: '1', OWNER_TYPE_ID: '1', PROVIDER_ID: 'VOXIMPLANT_CALL' }] });
  });
});
