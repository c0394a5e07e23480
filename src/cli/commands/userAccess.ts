// `salestrace user passwd|deactivate|activate`: the password of the OAuth authorization form,
// and switching a user off (their webhooks answer INVALID_CREDENTIALS, their app tokens
// authorization_error).
import type { Command } from 'commander';
import { randomBytes } from 'node:crypto';
import { setUserPassword } from '../../auth/oauth/passwords.js';
import { findUserById, setUserActive } from '../../auth/users.js';
import { addDataOption, parseIdOption, withServices } from '../shared.js';
import { printLine, type CliIo } from '../io.js';

async function readFirstLine(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split(/\r?\n/)[0];
}

export function addUserAccessCommands(user: Command, io: CliIo): void {
  addDataOption(
    user
      .command('passwd')
      .description('set the password a user signs in with at /oauth/authorize/; prints a random one unless --stdin')
      .argument('<id>', 'user ID')
      .option('--stdin', 'read the password from the first line of standard input'),
  ).action(async (id: string, options) => {
    const userId = parseIdOption('user ID', id);
    // Never a command-line argument: those end up in shell history and `ps`.
    const password = options.stdin ? await readFirstLine(io.stdin) : randomBytes(12).toString('base64url');
    await withServices(io, options, async (services) => {
      if (!(await findUserById(services.db, userId))) throw new Error(`user ${userId} does not exist`);
      await setUserPassword(services.db, userId, password);
      printLine(io, options.stdin ? `password of user ${userId} set` : `password of user ${userId}: ${password}`);
    });
  });

  for (const [name, active] of [['deactivate', false], ['activate', true]] as const) {
    addDataOption(
      user
        .command(name)
        .description(active ? 'activate a deactivated user' : 'deactivate a user: no sign-in, webhooks and tokens stop working')
        .argument('<id>', 'user ID'),
    ).action(async (id: string, options) => {
      await withServices(io, options, async (services) => {
        const userId = parseIdOption('user ID', id);
        if (!(await setUserActive(services.db, userId, active))) throw new Error(`user ${userId} does not exist`);
        printLine(io, `user ${userId} ${active ? 'activated' : 'deactivated'}`);
      });
    });
  }
}
