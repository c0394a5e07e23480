#!/usr/bin/env node
// crm.tracking.trace.add on PostgreSQL: the `trace.add` scenario of `npm run bench`, run against
// `salestrace serve --database-url` on a fresh database. Not part of `npm run bench` (it needs a
// PostgreSQL server); it reports the rate and every non-2xx answer, which must be none.
//   node bench/experiments/postgres-trace-add.mjs [--url postgres://postgres@127.0.0.1:5432/postgres]
//     [--connections 32] [--seconds 10] [--rounds 1] [--cli other/dist/cli/main.js]
import { parseArgs } from 'node:util';
import pg from 'pg';
import { armDeadline, installExitHandlers } from '../lib/children.mjs';
import { loadProblems, runLoad } from '../lib/load.mjs';
import { startSalestrace, useCli } from '../lib/servers.mjs';
import { makeWorkDir } from '../lib/workDir.mjs';
import { SCENARIOS } from '../scenarios.mjs';

installExitHandlers();
armDeadline(10 * 60_000, 'the PostgreSQL trace.add experiment');

const { values } = parseArgs({
  options: {
    url: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    connections: { type: 'string', default: '32' },
    seconds: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '1' },
    // Another build of the CLI, e.g. an older dist/ to compare with.
    cli: { type: 'string' },
  },
});

if (values.cli) useCli(values.cli);
const name = `salestrace_bench_${process.pid}`;
const admin = new pg.Client({ connectionString: values.url });
await admin.connect();
await admin.query(`create database ${name}`);
const databaseUrl = new URL(values.url);
databaseUrl.pathname = `/${name}`;
// The CLI reads it from the environment it inherits.
process.env.SALESTRACE_DATABASE_URL = databaseUrl.toString();

const { dir } = makeWorkDir('pg-trace-add');
const server = await startSalestrace('salestrace-postgres', dir);
try {
  const scenario = SCENARIOS.find((s) => s.name === 'trace.add');
  const requests = await scenario.requests(server);
  for (let round = 1; round <= Number(values.rounds); round++) {
    const result = await runLoad(
      { url: server.url, connections: Number(values.connections), seconds: Number(values.seconds), verify: scenario.verify, requests },
      dir,
      server.pid,
    );
    const problems = loadProblems(result);
    console.log(
      JSON.stringify({
        round,
        connections: Number(values.connections),
        ratePerSecond: Math.round(result.rps),
        ok: result.ok,
        non2xx: result.non2xx,
        statusCodes: result.statusCodes,
        latencyMs: result.latencyMs,
        errors: result.errors,
        firstMismatch: result.firstMismatch,
        problems,
      }),
    );
  }
} finally {
  await server.stop();
  await admin.query(`drop database if exists ${name} with (force)`);
  await admin.end();
}
