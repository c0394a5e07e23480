// `salestrace attribution window`: the attribution window's length and its switch
// (sales-intelligence.md §4.4), through the same service as salestrace.attribution.window.*.
import { Command } from 'commander';
import { addDataOption, withServices } from '../shared.js';
import { printLine, type CliIo } from '../io.js';

function parseSwitch(text: string): boolean {
  const lower = text.toLowerCase();
  if (['y', 'yes', 'on', 'true', '1'].includes(lower)) return true;
  if (['n', 'no', 'off', 'false', '0'].includes(lower)) return false;
  throw new Error(`--offline must be on or off, got "${text}"`);
}

export function attributionCommand(io: CliIo): Command {
  const attribution = new Command('attribution').description('Sales Intelligence attribution settings');
  addDataOption(
    attribution
      .command('window')
      .description('show or change the attribution window')
      .option('--days <days>', 'days a client\'s source stays with its new leads and deals (1..180; others are clamped)')
      .option('--offline <on|off>', 'apply the window to leads and deals added without a visit'),
  ).action(async (options) => {
    const days = options.days as string | undefined;
    if (days !== undefined && !/^-?\d{1,9}$/.test(days.trim())) throw new Error(`--days must be a whole number, got "${days}"`);
    const offline = options.offline === undefined ? undefined : parseSwitch(options.offline as string);
    await withServices(io, options, async (services) => {
      const settings = await services.attribution.saveWindowSettings({ days: days === undefined ? undefined : Number(days), offline });
      printLine(io, `attribution window: ${settings.days} days; ${settings.offline ? 'on' : 'off'} for items added without a visit`);
    });
  });
  return attribution;
}
