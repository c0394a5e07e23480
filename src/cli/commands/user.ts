// `salestrace user add|list`.
import { Command } from 'commander';
import { addUser, listUsers } from '../../auth/users.js';
import { addDataOption, printTable, withServices } from '../shared.js';
import { addUserAccessCommands } from './userAccess.js';

export function userCommand(): Command {
  const user = new Command('user').description('manage portal users');

  addDataOption(
    user
      .command('add')
      .description('add a user')
      .requiredOption('--login <login>', 'unique login')
      .option('--name <name>', 'first name', '')
      .option('--last-name <name>', 'last name', '')
      .option('--email <email>', 'e-mail', '')
      .option('--admin', 'make the user an administrator', false),
  ).action(async (options) => {
    await withServices(options, async (services) => {
      const created = await addUser(
        services.db,
        { login: options.login, name: options.name, lastName: options.lastName, email: options.email, isAdmin: options.admin },
        services.clock.now() / 1000,
      );
      console.log(`user ${created.id} (${created.login}) added${created.isAdmin ? ' as administrator' : ''}`);
    });
  });

  addDataOption(user.command('list').description('list users')).action(async (options) => {
    await withServices(options, async (services) => {
      const users = await listUsers(services.db);
      printTable(
        users.map((u) => ({ ID: u.id, LOGIN: u.login, NAME: `${u.name} ${u.lastName}`.trim(), ADMIN: u.isAdmin ? 'Y' : 'N', ACTIVE: u.active ? 'Y' : 'N' })),
      );
    });
  });

  addUserAccessCommands(user);
  return user;
}
