#!/usr/bin/env node
// How much work per request does "≥ 70% of bare-http" leave room for on this machine?
// Runs the bare-http baseline with a fixed CPU spin per request (0, 5, 10, 20, 40, 80 µs),
// interleaved in rounds, and reports each rate as a share of the spin-free one. With the load
// generator sharing the cores, the kernel's cost per response also grows as the server slows
// (the client idles and must be woken for every answer), so the budget is smaller than the
// spin-free time per request suggests.
//   node bench/experiments/budget.mjs [--rounds 2] [--seconds 4] [--write] [--quiet-wait SECONDS]
import path from 'node:path';
import { parseArgs } from 'node:util';
import { armDeadline, installExitHandlers } from '../lib/children.mjs';
import { loadProblems, runLoad } from '../lib/load.mjs';
import { formatNumber, replaceSection, table } from '../lib/markdown.mjs';
import { median } from '../lib/stats.mjs';
import { ROOT, startBaseline } from '../lib/servers.mjs';
import { makeWorkDir } from '../lib/workDir.mjs';
import { waitForQuietMachine } from '../lib/machine.mjs';
import { enablePinning, pinningEnabled } from '../lib/pinning.mjs';
import { SCENARIOS } from '../scenarios.mjs';

installExitHandlers();
armDeadline(10 * 60_000, 'the budget experiment');

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '2' },
    seconds: { type: 'string', default: '4' },
    connections: { type: 'string', default: '32' },
    write: { type: 'boolean', default: false },
    'quiet-wait': { type: 'string', default: '0' },
    pin: { type: 'boolean', default: false },
  },
});
if (Number(values['quiet-wait']) > 0) await waitForQuietMachine(0.15, Number(values['quiet-wait']));
if (values.pin) enablePinning();
const SPINS = [0, 5, 10, 20, 40, 80];
const { dir: work } = makeWorkDir('budget');
const requests = SCENARIOS.find((s) => s.name === 'bare-http').requests();
const servers = {};
for (const spin of SPINS) servers[spin] = await startBaseline('bare-http', [String(spin)]);
const load = (spin, seconds) => runLoad({ url: servers[spin].url, connections: Number(values.connections), seconds, verify: 'envelope', requests }, work, servers[spin].pid);

const runs = Object.fromEntries(SPINS.map((spin) => [spin, []]));
const other = {};
for (const spin of SPINS) await load(spin, 1);
for (let r = 0; r < Number(values.rounds); r++) {
  const order = r % 2 ? [...SPINS].reverse() : SPINS;
  for (const spin of order) {
    const result = await load(spin, Number(values.seconds));
    const problems = loadProblems(result);
    if (problems.length > 0) throw new Error(problems.join('; '));
    runs[spin].push(result.rps);
    other[spin] = Math.max(other[spin] ?? 0, result.cpu.otherCores);
    console.log(`round ${r + 1}  spin ${String(spin).padStart(2)} µs  ${Math.round(result.rps)} req/s  other load ${result.cpu.otherCores.toFixed(2)} cores`);
  }
}
for (const server of Object.values(servers)) await server.stop();

const rate = (spin) => median(runs[spin]);
const markdown = `\`node bench/experiments/budget.mjs\`: bare-http with a CPU spin per request, ${values.connections} connections, ${values.rounds} rounds of ${values.seconds} s, medians${pinningEnabled() ? ', server pinned to CPU 0 and load generator to CPU 1' : ''}.

${table(
  ['spin per request', 'req/s', 'share of spin-free', 'µs per request (1/rate)', 'other load, cores (max)'],
  SPINS.map((spin) => [
    `${spin} µs`,
    formatNumber(rate(spin)),
    `${formatNumber((rate(spin) / rate(0)) * 100, 0)}%`,
    formatNumber(1e6 / rate(spin), 0),
    formatNumber(other[spin], 2),
  ]),
)}`;
console.log(`\n${markdown}`);
if (values.write) {
  replaceSection(path.join(ROOT, 'BENCHMARKS.md'), 'budget', markdown);
  console.log('wrote the budget section of BENCHMARKS.md');
}
process.exit(0);
