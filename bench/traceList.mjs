#!/usr/bin/env node
// `salestrace.trace.list` with a million traces, per role (issue 18, finding 3): milliseconds
// per page, `total` included, at start=0 and at a deep start, for an administrator, a user who
// reads every item (READ ALL, not an administrator) and users who read their own items (OWN)
// with 10, 100 and 1,000 items. A latency probe, not a load test: one call at a time.
//
//   npm run build && node bench/traceList.mjs [--traces 1000000] [--items 10000] [--calls 15] [--write]
//   npm run bench -- --only trace.list@1M      (the same, as part of the bench run)
//
// Setup: `salestrace seed` fills a fresh data directory (every item the administrator's, every
// trace bound), `serve` starts on it, the CLI adds two roles and the users with webhooks, and
// `crm.item.update` (batch) hands each OWN user their deals and contacts.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { collectOutput, installExitHandlers, spawnChild } from './lib/children.mjs';
import { callBatch, callRest } from './lib/rest.mjs';
import { machineInfo, processCpuSeconds } from './lib/machine.mjs';
import { median, round } from './lib/stats.mjs';
import { ROOT, currentCli, startSalestrace } from './lib/servers.mjs';
import { makeWorkDir } from './lib/workDir.mjs';

/** What one OWN user is responsible for: as many deals as contacts, `items` in all. */
export const OWN_USERS = [
  { login: 'own-10', items: 10 },
  { login: 'own-100', items: 100 },
  { login: 'own-1000', items: 1000 },
];
const PAGE = 50;

async function cli(args) {
  const child = spawnChild(process.execPath, [currentCli(), ...args], { cwd: ROOT });
  return collectOutput(child, `salestrace ${args[0]} ${args[1] ?? ''}`);
}

/** A user with a role and a crm webhook; returns its webhook URL on `server`. */
async function userWithRole(server, login, role) {
  await cli(['user', 'add', '--login', login, '--role', role, '--data', server.dataDir]);
  const listed = await cli(['user', 'list', '--data', server.dataDir]);
  const line = listed.split('\n').find((row) => new RegExp(`\\b${login}\\b`).test(row));
  const id = Number(/\d+/.exec(line ?? '')?.[0]);
  if (!Number.isInteger(id)) throw new Error(`user ${login} not found in:\n${listed}`);
  const printed = await cli(['webhook', 'add', '--user', String(id), '--scope', 'crm', '--data', server.dataDir, '--base-url', server.url]);
  const webhook = /\/rest\/\d+\/[A-Za-z0-9_-]+\//.exec(printed);
  if (!webhook) throw new Error(`no webhook URL in: ${printed}`);
  return { login, id, webhookUrl: server.url + webhook[0] };
}

/** Makes `user` responsible for deals and contacts `first`…, `count` in all. */
async function handOver(server, user, first, count) {
  const rows = [];
  for (let i = 0; i < count; i++) {
    const entityTypeId = i % 2 === 0 ? 2 : 3;
    rows.push(`crm.item.update?entityTypeId=${entityTypeId}&id=${first + Math.floor(i / 2)}&fields[assignedById]=${user.id}`);
  }
  for (let at = 0; at < rows.length; at += 50) await callBatch(server.webhookUrl, rows.slice(at, at + 50));
}

/** Sets up the readers on a seeded, running server: an ALL reader and the OWN users. */
export async function setUpReaders(server) {
  await cli(['role', 'add', '--name', 'bench-read-all', '--data', server.dataDir]);
  await cli(['role', 'grant', '--role', 'bench-read-all', '--type', 'all', '--action', 'READ', '--level', 'ALL', '--data', server.dataDir]);
  await cli(['role', 'add', '--name', 'bench-own', '--data', server.dataDir]);
  await cli(['role', 'grant', '--role', 'bench-own', '--type', 'all', '--action', 'all', '--level', 'OWN', '--data', server.dataDir]);
  const readers = [{ login: 'administrator', webhookUrl: server.webhookUrl, role: 'administrator' }];
  readers.push({ ...(await userWithRole(server, 'reads-all', 'bench-read-all')), role: 'READ ALL' });
  let next = 1;
  for (const own of OWN_USERS) {
    const user = await userWithRole(server, own.login, 'bench-own');
    await handOver(server, user, next, own.items);
    next += own.items / 2;
    readers.push({ ...user, role: `OWN, ${own.items} items` });
  }
  return readers;
}

async function timedPage(reader, start) {
  const t0 = performance.now();
  const body = await callRest(reader.webhookUrl, 'salestrace.trace.list', { start });
  return { ms: performance.now() - t0, body };
}

/**
 * ms per page (median and worst of `calls`, after warm-up) at start=0 and at the middle page,
 * and the server's CPU time per call: on a shared machine the wall times carry the waits for a
 * core, while the CPU time is the work the call itself took.
 */
export async function measureReaders(server, readers, calls, log = console.log) {
  const rows = [];
  for (const reader of readers) {
    const first = await timedPage(reader, 0);
    const total = first.body.total;
    const deep = Math.floor(total / 2 / PAGE) * PAGE;
    for (const start of new Set([0, deep])) {
      for (let i = 0; i < 3; i++) await timedPage(reader, start);
      const times = [];
      let answer;
      const cpu0 = processCpuSeconds(server.pid);
      for (let i = 0; i < calls; i++) {
        const page = await timedPage(reader, start);
        times.push(page.ms);
        answer = page.body;
      }
      const cpuMs = round(((processCpuSeconds(server.pid) - cpu0) * 1000) / calls, 1);
      if (answer.total !== total || answer.result.length !== Math.min(PAGE, total - start)) {
        throw new Error(`${reader.login} start=${start}: total ${answer.total}, ${answer.result.length} rows (expected ${total})`);
      }
      const row = { reader: reader.role, start, total, medianMs: round(median(times), 1), maxMs: round(Math.max(...times), 1), serverCpuMs: cpuMs };
      log(`${row.reader.padEnd(18)} start=${String(start).padEnd(7)} total ${String(total).padEnd(8)} median ${row.medianMs} ms  max ${row.maxMs} ms  server CPU ${cpuMs} ms/call`);
      rows.push(row);
    }
  }
  return rows;
}

export function traceListMarkdown(run) {
  const lines = [
    `Run of ${run.date}: ${run.traces.toLocaleString('en-US')} traces seeded (${run.items.toLocaleString('en-US')} items), ${run.calls} calls per figure after 3 warm-up calls, one at a time.`,
    `Machine: ${run.machine.cpu ?? ''} ${run.machine.cores ?? ''} cores, Node ${run.machine.node ?? process.version}.`,
    '',
    '| Reader | start | total | median ms | max ms | server CPU ms per call |',
    '| --- | --- | --- | --- | --- | --- |',
    ...run.rows.map(
      (row) => `| ${row.reader} | ${row.start.toLocaleString('en-US')} | ${row.total.toLocaleString('en-US')} | ${row.medianMs} | ${row.maxMs} | ${row.serverCpuMs} |`,
    ),
  ];
  return lines.join('\n');
}

async function main() {
  installExitHandlers();
  const { values: flags } = parseArgs({
    options: {
      traces: { type: 'string', default: '1000000' },
      items: { type: 'string', default: '10000' },
      calls: { type: 'string', default: '15' },
      write: { type: 'boolean', default: false },
    },
  });
  const traces = Number(flags.traces);
  const items = Number(flags.items);
  const calls = Number(flags.calls);
  if (!fs.existsSync(currentCli())) throw new Error(`${currentCli()} is missing: run \`npm run build\` first`);
  const { dir } = makeWorkDir('trace-list');
  const dataDir = path.join(dir, 'salestrace');
  console.log(`seeding ${traces} traces and ${items} items…`);
  const t0 = performance.now();
  await cli(['seed', '--data', dataDir, '--traces', String(traces), '--items', String(items)]);
  console.log(`seeded in ${round((performance.now() - t0) / 1000, 1)} s`);
  const server = await startSalestrace('salestrace-list', dataDir);
  try {
    const readers = await setUpReaders(server);
    const rows = await measureReaders(server, readers, calls);
    const run = { date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), traces, items, calls, machine: machineInfo(), rows };
    const markdown = traceListMarkdown(run);
    console.log(`\n${markdown}`);
    if (flags.write) {
      const file = path.join(ROOT, 'bench/results', `trace-list-${run.date.slice(0, 10)}.json`);
      fs.writeFileSync(file, JSON.stringify(run, null, 2) + '\n');
      console.log(`wrote ${path.relative(ROOT, file)}`);
    }
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
  process.exit(0);
}
