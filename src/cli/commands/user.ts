// `salestrace user add|list`.
import { Command } from 'commander';
import { addUser, findUserById, listUsers } from '../../auth/users.js';
import { assignRole } from '../../crm/contract.js';
import { requireRole } from './role.js';
import { addDataOption, printTable, withServices } from '../shared.js';
import { printLine, type CliIo } from '../io.js';
import { addUserAccessCommands } from './userAccess.js';

export function userCommand(io: CliIo): Command {
  const user = new Command('user').description('manage portal users');

  addDataOption(
    user
      .command('add')
      .description('add a user')
      .requiredOption('--login <login>', 'unique login')
      .option('--name <name>', 'first name', '')
      .option('--last-name <name>', 'last name', '')
      .option('--email <email>', 'e-mail', '')
      .option('--admin', 'make the user an administrator', false)
      .option('--role <name|id>', 'give the user a CRM role (repeatable)', (value: string, all: string[]) => [...all, value], []),
  ).action(async (options) => {
    await withServices(io, options, async (services) => {
      // User 1 is the administrator that the first `serve` creates together with its webhook.
      if (!(await findUserById(services.db, 1))) {
        throw new Error('this data directory has no administrator yet: run `salestrace serve` once first');
      }
      const { created, roles } = await services.db.transaction().execute(async (trx) => {
        const roles = [];
        for (const role of options.role as string[]) roles.push(await requireRole(trx, role));
        const created = await addUser(
          trx,
          { login: options.login, name: options.name, lastName: options.lastName, email: options.email, isAdmin: options.admin },
          services.clock.now() / 1000,
        );
        for (const role of roles) await assignRole(trx, created.id, role.id);
        return { created, roles };
      });
      const withRoles = roles.length > 0 ? ` with role ${roles.map((r) => r.name).join(', ')}` : '';
      printLine(io, `user ${created.id} (${created.login}) added${created.isAdmin ? ' as administrator' : ''}${withRoles}`);
    });
  });

  addDataOption(user.command('list').description('list users')).action(async (options) => {
    await withServices(io, options, async (services) => {
      const users = await listUsers(services.db);
      printTable(
        io,
        users.map((u) => ({ ID: u.id, LOGIN: u.login, NAME: `${u.name} ${u.lastName}`.trim(), ADMIN: u.isAdmin ? 'Y' : 'N', ACTIVE: u.active ? 'Y' : 'N' })),
      );
    });
  });

  addUserAccessCommands(user, io);
  return user;
}
