#!/usr/bin/env node
// What one call costs on PostgreSQL, in figures that hold on a loaded machine (issue 16): round
// trips to PostgreSQL per call (every query node-postgres sends, counted in the server process by
// bench/lib/countPgQueries.mjs, listed by SQL text), the server process's CPU µs per call and the
// CPU µs per call of the PostgreSQL backends connected to the bench's database (/proc, user +
// system). A modest load (few connections), so that nothing waits on a queue for long.
//   node bench/experiments/pg-cost.mjs [scenario=pg:trace.add] [--connections 4] [--seconds 6]
//     [--baseline] [--cpu-prof DIR] [--cli other/dist/cli/main.js] [--url postgres://…]
// --baseline also measures raw-pg with the same requests. --cpu-prof writes the server's profile
// into DIR and prints its summary.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { analyse, profileMarkdown } from '../cpuprofile.mjs';
import { armDeadline, installExitHandlers } from '../lib/children.mjs';
import { loadProblems, runLoad } from '../lib/load.mjs';
import { processCpuSeconds } from '../lib/machine.mjs';
import { openPostgresBench } from '../lib/postgres.mjs';
import { startBaseline, startSalestrace, useCli } from '../lib/servers.mjs';
import { makeWorkDir } from '../lib/workDir.mjs';
import { SCENARIOS } from '../scenarios.mjs';

installExitHandlers();
armDeadline(10 * 60_000, 'the PostgreSQL cost experiment');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    connections: { type: 'string', default: '4' },
    seconds: { type: 'string', default: '6' },
    baseline: { type: 'boolean', default: false },
    'cpu-prof': { type: 'string' },
    cli: { type: 'string' },
    url: { type: 'string', default: process.env.BENCH_DATABASE_URL },
  },
});
if (values.cli) useCli(values.cli);
const name = positionals[0] ?? 'pg:trace.add';
const scenario = SCENARIOS.find((s) => s.name === name);
if (!scenario?.postgres || scenario.server !== 'salestrace-pg') {
  throw new Error(`pg-cost.mjs measures the one-worker PostgreSQL scenarios: ${SCENARIOS.filter((s) => s.server === 'salestrace-pg').map((s) => s.name).join(', ')}`);
}
const bench = await openPostgresBench(values.url);
if (!bench.reachable) throw new Error(`PostgreSQL is not reachable at ${bench.url} (${bench.reason})`);
const { dir: work } = makeWorkDir('pg-cost');
const COUNTER = fileURLToPath(new URL('../lib/countPgQueries.mjs', import.meta.url));

/** The PIDs of the backends connected to one database. */
async function backendsOf(databaseUrl) {
  const client = new pg.Client({ connectionString: bench.url });
  await client.connect();
  try {
    const { rows } = await client.query('select pid from pg_stat_activity where datname = $1 and pid <> pg_backend_pid()', [new URL(databaseUrl).pathname.slice(1)]);
    return rows.map((row) => row.pid);
  } finally {
    await client.end();
  }
}

const cpuOf = (pids) => new Map(pids.map((pid) => [pid, processCpuSeconds(pid) ?? 0]));
function cpuSince(before, pids) {
  let seconds = 0;
  for (const pid of pids) seconds += (processCpuSeconds(pid) ?? 0) - (before.get(pid) ?? 0);
  return seconds;
}

async function queryCounts(server, file) {
  const before = fs.existsSync(file) ? fs.statSync(file).mtimeMs : 0;
  process.kill(server.pid, 'SIGUSR2');
  for (let i = 0; i < 100; i++) {
    if (fs.existsSync(file) && fs.statSync(file).mtimeMs !== before) return JSON.parse(fs.readFileSync(file, 'utf8'));
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error('the server did not write its query counts');
}

async function measure(label, server, databaseUrl, countFile, requests) {
  const spec = { url: server.url, connections: Number(values.connections), verify: scenario.verify, requests };
  await runLoad({ ...spec, seconds: 2 }, work); // warm-up: the pool's connections, the caches, the JIT
  const pids = await backendsOf(databaseUrl);
  const counts0 = countFile ? await queryCounts(server, countFile) : null;
  const server0 = processCpuSeconds(server.pid);
  const backends0 = cpuOf(pids);
  const result = await runLoad({ ...spec, seconds: Number(values.seconds) }, work, server.pid);
  const serverSeconds = processCpuSeconds(server.pid) - server0;
  const backendSeconds = cpuSince(backends0, await backendsOf(databaseUrl));
  const problems = loadProblems(result);
  if (problems.length > 0) throw new Error(`${label}: ${problems.join('; ')}`);
  const calls = result.ok;
  const line = {
    label,
    calls,
    serverUsPerCall: Math.round((serverSeconds * 1e6) / calls),
    postgresUsPerCall: Math.round((backendSeconds * 1e6) / calls),
    otherCores: Number(result.cpu?.otherCores.toFixed(2)),
  };
  if (countFile) {
    const counts1 = await queryCounts(server, countFile);
    const perCall = Object.entries(counts1)
      .map(([text, n]) => [text, (n - (counts0[text] ?? 0)) / calls])
      .filter(([, n]) => n > 0)
      .sort((a, b) => b[1] - a[1]);
    line.roundTripsPerCall = Number(perCall.reduce((sum, [, n]) => sum + n, 0).toFixed(2));
    line.statements = perCall.map(([text, n]) => `${n.toFixed(2)}  ${text.length > 150 ? `${text.slice(0, 150)}…` : text}`);
  }
  return line;
}

const lines = [];
if (values.baseline) {
  const url = await bench.database('cost_raw');
  const raw = await startBaseline('raw-pg', [url]);
  try {
    const requests = await SCENARIOS.find((s) => s.name === 'raw-pg').requests(raw);
    lines.push(await measure('raw-pg', raw, url, null, requests));
  } finally {
    await raw.stop();
  }
}
const url = await bench.database('cost');
const countFile = path.join(work, 'pg-queries.json');
process.env.PG_QUERY_COUNT_FILE = countFile;
const profileDir = values['cpu-prof'] ? path.resolve(values['cpu-prof']) : null;
if (profileDir) fs.mkdirSync(profileDir, { recursive: true });
const nodeArgs = ['--import', COUNTER, ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [])];
const server = await startSalestrace('salestrace-pg', path.join(work, 'data'), { nodeArgs, serveArgs: ['--database-url', url] });
let measured;
try {
  measured = await measure(name, server, url, countFile, await scenario.requests(server));
  lines.push(measured);
} finally {
  await server.stop();
}
for (const line of lines) {
  const { statements, ...figures } = line;
  console.log(JSON.stringify(figures));
  for (const statement of statements ?? []) console.log(`  ${statement}`);
}
if (profileDir) {
  const file = fs
    .readdirSync(profileDir)
    .filter((f) => f.endsWith('.cpuprofile') && f.split('.')[4] === '0')
    .map((f) => path.join(profileDir, f))
    .sort((a, b) => fs.statSync(a).mtimeMs - fs.statSync(b).mtimeMs)
    .at(-1);
  if (file) console.log(`\n${profileMarkdown(analyse(JSON.parse(fs.readFileSync(file, 'utf8'))), 20)}\n\nprofile: ${file}`);
}
process.exit(0);
