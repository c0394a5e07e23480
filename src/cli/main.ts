// The `salestrace` command line. Every command takes --data DIR.
import { Command } from 'commander';
import { ConfigError } from '../config.js';
import { VERSION } from '../server.js';
import { roleCommand } from './commands/role.js';
import { appCommand } from './commands/app.js';
import { portalCommand } from './commands/portal.js';
import { seedCommand } from './commands/seed.js';
import { serveCommand } from './commands/serve.js';
import { sourceCommand } from './commands/source.js';
import { userCommand } from './commands/user.js';
import { webhookCommand } from './commands/webhook.js';

const program = new Command('salestrace')
  .description('Self-hosted, Bitrix24-compatible Sales Intelligence server')
  .version(VERSION)
  .showHelpAfterError();

program.addCommand(serveCommand());
program.addCommand(userCommand());
program.addCommand(webhookCommand());
program.addCommand(sourceCommand());
program.addCommand(roleCommand());
program.addCommand(appCommand());
program.addCommand(portalCommand());
program.addCommand(seedCommand());

program.parseAsync(process.argv).catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  console.error(`salestrace: ${message}`);
  if (!(error instanceof ConfigError) && process.env.SALESTRACE_DEBUG) console.error(error);
  process.exit(1);
});
