#!/usr/bin/env node
// Side experiment (not part of the official table): what durability costs on this machine.
// 1. The bare cost of one fdatasync after a small append, as SQLite's WAL commit does it.
// 2. The raw-sqlite baseline at synchronous=FULL (what Salestrace uses: every commit survives
//    power loss) against synchronous=NORMAL (WAL commits survive a process crash; the last ones
//    may be lost on power loss), interleaved in rounds with the trace.add requests.
//   node bench/fsync.mjs [--rounds 3] [--seconds 5] [--write] [--quiet-wait SECONDS]
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { armDeadline, installExitHandlers } from './lib/children.mjs';
import { loadProblems, runLoad } from './lib/load.mjs';
import { machineInfo, waitForQuietMachine } from './lib/machine.mjs';
import { formatNumber, replaceSection, table } from './lib/markdown.mjs';
import { median, percentile, round } from './lib/stats.mjs';
import { ROOT, startBaseline } from './lib/servers.mjs';
import { makeWorkDir } from './lib/workDir.mjs';
import { SCENARIOS } from './scenarios.mjs';

installExitHandlers();
armDeadline(10 * 60_000, 'the fsync experiment');

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    write: { type: 'boolean', default: false },
    'quiet-wait': { type: 'string', default: '0' },
  },
});
if (Number(values['quiet-wait']) > 0) await waitForQuietMachine(0.15, Number(values['quiet-wait']));
const rounds = Number(values.rounds);
const seconds = Number(values.seconds);
const { dir: work, fileSystem } = makeWorkDir('fsync');

function measureFdatasync(count = 2000) {
  const file = path.join(work, 'fsync-probe');
  const fd = fs.openSync(file, 'w');
  const page = Buffer.alloc(4096, 1);
  const us = [];
  try {
    for (let i = 0; i < count; i++) {
      fs.writeSync(fd, page, 0, page.length, i * page.length);
      const t0 = process.hrtime.bigint();
      fs.fdatasyncSync(fd);
      us.push(Number(process.hrtime.bigint() - t0) / 1000);
    }
  } finally {
    fs.closeSync(fd);
  }
  us.sort((a, b) => a - b);
  return { count, medianUs: round(percentile(us, 50), 0), p99Us: round(percentile(us, 99), 0) };
}

const fdatasync = measureFdatasync();
console.log(`fdatasync after a 4 KiB append: median ${fdatasync.medianUs} µs, p99 ${fdatasync.p99Us} µs`);

const requests = SCENARIOS.find((s) => s.name === 'raw-sqlite').requests();
const modes = ['FULL', 'NORMAL'];
const servers = {};
for (const mode of modes) servers[mode] = await startBaseline('raw-sqlite', [path.join(work, `raw-${mode}.db`), mode]);

const runs = { FULL: [], NORMAL: [] };
const load = (mode, secs) => runLoad({ url: servers[mode].url, connections: Number(values.connections), seconds: secs, verify: 'traceId', requests }, work, servers[mode].pid);
for (const mode of modes) await load(mode, 2); // warm-up
for (let r = 0; r < rounds; r++) {
  for (const mode of r % 2 ? [...modes].reverse() : modes) {
    const result = await load(mode, seconds);
    const problems = loadProblems(result);
    if (problems.length > 0) throw new Error(`${mode}: ${problems.join('; ')}`);
    runs[mode].push(result);
    console.log(`round ${r + 1}/${rounds}  synchronous=${mode.padEnd(6)} ${Math.round(result.rps)} req/s  p50 ${result.latencyMs.p50.toFixed(2)} ms  p99 ${result.latencyMs.p99.toFixed(2)} ms  other load ${result.cpu.otherCores.toFixed(2)} cores`);
  }
}
for (const server of Object.values(servers)) await server.stop();

const summary = Object.fromEntries(
  modes.map((mode) => [
    mode,
    {
      requestsPerSecond: round(median(runs[mode].map((r) => r.rps)), 0),
      p50: round(median(runs[mode].map((r) => r.latencyMs.p50)), 2),
      p99: round(median(runs[mode].map((r) => r.latencyMs.p99)), 2),
      otherCoresMax: round(Math.max(...runs[mode].map((r) => r.cpu?.otherCores ?? 0)), 2),
    },
  ]),
);
const machine = machineInfo();
const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
const ratio = summary.FULL.requestsPerSecond / summary.NORMAL.requestsPerSecond;
const markdown = `Run of ${date}: ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}; databases on ${fileSystem}.
\`node bench/fsync.mjs\`: the raw-sqlite baseline, ${values.connections} connections, ${rounds} interleaved rounds of ${seconds} s, medians.

${table(
  ['raw-sqlite', 'req/s', 'p50 ms', 'p99 ms', 'other load, cores (max)'],
  modes.map((mode) => [
    `synchronous=${mode}`,
    formatNumber(summary[mode].requestsPerSecond),
    formatNumber(summary[mode].p50, 2),
    formatNumber(summary[mode].p99, 2),
    formatNumber(summary[mode].otherCoresMax, 2),
  ]),
)}

One \`fdatasync\` after a 4 KiB append costs a median ${formatNumber(fdatasync.medianUs)} µs (p99 ${formatNumber(fdatasync.p99Us)} µs) here.
synchronous=FULL runs at ${formatNumber(ratio * 100, 0)}% of NORMAL's rate: durability costs ${formatNumber((1 - ratio) * 100, 0)}% of the throughput of a one-commit-per-request server.`;
console.log(`\n${markdown}`);
if (values.write) {
  const file = `fsync-${date.slice(0, 10)}.json`;
  fs.writeFileSync(path.join(ROOT, 'bench/results', file), JSON.stringify({ date, machine: { ...machine, dataFileSystem: fileSystem }, fdatasync, summary, runs }, null, 2) + '\n');
  replaceSection(path.join(ROOT, 'BENCHMARKS.md'), 'fsync', markdown);
  console.log(`wrote bench/results/${file} and the fsync section of BENCHMARKS.md`);
}
process.exit(0);
