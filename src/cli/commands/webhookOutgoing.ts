// `salestrace webhook outgoing add|list|delete` (events.md §3): a handler URL, the events it
// receives, and a generated application_token that every delivery carries in auth[application_token].
import type { Command } from 'commander';
import { EVENT_CATALOGUE } from '../../events/catalogue.js';
import { handlerUrlProblem } from '../../events/handlerUrl.js';
import { addDataOption, printTable, withServices } from '../shared.js';
import { printError, printLine, type CliIo } from '../io.js';

/** The events an outgoing webhook may choose: the portal's online, non-application events. */
const WEBHOOK_EVENTS = EVENT_CATALOGUE.filter((e) => e.scope !== null).map((e) => e.name);

function parseEvents(text: string): string[] {
  const names = [...new Set(text.split(',').map((s) => s.trim().toUpperCase()).filter((s) => s !== ''))];
  if (names.length === 0) throw new Error('--events must name at least one event');
  for (const name of names) {
    if (!WEBHOOK_EVENTS.includes(name)) throw new Error(`unknown event "${name}"; outgoing webhooks can receive: ${WEBHOOK_EVENTS.join(', ')}`);
  }
  return names;
}

export function addWebhookOutgoingCommands(webhook: Command, io: CliIo): void {
  const outgoing = webhook.command('outgoing').description('manage outgoing webhooks: events posted to a URL of yours');

  addDataOption(
    outgoing
      .command('add')
      .description('post these events to a URL; prints the application token each request carries')
      .requiredOption('--handler <url>', 'http(s) URL that receives the events (loopback addresses allowed)')
      .requiredOption('--events <list>', 'comma-separated event codes, e.g. ONCRMLEADADD,ONCRMDEALUPDATE'),
  ).action(async (options) => {
    const handler = String(options.handler);
    const problem = handlerUrlProblem(handler);
    if (problem === 'wrongUrl') throw new Error(`not a handler URL: "${handler}" (an http or https URL whose host is a dotted name, an IP address or localhost)`);
    if (problem === 'unsupportedProtocol') throw new Error(`unsupported handler protocol: "${handler}" (http or https only)`);
    const events = parseEvents(String(options.events));
    await withServices(io, options, async (services) => {
      const token = await services.events.addOutgoingWebhook(handler, events);
      printLine(io, token);
      printError(io, `outgoing webhook created: ${events.join(',')} to ${handler}; requests carry auth[application_token]=${token}`);
    });
  });

  addDataOption(outgoing.command('list').description('list outgoing webhooks')).action(async (options) => {
    await withServices(io, options, async (services) => {
      const rows = await services.events.listOutgoingWebhooks();
      printTable(io, rows.map((w) => ({ APPLICATION_TOKEN: w.applicationToken, HANDLER: w.handler, EVENTS: w.events.join(',') })));
    });
  });

  addDataOption(
    outgoing.command('delete').description('delete an outgoing webhook').argument('<application_token>', 'the token `add` printed'),
  ).action(async (token: string, options) => {
    await withServices(io, options, async (services) => {
      const removed = await services.events.deleteOutgoingWebhook(token);
      if (removed === 0) throw new Error(`no outgoing webhook has application token "${token}"`);
      printLine(io, `outgoing webhook ${token} deleted`);
    });
  });
}
