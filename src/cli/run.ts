// The `salestrace` command line as a function: arguments and streams in, exit code out.
// main.ts runs it on the process; the test suite runs it in its own process.
import { inspect } from 'node:util';
import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config.js';
import { VERSION } from '../server.js';
import { roleCommand } from './commands/role.js';
import { appCommand } from './commands/app.js';
import { portalCommand } from './commands/portal.js';
import { seedCommand } from './commands/seed.js';
import { serveCommand } from './commands/serve.js';
import { sourceCommand } from './commands/source.js';
import { siteCommand } from './commands/site.js';
import { userCommand } from './commands/user.js';
import { webhookCommand } from './commands/webhook.js';
import { telephonyCommand } from './commands/telephony.js';
import { analyticsCommand } from './commands/analytics.js';
import { expenseCommand } from './commands/expense.js';
import { attributionCommand } from './commands/attribution.js';
import { printError, type CliIo } from './io.js';

function buildProgram(io: CliIo): Command {
  const program = new Command('salestrace')
    .description('Self-hosted, Bitrix24-compatible Sales Intelligence server')
    .version(VERSION)
    .showHelpAfterError();
  program.addCommand(serveCommand(io));
  program.addCommand(userCommand(io));
  program.addCommand(webhookCommand(io));
  program.addCommand(sourceCommand(io));
  program.addCommand(siteCommand(io));
  program.addCommand(roleCommand(io));
  program.addCommand(appCommand(io));
  program.addCommand(portalCommand(io));
  program.addCommand(seedCommand(io));
  program.addCommand(telephonyCommand(io));
  program.addCommand(analyticsCommand(io));
  program.addCommand(expenseCommand(io));
  program.addCommand(attributionCommand(io));
  return program;
}

/** Commander prints to `io` and, instead of exiting the process, throws its exit code to runCli. */
function routeThroughIo(command: Command, io: CliIo): void {
  command.exitOverride().configureOutput({
    writeOut: (text) => io.stdout.write(text),
    writeErr: (text) => io.stderr.write(text),
    // Commander's own defaults, asked of io's streams; undefined means its standard width.
    getOutHelpWidth: () => (io.stdout.isTTY ? io.stdout.columns : undefined) as number,
    getErrHelpWidth: () => (io.stderr.isTTY ? io.stderr.columns : undefined) as number,
  });
  for (const sub of command.commands) routeThroughIo(sub, io);
}

/** Runs one command line (without `node` and the script) and resolves with its exit code. */
export async function runCli(args: readonly string[], io: CliIo): Promise<number> {
  const program = buildProgram(io);
  routeThroughIo(program, io);
  try {
    await program.parseAsync([...args], { from: 'user' });
    return 0;
  } catch (error: unknown) {
    // Commander has already printed its own errors, help and version.
    if (error instanceof CommanderError) return error.exitCode;
    const message = error instanceof Error ? error.message : String(error);
    printError(io, `salestrace: ${message}`);
    if (!(error instanceof ConfigError) && io.env.SALESTRACE_DEBUG) printError(io, inspect(error));
    return 1;
  }
}
