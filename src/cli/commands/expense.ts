// `salestrace expense add|list|delete|import`: advertising expenses from the command line,
// through the same analytics service as the salestrace.expense.* methods.
import fs from 'node:fs';
import { Command } from 'commander';
import { AnalyticsError, type AnalyticsErrorKind } from '../../analytics/errors.js';
import { parseDay } from '../../analytics/days.js';
import { centsText, toCents } from '../../analytics/expenseSplit.js';
import type { ErrorDetails } from '../../domainError.js';
import type { Services } from '../../services.js';
import { parseCsv } from '../../analytics/csv.js';
import { addDataOption, parseIdOption, printTable, withServices } from '../shared.js';
import { printLine, type CliIo } from '../io.js';

const MESSAGES: Record<AnalyticsErrorKind, (details: ErrorDetails) => string> = {
  sourceNotFound: ({ id }) => `no source with ID ${id}`,
  currencyNoRate: ({ currency, account }) => `no rate converts ${currency} to ${account}; set one with \`salestrace analytics settings --rate ${currency}=…\``,
  packNotFound: ({ id }) => `no expense pack with ID ${id}`,
  periodTooLong: ({ from, to, limit }) => `the rows run from ${from} to ${to}, more than ${limit} days`,
};

async function withAnalytics<T>(io: CliIo, options: Record<string, unknown>, run: (services: Services) => Promise<T>): Promise<T> {
  try {
    return await withServices(io, options, run);
  } catch (error) {
    if (error instanceof AnalyticsError) throw new Error(MESSAGES[error.kind](error.details));
    throw error;
  }
}

function day(name: string, text: string): string {
  const parsed = parseDay(text);
  if (parsed === undefined) throw new Error(`${name} must be a date YYYY-MM-DD, got "${text}"`);
  return parsed;
}

function cents(name: string, text: string): number {
  const parsed = toCents(text);
  if (parsed === undefined) throw new Error(`${name} must be a number of at least 0, got "${text}"`);
  return parsed;
}

function count(name: string, text: string): number {
  if (!/^\d{1,13}$/.test(text.trim())) throw new Error(`${name} must be a whole number of at least 0, got "${text}"`);
  return Number(text.trim());
}

function currency(text: string): string {
  if (!/^[A-Za-z]{3}$/.test(text.trim())) throw new Error(`--currency must be a three-letter currency code, got "${text}"`);
  return text.trim().toUpperCase();
}

const CSV_COLUMNS = ['date', 'campaign', 'ad_group', 'keyword', 'impressions', 'clicks', 'cost'];

export function expenseCommand(io: CliIo): Command {
  const expense = new Command('expense').description('advertising expenses per source (Sales Intelligence analytics)');

  addDataOption(
    expense
      .command('add')
      .description('spread a sum over the days from --from to --to (a pack)')
      .requiredOption('--source <id>', 'source ID')
      .requiredOption('--from <date>', 'first day, YYYY-MM-DD')
      .requiredOption('--to <date>', 'last day, YYYY-MM-DD')
      .requiredOption('--sum <amount>', 'the whole sum, e.g. 100.50')
      .requiredOption('--currency <code>', 'its currency, e.g. USD')
      .option('--actions <n>', 'clicks or other actions bought', '0')
      .option('--comment <text>', 'a note', ''),
  ).action(async (options) => {
    const input = {
      sourceId: parseIdOption('--source', options.source),
      from: day('--from', options.from),
      to: day('--to', options.to),
      cents: cents('--sum', options.sum),
      currency: currency(options.currency),
      actions: count('--actions', options.actions),
      comment: String(options.comment),
    };
    await withAnalytics(io, options, async (services) => {
      const id = await services.analytics.addExpenses(input);
      printLine(io, id === null ? 'nothing added (a zero sum, --from after --to, or more than 365 days)' : `expense pack ${id} added`);
    });
  });

  addDataOption(
    expense
      .command('list')
      .description('list expense packs')
      .option('--source <id>', 'only this source')
      .option('--from <date>', 'packs that reach this day or later')
      .option('--to <date>', 'packs that start on this day or earlier'),
  ).action(async (options) => {
    const filter = {
      sourceId: options.source === undefined ? undefined : parseIdOption('--source', options.source),
      from: options.from === undefined ? undefined : day('--from', options.from),
      to: options.to === undefined ? undefined : day('--to', options.to),
    };
    await withAnalytics(io, options, async (services) => {
      const { packs } = await services.analytics.listExpenses(filter, 0, Number.MAX_SAFE_INTEGER, false);
      printTable(
        io,
        packs.map((p) => ({ ID: p.id, SOURCE: p.sourceId, TYPE_ID: p.typeId, FROM: p.from, TO: p.to, ACTIONS: p.actions, IMPRESSIONS: p.impressions, EXPENSES: centsText(p.cents), CURRENCY: p.currency, COMMENT: p.comment })),
      );
    });
  });

  addDataOption(expense.command('delete').description('delete an expense pack and its daily rows').argument('<id>', 'pack ID')).action(async (id: string, options) => {
    const packId = parseIdOption('pack ID', id);
    await withAnalytics(io, options, async (services) => {
      await services.analytics.deleteExpensePack(packId);
      printLine(io, `expense pack ${packId} deleted`);
    });
  });

  addDataOption(
    expense
      .command('import')
      .description(`load keyword rows of an advertising export from a CSV file with the columns ${CSV_COLUMNS.join(',')}`)
      .argument('<file>', 'CSV file; optional columns campaign_title, ad_group_title, keyword_title')
      .requiredOption('--source <id>', 'source ID')
      .requiredOption('--currency <code>', 'the currency of the cost column')
      .option('--comment <text>', 'a note', ''),
  ).action(async (file: string, options) => {
    const table = parseCsv(fs.readFileSync(file, 'utf8'));
    const header = (table[0] ?? []).map((name) => name.trim().toLowerCase());
    if (!CSV_COLUMNS.every((name) => header.includes(name))) {
      throw new Error(`${file}: the CSV header must name date, campaign, ad_group, keyword, impressions, clicks and cost`);
    }
    const column = (row: string[], name: string) => (header.includes(name) ? (row[header.indexOf(name)] ?? '').trim() : '');
    const rows = table.slice(1).map((row, index) => {
      const line = `${file} line ${index + 2}`;
      const code = (name: string) => {
        const value = column(row, name);
        if (value === '') throw new Error(`${line}: ${name} is empty`);
        return value;
      };
      return {
        day: day(`${line}: date`, column(row, 'date')),
        campaign: code('campaign'),
        campaignTitle: column(row, 'campaign_title'),
        adGroup: code('ad_group'),
        adGroupTitle: column(row, 'ad_group_title'),
        keyword: code('keyword'),
        keywordTitle: column(row, 'keyword_title'),
        impressions: count(`${line}: impressions`, column(row, 'impressions') || '0'),
        clicks: count(`${line}: clicks`, column(row, 'clicks') || '0'),
        cents: cents(`${line}: cost`, column(row, 'cost') || '0'),
      };
    });
    if (rows.length === 0) throw new Error(`${file}: no rows`);
    const input = { sourceId: parseIdOption('--source', options.source), currency: currency(options.currency), comment: String(options.comment), rows };
    await withAnalytics(io, options, async (services) => {
      const id = await services.analytics.importExpenses(input);
      printLine(io, `expense pack ${id} imported (${rows.length} rows)`);
    });
  });

  return expense;
}
