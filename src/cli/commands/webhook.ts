// `salestrace webhook add|list|revoke`.
import { Command } from 'commander';
import { parseScopeList } from '../../auth/scopes.js';
import { findUserById } from '../../auth/users.js';
import { addWebhook, listWebhooks, setWebhookFlag } from '../../auth/webhooks.js';
import { reachableHost } from '../../setup/firstStart.js';
import { findRunningServer } from '../../setup/runningServer.js';
import { addDataOption, parseDateOption, parseIdOption, printTable, withServices } from '../shared.js';
import { printError, printLine, type CliIo } from '../io.js';
import { addWebhookHoldCommands } from './webhookHold.js';
import { addWebhookOutgoingCommands } from './webhookOutgoing.js';

export function webhookCommand(io: CliIo): Command {
  const webhook = new Command('webhook').description('manage incoming webhooks');

  addDataOption(
    webhook
      .command('add')
      .description('create an incoming webhook and print its URL')
      .requiredOption('--user <id>', 'user the webhook acts as')
      .requiredOption('--scope <list>', 'comma-separated scopes, e.g. crm,user')
      .option('--code <code>', 'use this secret verbatim instead of a random one')
      .option('--expires <date>', 'expiry moment: an ISO date-time, or YYYY-MM-DD for 00:00 UTC of that day')
      .option('--title <title>', 'a note to recognise it by', '')
      .option('--base-url <url>', 'base URL to print (default: the address of the server running on --data, else the one `serve` would use)'),
  ).action(async (options) => {
    await withServices(io, options, async (services) => {
      const { httpsPort, port, dataDir } = services.config;
      const host = reachableHost(services.config.host);
      const running = options.baseUrl === undefined ? findRunningServer(dataDir) : null;
      const configuredBase = httpsPort === null ? `http://${host}:${port}` : `https://${host}:${httpsPort}`;
      const defaultBase = running ? (running.https ?? running.http) : configuredBase;
      const userId = parseIdOption('--user', options.user);
      if (!(await findUserById(services.db, userId))) throw new Error(`user ${userId} does not exist`);
      const scopes = parseScopeList(options.scope);
      const expiresAt = options.expires ? parseDateOption(options.expires) : null;
      const { webhook: created, secret } = await addWebhook(
        services.db,
        { userId, scopes, code: options.code, expiresAt, title: options.title },
        services.clock.now() / 1000,
      );
      const base = String(options.baseUrl ?? defaultBase).replace(/\/+$/, '');
      printLine(io, `${base}/rest/${userId}/${secret}/`);
      printError(io, `webhook ${created.id} created for user ${userId} with scopes ${scopes.join(',') || '(none)'}`);
      if (options.baseUrl !== undefined) return;
      if (running) printError(io, `the URL names the server running on ${dataDir} (process ${running.pid})`);
      else printError(io, `no server is running on ${dataDir}: the URL names the address serve would use with these settings (--base-url for another)`);
    });
  });

  addDataOption(webhook.command('list').description('list webhooks (secrets are stored hashed and never shown)')).action(
    async (options) => {
      await withServices(io, options, async (services) => {
        const rows = await listWebhooks(services.db);
        printTable(
          io,
          rows.map((w) => ({
            ID: w.id,
            USER: w.userId,
            SCOPES: w.scopes.join(','),
            EXPIRES: w.expiresAt === null ? '' : new Date(w.expiresAt * 1000).toISOString(),
            ACTIVE: w.active ? 'Y' : 'N',
            HELD: w.held ? 'Y' : 'N',
            TITLE: w.title,
          })),
        );
      });
    },
  );

  addDataOption(webhook.command('revoke').description('revoke a webhook for good').argument('<id>', 'webhook ID')).action(
    async (id: string, options) => {
      await withServices(io, options, async (services) => {
        const webhookId = parseIdOption('webhook ID', id);
        if (!(await setWebhookFlag(services.db, webhookId, 'active', false))) throw new Error(`webhook ${webhookId} does not exist`);
        printLine(io, `webhook ${webhookId} revoked`);
      });
    },
  );

  addWebhookHoldCommands(webhook, io);
  addWebhookOutgoingCommands(webhook, io);
  return webhook;
}
