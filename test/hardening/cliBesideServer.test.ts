// Administrative commands run while the server is busy writing (known bug X-F1): a CLI write
// used to fail with "database is locked" because its transaction began DEFERRED, read, and
// then could not take the write lock without risking a deadlock, so SQLite refused at once
// instead of waiting out busy_timeout. Transactions now begin IMMEDIATE on both sides.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// A separate process: an in-process command would block the server's event loop while it waits
// for SQLite's write lock.
import { runCli } from '../cli/spawn.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

/**
 * Keeps `streams` batches of 50 trace.add rows in flight until `stop` settles, so the server is
 * inside a write transaction most of the time; returns how many rows it wrote.
 */
async function writeUntil(stop: Promise<unknown>, streams: number): Promise<number> {
  let stopped = false;
  void stop.then(() => (stopped = true));
  let rows = 0;
  const deadline = Date.now() + 60_000;
  await Promise.all(
    Array.from({ length: streams }, async (_, stream) => {
      for (let n = 0; !stopped && Date.now() < deadline; n++) {
        const cmd: Record<string, string> = {};
        for (let row = 0; row < 50; row++) {
          const trace = { url: `https://load${stream}-${n}-${row}.example/`, tags: { list: { utm_source: 'cli-test' } } };
          cmd[`r${row}`] = `crm.tracking.trace.add?TRACE=${encodeURIComponent(JSON.stringify(trace))}`;
        }
        const answer = await callJson(server, 'batch', { halt: 1, cmd });
        if (answer.status !== 200 || answer.body.result.result_error.length !== 0) {
          throw new Error(`a batch failed during the CLI command: ${answer.text.slice(0, 500)}`);
        }
        rows += Object.keys(answer.body.result.result).length;
      }
    }),
  );
  return rows;
}

/** Runs a CLI command while batches keep the server writing. */
async function runBesideLoad(args: string[]): Promise<{ result: Awaited<ReturnType<typeof runCli>>; written: number }> {
  let stop!: () => void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const load = writeUntil(stopped, 4);
  // The load is under way before the command opens the database, and lasts until it exits.
  await new Promise((resolve) => setTimeout(resolve, 150));
  const result = await runCli(args);
  stop();
  return { result, written: await load };
}

describe('a CLI write beside the running server', () => {
  it('`source add` and `source update` (which reads, then writes) succeed, and so does every batch', async () => {
    const added = await runBesideLoad(['source', 'add', '--name', 'Beside the server', '--data', server.dataDir]);
    expect([added.result.code, added.result.stderr]).toEqual([0, '']);
    expect(added.written).toBeGreaterThan(0);
    const id = Number(/^source (\d+) added$/m.exec(added.result.stdout)?.[1]);
    for (const round of [1, 2, 3]) {
      const name = `Renamed beside the server ${round}`;
      const { result, written } = await runBesideLoad(['source', 'update', String(id), '--name', name, '--data', server.dataDir]);
      expect([result.code, result.stderr]).toEqual([0, '']);
      expect(written).toBeGreaterThan(0);
      const row = await server.services.db.selectFrom('tracking_sources').select('name').where('id', '=', id).executeTakeFirstOrThrow();
      expect(row.name).toBe(name);
    }
  });

  it('lets `webhook add` through while the server writes', async () => {
    const { result, written } = await runBesideLoad(['webhook', 'add', '--user', '1', '--scope', 'crm', '--title', 'beside the server', '--data', server.dataDir]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^webhook \d+ created for user 1 with scopes crm/);
    expect(result.stdout).toMatch(/\/rest\/1\/[0-9a-z]+\//);
    expect(written).toBeGreaterThan(0);
  });
});
