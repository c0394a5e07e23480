#!/usr/bin/env node
// What-if experiment for the server.time profile: how fast would the server be with a fix that
// is not made yet? Each variant is a copy of dist/ with a small patch applied to the compiled
// JavaScript (src/ is never touched), served side by side with the unpatched build and driven
// with the server.time scenario in interleaved rounds.
//
//   node bench/experiments/whatif.mjs [--rounds 3] [--seconds 5] [--profile VARIANT] [--write]
//   [--quiet-wait SECONDS]
//
// The patches anchor on the compiled code of the foundation commit (9118c91). When the code
// they anchor on changes, the script stops and says which anchor is gone: update or drop the
// patch, it has done its job once the fix is in src/.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { analyse, profileMarkdown } from '../cpuprofile.mjs';
import { armDeadline, installExitHandlers } from '../lib/children.mjs';
import { loadProblems, runLoad } from '../lib/load.mjs';
import { formatNumber, replaceSection, table } from '../lib/markdown.mjs';
import { median, round } from '../lib/stats.mjs';
import { ROOT, startSalestrace } from '../lib/servers.mjs';
import { makeWorkDir } from '../lib/workDir.mjs';
import { waitForQuietMachine } from '../lib/machine.mjs';
import { SCENARIOS } from '../scenarios.mjs';

installExitHandlers();
armDeadline(10 * 60_000, 'the what-if experiment');

/** A fix to try: file under dist/, the exact compiled text it replaces, and the replacement. */
const PATCHES = {
  'statement-cache': {
    about: 'better-sqlite3 statements prepared once and reused (Kysely prepares every query again); a bounded Map in dist/db/dialects/sqlite.js',
    file: 'db/dialects/sqlite.js',
    find: 'const db = new Kysely({ dialect: new SqliteDialect({ database: connection }) });',
    replace: `const statements = new Map();
    const cachedConnection = {
        close: () => connection.close(),
        prepare(sql) {
            let statement = statements.get(sql);
            if (!statement) {
                if (statements.size >= 500) statements.delete(statements.keys().next().value);
                statement = connection.prepare(sql);
                statements.set(sql, statement);
            }
            return statement;
        },
    };
    const db = new Kysely({ dialect: new SqliteDialect({ database: cachedConnection }) });`,
  },
  'auth-cache': {
    about: 'webhook user + webhook rows kept in memory per (user, secret) after the first lookup; no invalidation, so only an upper bound for a cache that is invalidated on webhook/user writes',
    file: 'auth/authenticate.js',
    find: `    const user = await webhookUser(services, login);
    const webhook = user ? await findWebhookBySecret(services.db, user.id, secret) : undefined;`,
    replace: `    const cacheKey = login + '\\0' + secret;
    let found = WHATIF_AUTH_CACHE.get(cacheKey);
    if (!found) {
        const user = await webhookUser(services, login);
        found = { user, webhook: user ? await findWebhookBySecret(services.db, user.id, secret) : undefined };
        WHATIF_AUTH_CACHE.set(cacheKey, found);
    }
    const { user, webhook } = found;`,
    prepend: 'const WHATIF_AUTH_CACHE = new Map();\n',
  },
};

const VARIANTS = {
  'as-is': [],
  'statement-cache': ['statement-cache'],
  'auth-cache': ['auth-cache'],
  'both': ['statement-cache', 'auth-cache'],
};

const { values } = parseArgs({
  options: {
    rounds: { type: 'string', default: '3' },
    seconds: { type: 'string', default: '5' },
    connections: { type: 'string', default: '32' },
    profile: { type: 'string' },
    write: { type: 'boolean', default: false },
    'quiet-wait': { type: 'string', default: '0' },
  },
});
if (Number(values['quiet-wait']) > 0) await waitForQuietMachine(0.15, Number(values['quiet-wait']));
const { dir: work } = makeWorkDir('whatif');
const DIST = path.join(ROOT, 'dist');

function buildVariant(name) {
  const copy = path.join(work, `dist-${name}`);
  fs.cpSync(DIST, copy, { recursive: true });
  for (const patchName of VARIANTS[name]) {
    const patch = PATCHES[patchName];
    const file = path.join(copy, patch.file);
    const code = fs.readFileSync(file, 'utf8');
    if (!code.includes(patch.find)) throw new Error(`patch ${patchName}: its anchor is gone from dist/${patch.file}; the code changed`);
    fs.writeFileSync(file, (patch.prepend ?? '') + code.replace(patch.find, patch.replace));
  }
  return path.join(copy, 'cli/main.js');
}

const scenario = SCENARIOS.find((s) => s.name === 'server.time');
const connections = Number(values.connections);

if (values.profile) {
  if (!VARIANTS[values.profile]) throw new Error(`no variant ${values.profile}: ${Object.keys(VARIANTS).join(', ')}`);
  const profileDir = path.join(work, 'profile');
  const server = await startSalestrace(values.profile, path.join(work, 'data-profile'), {
    cli: buildVariant(values.profile),
    nodeArgs: ['--cpu-prof', '--cpu-prof-dir', profileDir],
  });
  const spec = { url: server.url, connections, verify: scenario.verify, requests: scenario.requests(server) };
  const warmUp = await runLoad({ ...spec, seconds: 2 }, work);
  const result = await runLoad({ ...spec, seconds: Number(values.seconds) }, work, server.pid);
  await server.stop();
  const file = fs.readdirSync(profileDir).find((f) => f.endsWith('.cpuprofile'));
  const markdown =
    `\`node bench/experiments/whatif.mjs --profile ${values.profile}\`: server.time, ${Math.round(result.rps)} req/s with the profiler on, ` +
    `other processes busy ${result.cpu.otherCores.toFixed(2)} cores:\n\n` +
    profileMarkdown(analyse(JSON.parse(fs.readFileSync(path.join(profileDir, file), 'utf8'))), 20, warmUp.ok + result.ok);
  console.log(markdown);
  if (values.write) replaceSection(path.join(ROOT, 'BENCHMARKS.md'), 'whatif-profile', markdown);
  process.exit(0);
}

const servers = {};
for (const name of Object.keys(VARIANTS)) {
  servers[name] = await startSalestrace(name, path.join(work, `data-${name}`), { cli: buildVariant(name) });
}
const runs = Object.fromEntries(Object.keys(VARIANTS).map((name) => [name, []]));
const load = (name, seconds) =>
  runLoad({ url: servers[name].url, connections, seconds, verify: scenario.verify, requests: scenario.requests(servers[name]) }, work, servers[name].pid);
for (const name of Object.keys(VARIANTS)) await load(name, 2);
const names = Object.keys(VARIANTS);
for (let r = 0; r < Number(values.rounds); r++) {
  for (const name of [...names.slice(r % names.length), ...names.slice(0, r % names.length)]) {
    const result = await load(name, Number(values.seconds));
    const problems = loadProblems(result);
    if (problems.length > 0) throw new Error(`${name}: ${problems.join('; ')}`);
    runs[name].push(result);
    console.log(`round ${r + 1}  ${name.padEnd(16)} ${Math.round(result.rps)} req/s  p50 ${result.latencyMs.p50.toFixed(2)} ms  p99 ${result.latencyMs.p99.toFixed(2)} ms  other load ${result.cpu.otherCores.toFixed(2)} cores`);
  }
}
for (const server of Object.values(servers)) await server.stop();

const rate = (name) => median(runs[name].map((r) => r.rps));
const rows = names.map((name) => [
  `\`${name}\``,
  VARIANTS[name].length ? VARIANTS[name].join(' + ') : 'the build as committed',
  formatNumber(rate(name)),
  `${formatNumber(rate(name) / rate('as-is'), 2)}×`,
  formatNumber(round(median(runs[name].map((r) => r.latencyMs.p99)), 2), 2),
  formatNumber(Math.max(...runs[name].map((r) => r.cpu?.otherCores ?? 0)), 2),
]);
const markdown = `\`node bench/experiments/whatif.mjs\`: server.time, ${connections} connections, ${values.rounds} interleaved rounds of ${values.seconds} s, medians.

${table(['Variant', 'Patches (on a copy of dist/; src/ unchanged)', 'req/s', 'vs as-is', 'p99 ms', 'other load, cores (max)'], rows)}

${Object.entries(PATCHES)
  .map(([name, patch]) => `- \`${name}\`: ${patch.about}.`)
  .join('\n')}`;
console.log(`\n${markdown}`);
if (values.write) {
  replaceSection(path.join(ROOT, 'BENCHMARKS.md'), 'whatif', markdown);
  console.log('wrote the whatif section of BENCHMARKS.md');
}
process.exit(0);
