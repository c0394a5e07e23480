// Graceful shutdown: `salestrace serve` gets SIGTERM while a slow request is in flight. The
// slow request is answered in full, new connections are refused, and the process exits 0.
import { spawn } from 'node:child_process';
import net from 'node:net';
import { expect, it } from 'vitest';
import { builtBin, builtTestMethods, databaseUrlFor, removeTempDataDir, tempDataDir } from '../cli/spawn.js';

function connectable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

it('finishes the in-flight request, refuses new connections, and exits 0 on SIGTERM', async () => {
  const dataDir = await tempDataDir();
  const url = databaseUrlFor(dataDir);
  const database = url ? ['--database-url', url] : [];
  const child = spawn(process.execPath, [builtBin(), 'serve', '--data', dataDir, ...database, '--port', '0', '--https-port', 'off', '--log-level', 'silent'], {
    env: { ...process.env, SALESTRACE_TEST_METHODS: builtTestMethods() },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const webhook = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start: ${stdout}`)), 15_000);
      child.stdout.on('data', () => {
        const match = /^\s+(http:\/\/127\.0\.0\.1:\d+\/rest\/1\/[a-z0-9]+\/)$/m.exec(stdout);
        if (match) {
          clearTimeout(timer);
          resolve(match[1]);
        }
      });
    });
    const port = Number(new URL(webhook).port);

    const slow = fetch(`${webhook}salestrace.test.work`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ seconds: 1.5 }),
    }).then(async (response) => ({
      status: response.status,
      connection: response.headers.get('connection'),
      body: (await response.json()) as any,
    }));
    await new Promise((resolve) => setTimeout(resolve, 300));
    child.kill('SIGTERM');

    // The listener closes at once; the slow request is still running.
    let refusedAt = 0;
    const sentAt = performance.now();
    while (performance.now() - sentAt < 1000) {
      if (!(await connectable(port))) {
        refusedAt = performance.now() - sentAt;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(refusedAt).toBeGreaterThan(0);
    expect(refusedAt).toBeLessThan(1000);

    const answer = await slow;
    expect(answer.status).toBe(200);
    // No further request may follow on that connection.
    expect(answer.connection).toBe('close');
    expect(answer.body.result).toBe(true);
    expect(answer.body.time.processing).toBeGreaterThanOrEqual(1.5);
    const exitStarted = performance.now();
    expect(await exited).toBe(0);
    // Nothing lingers: no idle keep-alive connection holds the exit back.
    expect(performance.now() - exitStarted).toBeLessThan(2000);
    expect(stdout).toContain('SIGTERM received: finishing in-flight requests');
  } finally {
    child.kill('SIGKILL');
    await removeTempDataDir(dataDir);
  }
});
