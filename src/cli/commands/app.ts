// `salestrace app add|list|grant|restrict|disable|enable|remove`: OAuth applications.
import { Command } from 'commander';
import { handlerUrlProblem } from '../../events/handlerUrl.js';
import { addApp, allowedUsers, findAppById, listApps, removeApp, restrictApp, setAppActive } from '../../auth/oauth/apps.js';
import { originFromUrl, portalMemberId, tokenAnswer } from '../../auth/oauth/portal.js';
import { issueTokenPair } from '../../auth/oauth/tokens.js';
import { parseScopeList } from '../../auth/scopes.js';
import { findUserById } from '../../auth/users.js';
import type { Services } from '../../services.js';
import { addDataOption, parseIdOption, printTable, withServices } from '../shared.js';
import { printError, printLine, type CliIo } from '../io.js';

async function existingApp(services: Services, text: string) {
  const id = parseIdOption('--app', text);
  const app = await findAppById(services.db, id);
  if (!app) throw new Error(`application ${id} does not exist`);
  return app;
}

function parseUserList(text: string): number[] {
  const ids = text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => parseIdOption('--users', part));
  if (ids.length === 0) throw new Error('--users needs at least one user ID (use --all to lift the restriction)');
  return [...new Set(ids)];
}

export function appCommand(io: CliIo): Command {
  const app = new Command('app').description('manage OAuth applications (local applications)');

  addDataOption(
    app
      .command('add')
      .description('register an application and print its client ID and secret')
      .requiredOption('--scope <list>', 'comma-separated scopes, e.g. crm,user')
      .option('--redirect-uri <url>', 'where /oauth/authorize/ sends the code')
      .option('--title <title>', 'a name shown on the authorization page', '')
      .option('--install-handler <url>', 'bind ONAPPINSTALL to this URL and send it now, with tokens for --install-user')
      .option('--install-user <id>', 'the user who installs the application (default 1, the first administrator)', '1'),
  ).action(async (options) => {
    const installHandler = options.installHandler === undefined ? undefined : String(options.installHandler);
    if (installHandler !== undefined && handlerUrlProblem(installHandler) !== null) {
      throw new Error(`not a handler URL: "${installHandler}" (an http or https URL whose host is a dotted name, an IP address or localhost)`);
    }
    await withServices(io, options, async (services) => {
      const installUser = parseIdOption('--install-user', String(options.installUser));
      if (installHandler !== undefined && !(await findUserById(services.db, installUser))) throw new Error(`user ${installUser} does not exist`);
      const scopes = parseScopeList(options.scope);
      const { app: created, clientSecret } = await addApp(
        services.db,
        { scopes, title: options.title, redirectUri: options.redirectUri ?? null },
        services.clock.now() / 1000,
      );
      printLine(io, `client_id: ${created.clientId}`);
      printLine(io, `client_secret: ${clientSecret}`);
      printError(io, `application ${created.id} added with scopes ${scopes.join(',') || '(none)'}; the secret is shown only now`);
      if (installHandler !== undefined) {
        await services.events.appInstalled(created.id, installHandler, installUser);
        printError(io, `ONAPPINSTALL queued for ${installHandler}; the running server sends it`);
      }
    });
  });

  addDataOption(app.command('list').description('list applications (secrets are stored hashed and never shown)')).action(
    async (options) => {
      await withServices(io, options, async (services) => {
        const rows = [];
        for (const a of await listApps(services.db)) {
          rows.push({
            ID: a.id,
            CLIENT_ID: a.clientId,
            TITLE: a.title,
            SCOPES: a.scopes.join(','),
            REDIRECT_URI: a.redirectUri ?? '',
            ACTIVE: a.active ? 'Y' : 'N',
            USERS: a.restricted ? (await allowedUsers(services.db, a.id)).join(',') || '(nobody)' : 'all',
          });
        }
        printTable(io, rows);
      });
    },
  );

  addDataOption(
    app
      .command('grant')
      .description('mint a first token pair for a user without the browser flow (headless setups); prints the token JSON')
      .requiredOption('--app <id>', 'application ID')
      .requiredOption('--user <id>', 'user the tokens act as')
      .option('--base-url <url>', 'the server URL clients use, for client_endpoint/server_endpoint', 'https://127.0.0.1:8443'),
  ).action(async (options) => {
    await withServices(io, options, async (services) => {
      const target = await existingApp(services, options.app);
      if (!target.active) throw new Error(`application ${target.id} is disabled`);
      const userId = parseIdOption('--user', options.user);
      const user = await findUserById(services.db, userId);
      if (!user || !user.active) throw new Error(`user ${userId} does not exist or is inactive`);
      const pair = await issueTokenPair(services.db, target.id, userId, services.clock.now() / 1000);
      const answer = tokenAnswer(pair, target.scopes, originFromUrl(options.baseUrl), await portalMemberId(services.db));
      printLine(io, JSON.stringify(answer, null, 2));
    });
  });

  addDataOption(
    app
      .command('restrict')
      .description('let only some users use an application (others get user_access_error)')
      .requiredOption('--app <id>', 'application ID')
      .option('--users <ids>', 'comma-separated user IDs allowed to use the application')
      .option('--all', 'lift the restriction: every user may use the application'),
  ).action(async (options) => {
    await withServices(io, options, async (services) => {
      const target = await existingApp(services, options.app);
      if (Boolean(options.all) === Boolean(options.users)) throw new Error('give either --users <ids> or --all');
      const users = options.all ? null : parseUserList(options.users);
      for (const id of users ?? []) {
        if (!(await findUserById(services.db, id))) throw new Error(`user ${id} does not exist`);
      }
      await restrictApp(services.db, target.id, users);
      printLine(io, users ? `application ${target.id} restricted to users ${users.join(',')}` : `application ${target.id} open to every user`);
    });
  });

  for (const [name, active] of [['disable', false], ['enable', true]] as const) {
    addDataOption(
      app
        .command(name)
        .description(active ? 'enable a disabled application' : 'disable an application (its tokens get APPLICATION_NOT_FOUND)')
        .requiredOption('--app <id>', 'application ID'),
    ).action(async (options) => {
      await withServices(io, options, async (services) => {
        const target = await existingApp(services, options.app);
        await setAppActive(services.db, target.id, active);
        printLine(io, `application ${target.id} ${active ? 'enabled' : 'disabled'}`);
      });
    });
  }

  addDataOption(
    app
      .command('remove')
      .description('delete an application with all its tokens; its ONAPPUNINSTALL handlers are told')
      .requiredOption('--app <id>', 'application ID')
      .option('--clean', 'ONAPPUNINSTALL says CLEAN=1: the application should delete its data too'),
  ).action(async (options) => {
    await withServices(io, options, async (services) => {
      const target = await existingApp(services, options.app);
      await services.events.appUninstalled(target.id, Boolean(options.clean));
      await removeApp(services.db, target.id);
      printLine(io, `application ${target.id} removed`);
    });
  });

  return app;
}
