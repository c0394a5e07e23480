// `salestrace analytics settings`: the account currency of the reports and the rates that
// convert other currencies to it (src/analytics/currency.ts).
import { Command } from 'commander';
import { loadCurrencySettings, writeAccountCurrency, writeCurrencyRate } from '../../analytics/currency.js';
import { addDataOption, withServices } from '../shared.js';
import { printLine, type CliIo } from '../io.js';

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parseRate(text: string): [string, number] {
  const match = /^([A-Za-z]{3})=(\d+(?:\.\d+)?)$/.exec(text.trim());
  if (!match || !(Number(match[2]) > 0)) throw new Error(`--rate must be CUR=number with a number above 0, got "${text}"`);
  return [match[1].toUpperCase(), Number(match[2])];
}

export function analyticsCommand(io: CliIo): Command {
  const analytics = new Command('analytics').description('Sales Intelligence analytics settings');

  addDataOption(
    analytics
      .command('settings')
      .description('show or change the account currency and the conversion rates')
      .option('--account <currency>', 'the account currency of the reports (three letters, default USD)')
      .option('--rate <CUR=rate>', 'how many account-currency units one CUR is worth; repeat for several', collect)
      .option('--remove-rate <currency>', 'forget the rate of a currency; repeat for several', collect),
  ).action(async (options) => {
    const account = options.account as string | undefined;
    if (account !== undefined && !/^[A-Za-z]{3}$/.test(account.trim())) throw new Error(`--account must be a three-letter currency code, got "${account}"`);
    const rates = ((options.rate as string[] | undefined) ?? []).map(parseRate);
    const removed = ((options.removeRate as string[] | undefined) ?? []).map((code) => {
      if (!/^[A-Za-z]{3}$/.test(code.trim())) throw new Error(`--remove-rate must be a three-letter currency code, got "${code}"`);
      return code;
    });
    await withServices(io, options, async (services) => {
      await services.db.transaction().execute(async (trx) => {
        if (account !== undefined) await writeAccountCurrency(trx, account);
        for (const [code, rate] of rates) await writeCurrencyRate(trx, code, rate);
        for (const code of removed) await writeCurrencyRate(trx, code, null);
      });
      const settings = await loadCurrencySettings(services.db);
      printLine(io, `account currency: ${settings.account}`);
      const codes = Object.keys(settings.rates).sort();
      if (codes.length === 0) printLine(io, 'rates: (none)');
      for (const code of codes) printLine(io, `rate: 1 ${code} = ${settings.rates[code]} ${settings.account}`);
    });
  });

  return analytics;
}
