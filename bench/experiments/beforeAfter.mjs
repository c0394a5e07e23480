#!/usr/bin/env node
// Before and after a change, in one run: chosen scenarios (default trace.add, trace.delete and
// batch-50) against the raw-durable baseline, on the current build (dist/) and on another one
// (--before, e.g. a copy of dist/ built before the change), interleaved in rounds so that both
// see the same machine. Issue 17 used it for the checkpoint thread
// (src/db/dialects/checkpointer.ts); issue 15 for the refactor that must not move the figures.
//   node bench/experiments/beforeAfter.mjs --before bench/.work/dist-before/cli/main.js
//        [--scenarios server.time,crm.item.list,trace.add] [--rounds 3] [--seconds 5] [--connections 32]
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { armDeadline, installExitHandlers } from '../lib/children.mjs';
import { loadProblems, runLoad } from '../lib/load.mjs';
import { waitForIdleProcess } from '../lib/machine.mjs';
import { formatNumber, table } from '../lib/markdown.mjs';
import { median } from '../lib/stats.mjs';
import { currentCli, startBaseline, startSalestrace } from '../lib/servers.mjs';
import { makeWorkDir } from '../lib/workDir.mjs';
import { SCENARIOS } from '../scenarios.mjs';

installExitHandlers();
armDeadline(15 * 60_000, 'the before/after experiment');

const { values } = parseArgs({
  options: {
    before: { type: 'string' },
    scenarios: { type: 'string', default: 'trace.add,trace.delete,batch-50' },
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
  },
});
if (!values.before) throw new Error('--before <cli main.js of the other build> is required');
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const { dir: work } = makeWorkDir('before-after');
const scenario = (name) => SCENARIOS.find((s) => s.name === name);

const servers = {
  'raw-durable': await startBaseline('raw-durable', [path.join(work, 'raw-durable.db')]),
  before: await startSalestrace('before', path.join(work, 'before'), { cli: path.resolve(values.before) }),
  after: await startSalestrace('after', path.join(work, 'after'), { cli: currentCli() }),
};
for (const server of [servers.before, servers.after]) server.methods = new Set();

// What runs: [label, scenario, server].
const runs = [
  ['raw-durable', 'raw-durable', 'raw-durable'],
  ...values.scenarios.split(',').flatMap((name) => {
    if (!scenario(name)) throw new Error(`unknown scenario ${name}`);
    return [
      [`${name} before`, name, 'before'],
      [`${name} after`, name, 'after'],
    ];
  }),
];
const lastRate = new Map();

async function measure([label, name, serverName], duration, warmUp = false) {
  const s = scenario(name);
  const server = servers[serverName];
  const base = { url: server.url, connections, verify: s.verify, seconds: duration };
  let spec;
  if (s.consume) {
    const count = Math.ceil((lastRate.get(label.replace('delete', 'add')) ?? 2000) * duration * 1.5) + 2 * connections;
    spec = { ...base, consume: { ...s.consumeRequest(server), bodies: await s.consume(server, count) } };
  } else {
    spec = { ...base, requests: await s.requests(server) };
  }
  const result = await runLoad(spec, work, server.pid);
  await waitForIdleProcess(server.pid);
  // A warm-up may end before a slow batch answers; only wrong answers count then.
  const problems = loadProblems(result).filter((problem) => !(warmUp && problem === 'no successful answer'));
  if (problems.length) throw new Error(`${label}: ${problems.join('; ')}`);
  lastRate.set(label, result.rps);
  return result;
}

for (const run of runs) await measure(run, 2, true);
const results = new Map(runs.map(([label]) => [label, []]));
const rounds = Number(values.rounds);
for (let r = 0; r < rounds; r++) {
  const order = [...runs.slice(r % runs.length), ...runs.slice(0, r % runs.length)];
  for (const run of order) {
    const result = await measure(run, seconds);
    results.get(run[0]).push(result);
    console.log(
      `round ${r + 1}/${rounds} ${run[0].padEnd(20)} ${Math.round(result.rps).toString().padStart(6)} req/s  p99 ${result.latencyMs.p99.toFixed(1)} ms  ` +
        `cpu server ${result.cpu?.serverCores.toFixed(2)} load ${result.cpu?.loadGeneratorCores.toFixed(2)} other ${result.cpu?.otherCores.toFixed(2)}`,
    );
  }
}
for (const server of Object.values(servers)) await server.stop();

const unitsOf = (label) => scenario(runs.find((run) => run[0] === label)[1]).unitsPerRequest ?? 1;
/** Traces (or requests) per second. */
const rate = (label) => median(results.get(label).map((r) => r.rps)) * unitsOf(label);
const baseline = rate('raw-durable');
const rows = runs.map(([label]) => {
  const list = results.get(label);
  return [
    label,
    formatNumber(rate(label)),
    formatNumber(median(list.map((r) => r.latencyMs.p99)), 1),
    formatNumber(median(list.map((r) => r.cpu?.serverCores)), 2),
    // Less disturbed by a shared machine than the rate: what one request (trace) cost the server.
    formatNumber(median(list.map((r) => (r.cpu?.serverCores / (r.rps * unitsOf(label))) * 1e6)), 0),
    formatNumber(median(list.map((r) => r.cpu?.loadGeneratorCores)), 2),
    formatNumber(Math.max(...list.map((r) => r.cpu?.otherCores ?? 0)), 2),
    label === 'raw-durable'
      ? 'baseline'
      : label.startsWith('batch') && results.has(label.replace('batch-50', 'trace.add'))
        ? `${formatNumber(rate(label) / rate(label.replace('batch-50', 'trace.add')), 1)}× trace.add`
        : `${formatNumber((rate(label) / baseline) * 100, 0)}%`,
    label.endsWith(' after') ? `${formatNumber(rate(label) / rate(label.replace(/ after$/, ' before')), 2)}×` : '',
  ];
});
console.log(`\n${connections} connections, ${rounds} interleaved rounds of ${seconds} s, medians; load average at the end ${os.loadavg().map((v) => v.toFixed(1)).join(' / ')}\n`);
console.log(table(['Run', 'req/s (batch: traces/s)', 'p99 ms', 'CPU server', 'server CPU µs per request (trace)', 'CPU load gen.', 'CPU other (max)', 'vs raw-durable', 'after / before'], rows));
process.exit(0);
