// `salestrace seed --traces N --items N`: a database full of realistic data, for benchmarks and
// demos (src/seed). It may create the data directory, like `serve`. SQLite only: PostgreSQL is
// refused before anything is opened (README.md, "Command line").
import { Command } from 'commander';
import { itemMix } from '../../seed/items.js';
import { loadSeed, prepareSeed } from '../../seed/seed.js';
import { addDataOption, configFromOptions, withServices } from '../shared.js';
import { printLine, type CliIo } from '../io.js';

/** The most of either that one run writes: IDs are 32-bit, and this keeps far below that. */
export const SEED_MAX = 100_000_000;

function parseCount(name: string, text: string): number {
  if (!/^\d+$/.test(text)) throw new Error(`${name} must be a whole number of 0 or more, got "${text}"`);
  const value = Number(text);
  if (value > SEED_MAX) throw new Error(`${name} must be at most ${SEED_MAX}, got ${text}`);
  return value;
}

function parseSeed(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 0xffffffff) throw new Error(`--seed must be a whole number from 0 to 4294967295, got "${text}"`);
  return Number(text);
}

/** A bar rewritten in place on a terminal; a line at every quarter otherwise (logs, pipes). */
function progressReporter(io: CliIo): (done: number, total: number) => void {
  if (io.stdout.isTTY) {
    return (done, total) => {
      const width = 30;
      const filled = Math.round((done / total) * width);
      const percent = Math.floor((done / total) * 100);
      io.stdout.write(`\rseed: [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${String(percent).padStart(3)}% ${done}/${total} traces`);
      if (done === total) io.stdout.write('\n');
    };
  }
  let quarter = 0;
  return (done, total) => {
    const reached = Math.floor((done * 4) / total);
    if (reached <= quarter) return;
    quarter = reached;
    printLine(io, `seed: ${done}/${total} traces`);
  };
}

export function seedCommand(io: CliIo): Command {
  return addDataOption(
    new Command('seed')
      .description('fill the database with realistic CRM items and traces (benchmarks, demos; SQLite only)')
      .requiredOption('--traces <n>', 'trace rows to add, previous visits included')
      .requiredOption('--items <n>', 'CRM items to add: companies, contacts, leads and deals')
      .option('--seed <n>', 'random seed: the same seed on the same database gives the same data', '1'),
  ).action(async (options) => {
    // Everything is checked before the data directory or database is touched.
    const traces = parseCount('--traces', options.traces);
    const items = parseCount('--items', options.items);
    const seed = parseSeed(options.seed);
    if (configFromOptions(options, io.env).databaseUrl) {
      throw new Error('seed writes to the embedded SQLite database only; it does not support PostgreSQL (--database-url, SALESTRACE_DATABASE_URL)');
    }
    const started = performance.now();
    // The services create or migrate the database and add the sources; the bulk load runs once
    // they have closed their connection, so it can have the file to itself (src/seed/sqlite.ts).
    const prepared = await withServices(io, options, prepareSeed, { createDatabase: true });
    const summary = loadSeed(prepared, { traces, items, seed, onProgress: traces > 0 ? progressReporter(io) : undefined });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const mix = itemMix(summary.items);
    if (summary.sourcesAdded > 0) printLine(io, `added ${summary.sourcesAdded} custom sources`);
    printLine(
      io,
      `added ${summary.items} items (${mix.companies} companies, ${mix.contacts} contacts, ${mix.leads} leads, ${mix.deals} deals)`,
    );
    const ids = summary.traceIds ? ` (IDs ${summary.traceIds.first}-${summary.traceIds.last})` : '';
    printLine(io, `added ${summary.traces} traces${ids} in ${seconds} s`);
  });
}
