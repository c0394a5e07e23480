#!/usr/bin/env node
// Profiles the real server under one scenario: starts `serve` with --cpu-prof on a fresh data
// directory, warms up, drives the scenario for a fixed time from a separate process, stops the
// server (the profile is written on exit) and prints where the CPU time went.
//   node bench/profile.mjs [scenario=server.time|bare-http|raw-sqlite|…] [--seconds 10] [--keep DIR] [--write]
//   [--quiet-wait SECONDS]
// --write puts the summary into the "profile" section of BENCHMARKS.md.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { analyse, profileMarkdown } from './cpuprofile.mjs';
import { armDeadline, installExitHandlers } from './lib/children.mjs';
import { loadProblems, runLoad } from './lib/load.mjs';
import { replaceSection } from './lib/markdown.mjs';
import { ROOT, startBaseline, startSalestrace } from './lib/servers.mjs';
import { SCENARIOS } from './scenarios.mjs';
import { makeWorkDir } from './lib/workDir.mjs';
import { waitForQuietMachine } from './lib/machine.mjs';

installExitHandlers();
armDeadline(10 * 60_000, 'the profile run');

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    seconds: { type: 'string', default: '10' },
    connections: { type: 'string', default: '32' },
    keep: { type: 'string' },
    write: { type: 'boolean', default: false },
    'quiet-wait': { type: 'string', default: '0' },
  },
});
if (Number(values['quiet-wait']) > 0) await waitForQuietMachine(0.15, Number(values['quiet-wait']));
const name = positionals[0] ?? 'server.time';
const scenario = SCENARIOS.find((s) => s.name === name);
const PROFILABLE = SCENARIOS.filter((s) => ['salestrace', 'bare-http', 'raw-sqlite', 'raw-durable', 'raw-item-list', 'fastify-floor'].includes(s.server) && !s.consume);
const BASELINE_ARGS = { 'raw-sqlite': ['raw.db', 'FULL'], 'raw-durable': ['raw.db'], 'raw-item-list': ['raw.db'] };
if (!PROFILABLE.includes(scenario)) {
  throw new Error(`profile.mjs runs scenarios with fixed requests: ${PROFILABLE.map((s) => s.name).join(', ')}`);
}

const { dir: work } = makeWorkDir('profile');
const profileDir = values.keep ? path.resolve(values.keep) : path.join(work, 'profile');
fs.mkdirSync(profileDir, { recursive: true });

const nodeArgs = ['--cpu-prof', '--cpu-prof-dir', profileDir];
const server =
  scenario.server === 'salestrace'
    ? await startSalestrace('salestrace', path.join(work, 'data'), { nodeArgs })
    : await startBaseline(scenario.server, (BASELINE_ARGS[scenario.server] ?? []).map((arg) => (arg.endsWith('.db') ? path.join(work, arg) : arg)), { nodeArgs });
const spec = { url: server.url, connections: Number(values.connections), verify: scenario.verify, requests: await scenario.requests(server) };
const warmUp = await runLoad({ ...spec, seconds: 2 }, work); // outside the measured load, inside the profile
const result = await runLoad({ ...spec, seconds: Number(values.seconds) }, work, server.pid);
const problems = loadProblems(result);
if (problems.length > 0) throw new Error(problems.join('; '));
await server.stop();

// One profile per thread, named CPU.<date>.<time>.<pid>.<thread>.<n>.cpuprofile: the main
// thread's is thread 0 (the server's checkpoint thread writes its own).
const file = fs
  .readdirSync(profileDir)
  .filter((f) => f.endsWith('.cpuprofile') && f.split('.')[4] === '0')
  .map((f) => path.join(profileDir, f))
  .at(-1);
if (!file) throw new Error('the server wrote no .cpuprofile (did it exit cleanly?)');
const summary = analyse(JSON.parse(fs.readFileSync(file, 'utf8')));
const markdown =
  `\`node bench/profile.mjs ${name}\`: ${values.connections} connections, ${values.seconds} s measured ` +
  `(${Math.round(result.rps)} req/s, p99 ${result.latencyMs.p99.toFixed(2)} ms with the profiler on), after a 2 s warm-up, other processes on the machine busy ${result.cpu.otherCores.toFixed(2)} cores meanwhile; ` +
  `the profile covers warm-up and run.\n\n${profileMarkdown(summary, 25, warmUp.ok + result.ok)}`;
console.log(markdown);
if (values.keep) console.log(`\nprofile kept in ${file}`);
if (values.write) {
  replaceSection(path.join(ROOT, 'BENCHMARKS.md'), 'profile', markdown);
  console.log('wrote the profile section of BENCHMARKS.md');
}
process.exit(0);
