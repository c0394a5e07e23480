// Helpers every CLI command shares: the --data option and opening the services for one command.
import type { Command } from 'commander';
import { resolveConfig, type Config, type RawOptions } from '../config.js';
import { createServices, type Services } from '../services.js';
import { prepareDataDir, requireDatabase } from '../setup/dataDir.js';
import { printLine, type CliIo } from './io.js';

export function addDataOption(command: Command): Command {
  return command
    .option('--data <dir>', 'data directory (database, certificate, webhook file); env SALESTRACE_DATA', undefined)
    .option('--database-url <url>', 'postgres:// URL instead of the embedded SQLite database; env SALESTRACE_DATABASE_URL');
}

export function configFromOptions(options: Record<string, unknown>, env: NodeJS.ProcessEnv, extra: RawOptions = {}): Config {
  return resolveConfig(
    {
      dataDir: options.data as string | undefined,
      databaseUrl: options.databaseUrl as string | undefined,
      ...extra,
    },
    env,
  );
}

/**
 * Opens the database of the data directory for one administrative command. The database must
 * exist unless `createDatabase` (for commands that set up a new one, like `serve`).
 */
export async function withServices<T>(
  io: CliIo,
  options: Record<string, unknown>,
  run: (services: Services) => Promise<T>,
  { createDatabase = false }: { createDatabase?: boolean } = {},
): Promise<T> {
  const config = configFromOptions(options, io.env, { logLevel: 'warn' });
  if (createDatabase) prepareDataDir(config);
  else requireDatabase(config);
  const services = await createServices(config);
  try {
    return await run(services);
  } finally {
    await services.close();
  }
}

/** Parses `2026-12-31` or an ISO date-time into unix seconds. */
export function parseDateOption(text: string): number {
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new Error(`not a date: "${text}" (use YYYY-MM-DD or an ISO date-time)`);
  return Math.floor(ms / 1000);
}

export function parseIdOption(name: string, text: string): number {
  if (!/^[1-9]\d{0,9}$/.test(text)) throw new Error(`${name} must be a positive integer, got "${text}"`);
  return Number(text);
}

export function printTable(io: CliIo, rows: Record<string, unknown>[]): void {
  if (rows.length === 0) {
    printLine(io, '(none)');
    return;
  }
  const columns = Object.keys(rows[0]);
  const cell = (value: unknown) => (value === null || value === undefined ? '' : String(value));
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => cell(r[c]).length)));
  const line = (values: string[]) => values.map((v, i) => v.padEnd(widths[i])).join('  ').trimEnd();
  printLine(io, line(columns));
  for (const row of rows) printLine(io, line(columns.map((c) => cell(row[c]))));
}
