// `salestrace webhook hold|release`: Bitrix24's manual block of an overloading integration;
// a held webhook answers OVERLOAD_LIMIT (rest-protocol.md §3.2) until released.
import type { Command } from 'commander';
import { setWebhookFlag } from '../../auth/webhooks.js';
import { addDataOption, parseIdOption, withServices } from '../shared.js';
import { printLine, type CliIo } from '../io.js';

export function addWebhookHoldCommands(webhook: Command, io: CliIo): void {
  for (const [name, held] of [['hold', true], ['release', false]] as const) {
    addDataOption(
      webhook
        .command(name)
        .description(held ? 'block a webhook: its calls answer OVERLOAD_LIMIT' : 'lift a hold')
        .argument('<id>', 'webhook ID'),
    ).action(async (id: string, options) => {
      await withServices(io, options, async (services) => {
        const webhookId = parseIdOption('webhook ID', id);
        if (!(await setWebhookFlag(services.db, webhookId, 'held', held))) throw new Error(`webhook ${webhookId} does not exist`);
        printLine(io, `webhook ${webhookId} ${held ? 'held' : 'released'}`);
      });
    });
  }
}
