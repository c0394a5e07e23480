// Where a command reads and writes: the process's own streams and environment for the real
// command line, captured ones when the test suite runs a command inside its own process.

/** The part of a (tty) write stream the commands and commander use. */
export interface CliStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliIo {
  readonly stdout: CliStream;
  readonly stderr: CliStream;
  readonly stdin: NodeJS.ReadableStream;
  /** Where SALESTRACE_* settings are read from. */
  readonly env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = { stdout: process.stdout, stderr: process.stderr, stdin: process.stdin, env: process.env };

/** One line on standard output, as console.log writes a string. */
export function printLine(io: CliIo, text: string): void {
  io.stdout.write(`${text}\n`);
}

/** One line on standard error. */
export function printError(io: CliIo, text: string): void {
  io.stderr.write(`${text}\n`);
}
