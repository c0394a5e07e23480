// Runs the README's b24jssdk snippet ("A first call with the official JS SDK") exactly as it is
// written, as a separate Node process, against a real server over HTTPS: only the webhook URL is
// put in, the way the README tells a newcomer to. If the SDK or the server changes so that the
// snippet breaks or prints something else, this fails.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlsFiles } from '../../src/tls/certificate.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { ROOT } from './spawn.js';

const README_URL = 'https://127.0.0.1:8443/rest/1/<secret>/';

/** The first ```js block of README.md. */
function readmeSnippet(): string {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const match = /^```js\n([\s\S]*?)^```$/m.exec(readme);
  if (!match) throw new Error('README.md has no ```js block');
  return match[1];
}

function runNode(file: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [file], { cwd: path.dirname(file), env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer();
  // A project of the reader's own: the snippet file beside a node_modules with the SDK.
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-readme-sdk-'));
  fs.symlinkSync(path.join(ROOT, 'node_modules'), path.join(dir, 'node_modules'));
});
afterAll(async () => {
  await server.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('README: the b24jssdk snippet', () => {
  it('runs unmodified but for the webhook URL and prints what the README says', async () => {
    const snippet = readmeSnippet();
    expect(snippet.split(README_URL)).toHaveLength(2);
    const file = path.join(dir, 'hello.mjs');
    fs.writeFileSync(file, snippet.replace(README_URL, server.webhookHttpsUrl));
    const env = { ...process.env, NODE_EXTRA_CA_CERTS: tlsFiles(server.dataDir).certFile };
    const run = await runNode(file, env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(lines).toEqual([expect.stringMatching(/^lead [1-9]\d*$/), '400 ERR_BAD_REQUEST Not found', '']);
    const id = Number(lines[0].split(' ')[1]);
    expect((await callJson(server, 'crm.lead.get', { id })).body.result.TITLE).toBe('From the SDK');
  });

  it('B24Hook needs the HTTPS URL with a numeric user ID, as the README says', async () => {
    const snippet = readmeSnippet();
    const refusals: [string, string][] = [
      [server.webhookUrl, 'SdkError: Webhook requires HTTPS protocol'],
      [server.webhookHttpsUrl.replace('/rest/1/', '/rest/admin/'), 'SdkError: User ID must be numeric in webhook URL'],
    ];
    for (const [url, message] of refusals) {
      const file = path.join(dir, 'refused.mjs');
      fs.writeFileSync(file, snippet.replace(README_URL, url));
      const run = await runNode(file, { ...process.env, NODE_EXTRA_CA_CERTS: tlsFiles(server.dataDir).certFile });
      expect(run.code, url).not.toBe(0);
      expect(run.stdout, url).toBe('');
      expect(run.stderr, url).toContain(`\n${message}`);
    }
  });
});
