// `salestrace role add|grant|assign|list`: CRM roles (src/crm/services/permissions.ts). A role grants,
// per item type and action, NONE, OWN or ALL; users get roles with `role assign` or
// `user add --role`.
import { Command } from 'commander';
import { findUserById, findUserByLogin } from '../../auth/users.js';
import {
  CRM_ACTIONS,
  CRM_ENTITY_TYPES,
  assignRole,
  createRole,
  entityTypeName,
  findRole,
  grantRole,
  isCrmAction,
  isPermissionLevel,
  listRoles,
  type CrmAction,
  type CrmEntityTypeName,
} from '../../crm/contract.js';
import type { Executor } from '../../db/schema.js';
import { addDataOption, printTable, withServices } from '../shared.js';
import { printLine, type CliIo } from '../io.js';

const TYPE_NAMES = Object.keys(CRM_ENTITY_TYPES) as CrmEntityTypeName[];

function parseTypes(text: string): number[] {
  const upper = text.trim().toUpperCase();
  if (upper === 'ALL') return TYPE_NAMES.map((name) => CRM_ENTITY_TYPES[name]);
  if ((TYPE_NAMES as string[]).includes(upper)) return [CRM_ENTITY_TYPES[upper as CrmEntityTypeName]];
  if (/^\d+$/.test(upper) && entityTypeName(Number(upper))) return [Number(upper)];
  throw new Error(`--type must be one of ${TYPE_NAMES.join(', ')} (or their IDs) or all, got "${text}"`);
}

function parseActions(text: string): CrmAction[] {
  const upper = text.trim().toUpperCase();
  if (upper === 'ALL') return [...CRM_ACTIONS];
  if (isCrmAction(upper)) return [upper];
  throw new Error(`--action must be one of ${CRM_ACTIONS.join(', ')} or all, got "${text}"`);
}

export async function requireRole(db: Executor, nameOrId: string) {
  const role = await findRole(db, nameOrId);
  if (!role) throw new Error(`no role "${nameOrId}" (create it with: salestrace role add --name ...)`);
  return role;
}

export function roleCommand(io: CliIo): Command {
  const role = new Command('role').description('manage CRM roles and their permissions');

  addDataOption(role.command('add').description('create a role').requiredOption('--name <name>', 'unique role name')).action(
    async (options) => {
      await withServices(io, options, async (services) => {
        const created = await createRole(services.db, options.name, services.clock.now() / 1000);
        printLine(io, `role ${created.id} (${created.name}) added`);
      });
    },
  );

  addDataOption(
    role
      .command('grant')
      .description('set what a role may do with one item type (or all) and one action (or all)')
      .requiredOption('--role <name|id>', 'role')
      .requiredOption('--type <type>', `item type: ${TYPE_NAMES.join(', ')} or all`)
      .requiredOption('--action <action>', `${CRM_ACTIONS.join(', ')} or all`)
      .requiredOption('--level <level>', 'NONE, OWN (items the user is responsible for) or ALL'),
  ).action(async (options) => {
    const types = parseTypes(options.type);
    const actions = parseActions(options.action);
    const level = String(options.level).trim().toUpperCase();
    if (!isPermissionLevel(level)) throw new Error(`--level must be NONE, OWN or ALL, got "${options.level}"`);
    await withServices(io, options, async (services) => {
      await services.db.transaction().execute(async (trx) => {
        const found = await requireRole(trx, options.role);
        for (const entityTypeId of types) {
          for (const action of actions) await grantRole(trx, found.id, { entityTypeId, action, level });
        }
      });
      printLine(io, `role ${options.role}: ${actions.join(',')} on ${types.map((t) => entityTypeName(t)).join(',')} = ${level}`);
    });
  });

  addDataOption(
    role
      .command('assign')
      .description('give a role to an existing user')
      .requiredOption('--user <id|login>', 'user')
      .requiredOption('--role <name|id>', 'role'),
  ).action(async (options) => {
    await withServices(io, options, async (services) => {
      const text = String(options.user);
      const user = /^[1-9]\d{0,9}$/.test(text) ? await findUserById(services.db, Number(text)) : await findUserByLogin(services.db, text);
      if (!user) throw new Error(`user ${text} does not exist`);
      const found = await requireRole(services.db, options.role);
      await assignRole(services.db, user.id, found.id);
      printLine(io, `user ${user.id} (${user.login}) has role ${found.name}`);
    });
  });

  addDataOption(role.command('list').description('list roles, their grants and users')).action(async (options) => {
    await withServices(io, options, async (services) => {
      const roles = await listRoles(services.db);
      printTable(
        io,
        roles.map((r) => ({
          ID: r.id,
          NAME: r.name,
          GRANTS: r.grants.map((g) => `${entityTypeName(g.entityTypeId)}.${g.action}=${g.level}`).join(' '),
          USERS: r.users.join(','),
        })),
      );
    });
  });

  return role;
}
