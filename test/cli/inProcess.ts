// Runs a `salestrace` command inside the test process, through the same entry point as the
// binary (src/cli/run.ts), with captured output and the environment a spawned command would
// get. For tests where the process boundary is not what they are about; spawn.ts runs the real
// binary for those where it is (serve, signals, crashes, the README as written).
import { Readable } from 'node:stream';
import type { CliIo } from '../../src/cli/io.js';
import { runCli as runCommandLine } from '../../src/cli/run.js';
import { cleanEnv, withTestDatabase, type CliResult } from './spawn.js';

export interface CapturedIo {
  readonly io: CliIo;
  stdout(): string;
  stderr(): string;
}

/** Streams that keep what is written (not a terminal, like a spawned command's pipes). */
export function capturedIo(env: NodeJS.ProcessEnv = cleanEnv(), input = ''): CapturedIo {
  let stdout = '';
  let stderr = '';
  return {
    io: {
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
      stdin: Readable.from([input]),
      env,
    },
    stdout: () => stdout,
    stderr: () => stderr,
  };
}

/** Runs one command to completion, like spawn.ts's runCli. */
export async function runCli(givenArgs: string[], givenEnv: Record<string, string> = {}, input?: string): Promise<CliResult> {
  const { args, env } = withTestDatabase(givenArgs, givenEnv);
  const captured = capturedIo(cleanEnv(env), input);
  const code = await runCommandLine(args, captured.io);
  return { code, stdout: captured.stdout(), stderr: captured.stderr() };
}
