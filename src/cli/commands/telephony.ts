// `salestrace telephony country|pool`: the default country of numbers written without one, and
// the phone pool calls are attributed by (tracker-and-calls.md §4.2, §4.4).
import { Command } from 'commander';
import { addDataOption, printTable, withServices } from '../shared.js';
import { printLine, type CliIo } from '../io.js';

export function telephonyCommand(io: CliIo): Command {
  const telephony = new Command('telephony').description('call tracking: the default country and the phone pool');

  addDataOption(
    telephony
      .command('country [code]')
      .description('print the default country of phone numbers written without one, or set it (ISO 3166 code, e.g. US, RU, DE)'),
  ).action(async (code: string | undefined, options) => {
    await withServices(io, options, async (services) => {
      if (code !== undefined && !(await services.ports.telephony.setCountry(code))) {
        throw new Error(`"${code}" is not a country code with phone numbers (ISO 3166, e.g. US)`);
      }
      printLine(io, await services.ports.telephony.country());
    });
  });

  addDataOption(telephony.command('pool').description("list the pool: the sources' phone numbers and the applications' external lines")).action(
    async (options) => {
      await withServices(io, options, async (services) => {
        const pool = await services.ports.telephony.pool();
        printTable(
          io,
          pool.map((entry) => ({ NUMBER: entry.number, E164: entry.key, SOURCE: entry.source, LINE_OF: entry.owner })),
        );
      });
    },
  );

  return telephony;
}
