// Several `serve` processes on one PostgreSQL database behave as one portal (issue 16): two
// separate processes (as on two machines, each with its own data directory) take concurrent
// writes spread over both, share one rate limit, and see each other's webhook changes on the
// next call; `serve --workers 2` survives a worker killed under load. Only under
// TEST_DB=postgres; on SQLite `--workers` above 1 is refused, which is tested here instead.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processExists } from '../../src/setup/runningServer.js';
import { runCli as runCliInProcess } from '../cli/inProcess.js';
import { databaseUrlFor, removeTempDataDir, ROOT, runCli, startServe, tempDataDir, type ServeProcess } from '../cli/spawn.js';
import { waitUntil } from '../helpers/cli.js';
import { TEST_DIALECT } from '../helpers/database.js';

const LEAD = 1;
const TRACE = JSON.stringify({ url: 'https://shop.example/', tags: { list: { utm_source: 'google', utm_medium: 'cpc' } } });
const LIMITED = { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' };
const INVALID_CREDENTIALS = { error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' };

interface Answer {
  readonly status: number;
  readonly body: any;
}

let addresses = 0;
/** A client address of its own for each call, so the load never meets the rate limit. */
function nextAddress(): string {
  const n = ++addresses;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

async function call(base: string, method: string, params: unknown = {}, address = nextAddress()): Promise<Answer> {
  const response = await fetch(`${base}${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': address },
    body: JSON.stringify(params),
    // A call caught by a killed worker must not hang the test.
    signal: AbortSignal.timeout(10_000),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: response.status, body };
}

function portOf(serve: ServeProcess): number {
  const match = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(serve.output());
  if (!match) throw new Error(`no port in:\n${serve.output()}`);
  return Number(match[1]);
}

/** nginx, where it is installed (the reverse-proxy test needs it). */
function nginxBinary(): string | null {
  return ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'].find((file) => fs.existsSync(file)) ?? null;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as net.AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/** Runs `tasks` with at most `width` at a time. */
async function inParallel<T>(tasks: (() => Promise<T>)[], width: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < tasks.length) {
        const index = next++;
        results[index] = await tasks[index]();
      }
    }),
  );
  return results;
}

describe('serve --workers values', () => {
  it('refuses a count that is not a whole number from 1 to 256, naming the flag or the variable', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-workers-'));
    try {
      const zero = await runCliInProcess(['serve', '--data', dir, '--workers', '0']);
      expect(zero.code).toBe(1);
      expect(zero.stderr).toContain('salestrace: --workers must be between 1 and 256, got 0');
      const word = await runCliInProcess(['serve', '--data', dir], { SALESTRACE_WORKERS: 'many' });
      expect(word.code).toBe(1);
      expect(word.stderr).toContain('salestrace: SALESTRACE_WORKERS must be an integer, got "many"');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(TEST_DIALECT !== 'sqlite')('serve --workers on SQLite', () => {
  it('is refused with the reason and what to do', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-workers-'));
    try {
      const result = await runCliInProcess(['serve', '--data', dir, '--workers', '2']);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain(
        'salestrace: --workers 2 needs PostgreSQL: the embedded SQLite database lets one process write at a time, ' +
          'so more processes would only queue behind each other. ' +
          'Run one process (leave out --workers), or point every process at PostgreSQL with --database-url postgres://….',
      );
      expect(fs.existsSync(path.join(dir, 'salestrace.db'))).toBe(false);
      const byEnv = await runCliInProcess(['serve', '--data', dir], { SALESTRACE_WORKERS: '3' });
      expect(byEnv.code).toBe(1);
      expect(byEnv.stderr).toContain('salestrace: SALESTRACE_WORKERS 3 needs PostgreSQL');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.skipIf(TEST_DIALECT !== 'postgres')('several serve processes on one PostgreSQL database', () => {
  const dirs: string[] = [];
  const serves: ServeProcess[] = [];
  let url: string;
  let db: pg.Client;
  let baseA: string;
  let baseB: string;
  let secret: string;

  beforeAll(async () => {
    const dirA = await tempDataDir();
    dirs.push(dirA);
    url = databaseUrlFor(dirA)!;
    // As on a second machine: a data directory of its own, the same database.
    const dirB = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-second-'));
    const common = ['--port', '0', '--https-port', 'off', '--plan', 'standard', '--rate-drain', '0.01', '--trust-proxy', '--log-level', 'warn'];
    const a = await startServe(['--data', dirA, ...common]);
    serves.push(a);
    const b = await startServe(['--data', dirB, '--database-url', url, ...common]);
    serves.push(b);
    fs.rmSync(dirB, { recursive: true, force: true });
    secret = /\/rest\/1\/([0-9a-z]+)\//.exec(a.output())![1];
    baseA = `http://127.0.0.1:${portOf(a)}/rest/1/${secret}/`;
    baseB = `http://127.0.0.1:${portOf(b)}/rest/1/${secret}/`;
    db = new pg.Client({ connectionString: url });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    for (const serve of serves) if (serve.child.exitCode === null) await serve.stop();
    for (const dir of dirs) await removeTempDataDir(dir);
  });

  it('takes concurrent trace.add, trace.delete, batch and item deletes over both: every acknowledged write holds, no binding is orphaned', async () => {
    const bases = [baseA, baseB];
    const leads: number[] = [];
    for (let i = 0; i < 16; i++) {
      const added = await call(bases[i % 2], 'crm.lead.add', { fields: { TITLE: `Lead ${i}` } });
      expect(added.status).toBe(200);
      leads.push(added.body.result);
    }
    const added = new Set<number>();
    const deleted = new Set<number>();
    const boundTo = new Map<number, number>();
    const deletedLeads = new Set<number>();
    const answers: Answer[] = [];
    const pick = <T>(values: readonly T[]) => values[Math.floor(Math.random() * values.length)];
    const tasks: (() => Promise<void>)[] = [];
    for (let i = 0; i < 160; i++) {
      const base = bases[i % 2];
      const kind = i % 8;
      if (kind < 4) {
        tasks.push(async () => {
          const lead = pick(leads);
          const answer = await call(base, 'crm.tracking.trace.add', { TRACE, ENTITIES: [{ TYPE: 'LEAD', ID: lead }] });
          answers.push(answer);
          if (answer.status === 200) {
            added.add(answer.body.result);
            boundTo.set(answer.body.result, lead);
          }
        });
      } else if (kind === 4) {
        tasks.push(async () => {
          const cmd: Record<string, string> = {};
          const rowLeads: Record<string, number> = {};
          for (let row = 0; row < 5; row++) {
            rowLeads[`t${row}`] = pick(leads);
            cmd[`t${row}`] = `crm.tracking.trace.add?${new URLSearchParams({ TRACE, 'ENTITIES[0][TYPE]': 'LEAD', 'ENTITIES[0][ID]': String(rowLeads[`t${row}`]) })}`;
          }
          const answer = await call(base, 'batch', { halt: 0, cmd });
          answers.push(answer);
          if (answer.status === 200) {
            expect(answer.body.result.result_error).toEqual([]);
            for (const [key, id] of Object.entries(answer.body.result.result) as [string, number][]) {
              added.add(id);
              boundTo.set(id, rowLeads[key]);
            }
          }
        });
      } else if (kind === 5 || kind === 6) {
        tasks.push(async () => {
          const victim = [...added].find((id) => !deleted.has(id));
          if (victim === undefined) return;
          deleted.add(victim);
          const answer = await call(base, 'crm.tracking.trace.delete', { id: victim });
          answers.push(answer);
          expect(answer.body.error).toBeUndefined();
        });
      } else if (i < 120) {
        // 15 of the 16 leads go while traces are being bound to them.
        const lead = leads[i >> 3];
        tasks.push(async () => {
          const answer = await call(base, i % 16 === 7 ? 'crm.lead.delete' : 'crm.item.delete', i % 16 === 7 ? { id: lead } : { entityTypeId: LEAD, id: lead });
          answers.push(answer);
          if (answer.status === 200) deletedLeads.add(lead);
          expect(answer.body.result === true || answer.body.result === null || Array.isArray(answer.body.result)).toBe(true);
        });
      }
    }
    await inParallel(tasks, 12);
    expect(answers.filter((answer) => answer.status !== 200)).toEqual([]);
    expect(added.size).toBeGreaterThan(100);

    const present = new Set((await db.query('select id from tracking_traces')).rows.map((row) => Number(row.id)));
    // A trace goes with the last item bound to it (onItemDeleted): only those may be gone.
    const missing = [...added].filter((id) => !deleted.has(id) && !deletedLeads.has(boundTo.get(id)!) && !present.has(id));
    expect(missing).toEqual([]);
    expect([...deleted].filter((id) => present.has(id))).toEqual([]);
    const orphans = await db.query(
      `select ti.trace_id, ti.entity_type_id, ti.entity_id from tracking_trace_items ti
       where not exists (select 1 from tracking_traces t where t.id = ti.trace_id)
          or (ti.entity_type_id = ${LEAD} and not exists (select 1 from crm_lead l where l.id = ti.entity_id))`,
    );
    expect(orphans.rows).toEqual([]);
  }, 60_000);

  it("holds a client to the plan's burst across both processes, not twice it", async () => {
    const address = '10.250.0.1';
    const answers = await inParallel(
      Array.from({ length: 100 }, (_, i) => () => call(i % 2 ? baseA : baseB, 'server.time', {}, address)),
      20,
    );
    const served = answers.filter((answer) => answer.status === 200).length;
    const refused = answers.filter((answer) => answer.status === 503);
    // Standard plan: a bucket of 50 (draining 0.01 per second here, so nothing drains meanwhile).
    expect(served).toBe(50);
    expect(refused).toHaveLength(50);
    expect(refused[0].body).toEqual(LIMITED);
  });

  it('refuses a revoked webhook on the next call to either process, their caches being warm', async () => {
    const cli = await runCli(['webhook', 'add', '--user', '1', '--scope', 'crm', '--data', dirs[0]]);
    expect(cli.code, cli.stderr).toBe(0);
    const hookSecret = /\/rest\/1\/([0-9a-z]+)\//.exec(cli.stdout)![1];
    const hookId = Number((await db.query('select max(id) as id from webhooks')).rows[0].id);
    const onA = `http://127.0.0.1:${portOf(serves[0])}/rest/1/${hookSecret}/`;
    const onB = `http://127.0.0.1:${portOf(serves[1])}/rest/1/${hookSecret}/`;
    for (const base of [onA, onB, onA, onB]) expect((await call(base, 'server.time')).status).toBe(200);
    const revoked = await runCli(['webhook', 'revoke', String(hookId), '--data', dirs[0]]);
    expect(revoked.code, revoked.stderr).toBe(0);
    for (const base of [onB, onA]) {
      const answer = await call(base, 'server.time');
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual(INVALID_CREDENTIALS);
    }
  });

  it.skipIf(!nginxBinary())('behind nginx with deploy/nginx-salestrace.conf: one rate limit for the address nginx saw, over both processes', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-nginx-'));
    const port = await freePort();
    const site = fs
      .readFileSync(path.join(ROOT, 'deploy', 'nginx-salestrace.conf'), 'utf8')
      .replace('server 10.0.0.11:8080', `server 127.0.0.1:${portOf(serves[0])}`)
      .replace('server 10.0.0.12:8080', `server 127.0.0.1:${portOf(serves[1])}`)
      .replace('listen 443 ssl;', `listen 127.0.0.1:${port};`)
      .replace(/^\s*ssl_certificate.*$/gm, '');
    expect(site).not.toContain('10.0.0.1');
    const temp = (name: string) => `${name}_temp_path ${path.join(dir, name)};`;
    fs.writeFileSync(
      path.join(dir, 'nginx.conf'),
      `daemon off; pid ${path.join(dir, 'nginx.pid')}; error_log ${path.join(dir, 'error.log')} warn;\n` +
        `events {}\nhttp { access_log off; ${['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map(temp).join(' ')}\n${site}\n}\n`,
    );
    const nginx = spawn(nginxBinary()!, ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
    try {
      await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null))?.status === 200, 10_000);
      const proxied = `http://127.0.0.1:${port}/rest/1/${secret}/`;
      // Each request claims another address; nginx appends the one it saw, which is the one that counts.
      const answers = await inParallel(
        Array.from({ length: 60 }, () => () => call(proxied, 'server.time')),
        10,
      );
      expect(answers.filter((answer) => answer.status === 200)).toHaveLength(50);
      const refused = answers.filter((answer) => answer.status === 503);
      expect(refused).toHaveLength(10);
      expect(refused[0].body).toEqual(LIMITED);
    } finally {
      nginx.kill('SIGTERM');
      await new Promise((resolve) => nginx.once('exit', resolve));
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serve --workers 2: a worker SIGKILLed under load is replaced, the other keeps answering, nothing acknowledged is lost', async () => {
    const dirC = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-workers-'));
    const c = await startServe(['--data', dirC, '--database-url', url, '--port', '0', '--https-port', 'off', '--workers', '2', '--log-level', 'warn']);
    serves.push(c);
    try {
      await waitUntil(async () => (c.output().match(/Worker \d+ listening/g) ?? []).length === 2, 10_000);
      const workers = [...c.output().matchAll(/Worker (\d+) listening/g)].map((match) => Number(match[1]));
      const base = `http://127.0.0.1:${portOf(c)}/rest/1/${secret}/`;
      const acknowledged: number[] = [];
      let servedAfterKill = 0;
      let killed = false;
      const started = performance.now();
      const loops = Array.from({ length: 8 }, async () => {
        while (performance.now() - started < 2500) {
          try {
            const answer = await call(base, 'crm.tracking.trace.add', { TRACE });
            if (answer.status === 200) {
              acknowledged.push(answer.body.result);
              if (killed) servedAfterKill++;
            }
          } catch {
            // A connection to the killed worker: this call was never acknowledged.
          }
        }
      });
      await new Promise((resolve) => setTimeout(resolve, 600));
      process.kill(workers[0], 'SIGKILL');
      killed = true;
      await Promise.all(loops);
      expect(servedAfterKill).toBeGreaterThan(5);
      const ids = acknowledged.join(',');
      const found = Number((await db.query(`select count(*) as n from tracking_traces where id in (${ids})`)).rows[0].n);
      expect(found).toBe(acknowledged.length);
      await waitUntil(async () => /Worker \d+ exited with signal SIGKILL; starting another/.test(c.output()), 10_000);
      await waitUntil(async () => (c.output().match(/Worker \d+ listening/g) ?? []).length === 3, 10_000);
      const replacement = Number([...c.output().matchAll(/Worker (\d+) listening/g)][2][1]);
      expect((await call(base, 'server.time')).status).toBe(200);
      // SIGTERM: every worker finishes and exits, then the supervisor.
      expect(await c.stop()).toBe(0);
      expect(processExists(workers[1])).toBe(false);
      expect(processExists(replacement)).toBe(false);
    } finally {
      fs.rmSync(dirC, { recursive: true, force: true });
    }
  }, 60_000);
});
