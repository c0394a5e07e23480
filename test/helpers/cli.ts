// Runs a `salestrace` command the way an administrator would while the server runs, inside the
// test process (test/cli/inProcess.ts); tests about the process itself use test/cli/spawn.ts.
import { runCli as runCommand } from '../cli/inProcess.js';
import type { CliResult } from '../cli/spawn.js';

export type { CliResult };

/** Runs one command with optional stdin; `--data` also points it at that directory's database. */
export function runCli(args: string[], input?: string): Promise<CliResult> {
  return runCommand(args, {}, input);
}

/** Polls `probe` until it returns true or `timeoutMs` passes; returns how long it took. */
export async function waitUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await probe()) return performance.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`condition not met within ${timeoutMs} ms`);
}
