// salestrace.expense.{add,list,delete,import}: advertising expenses per source (sales-intelligence.md
// §1.9, §4.2). Bitrix24 has no REST methods for them; these follow SourceExpensesTable::addExpenses
// and the ad import's keyword rows. Administrators only.
import { argumentError } from '../../rest/errors.js';
import { defineMethod } from '../../rest/method.js';
import { pageRequest, pagedResult } from '../../rest/paging.js';
import { formatDateC } from '../../rest/time.js';
import { isPhpMap } from '../../php/values.js';
import type { ExpenseImportRow, ExpensePack } from '../contract.js';
import { centsText } from '../expenseSplit.js';
import type { AnalyticsPorts } from './ports.js';
import {
  amountParam,
  countParam,
  currencyParam,
  listParam,
  optionalDay,
  param,
  requireAdmin,
  requiredDay,
  requiredSourceId,
  sourceIdParam,
  textParam,
} from './params.js';

/** Rows per salestrace.expense.import call. */
export const MAX_IMPORT_ROWS = 5000;

export const expenseAddMethod = defineMethod<AnalyticsPorts>({
  name: 'salestrace.expense.add',
  scope: 'crm',
  async handler({ params, caller, ports: { analytics } }) {
    requireAdmin(caller);
    const input = {
      sourceId: requiredSourceId(param(params, 'sourceId'), 'sourceId'),
      from: requiredDay(param(params, 'from'), 'from'),
      to: requiredDay(param(params, 'to'), 'to'),
      cents: amountParam(param(params, 'sum'), 'sum', true),
      currency: currencyParam(param(params, 'currency'), 'currency'),
      actions: countParam(param(params, 'actions'), 'actions'),
      comment: textParam(param(params, 'comment'), 'comment'),
    };
    return analytics.addExpenses(input);
  },
});

function packView(pack: ExpensePack): Record<string, unknown> {
  return {
    ID: pack.id,
    SOURCE_ID: pack.sourceId,
    TYPE_ID: pack.typeId,
    DATE_FROM: pack.from,
    DATE_TO: pack.to,
    ACTIONS: pack.actions,
    IMPRESSIONS: pack.impressions,
    EXPENSES: centsText(pack.cents),
    CURRENCY_ID: pack.currency,
    COMMENT: pack.comment,
    DATE_INSERT: formatDateC(pack.createdAt),
  };
}

export const expenseListMethod = defineMethod<AnalyticsPorts>({
  name: 'salestrace.expense.list',
  scope: 'crm',
  async handler({ params, start, caller, ports: { analytics } }) {
    requireAdmin(caller);
    const source = param(params, 'sourceId');
    const filter = {
      sourceId: source === undefined || source === '' ? undefined : sourceIdParam(source, 'sourceId', false),
      from: optionalDay(param(params, 'from'), 'from'),
      to: optionalDay(param(params, 'to'), 'to'),
    };
    const page = pageRequest(start);
    const { packs, total } = await analytics.listExpenses(filter, page.offset, page.limit, page.countTotal);
    return pagedResult(packs.map(packView), packs.length, page, total, 'legacy');
  },
});

export const expenseDeleteMethod = defineMethod<AnalyticsPorts>({
  name: 'salestrace.expense.delete',
  scope: 'crm',
  async handler({ params, caller, ports: { analytics } }) {
    requireAdmin(caller);
    const value = param(params, 'id');
    const text = typeof value === 'number' || typeof value === 'string' ? String(value).trim() : '';
    if (!/^0*[1-9]\d{0,9}$/.test(text) || Number(text) > 2_147_483_647) throw argumentError('ID_NOT_POSITIVE', 'id');
    await analytics.deleteExpensePack(Number(text));
    return true;
  },
});

function importRow(value: unknown, index: number): ExpenseImportRow {
  const at = (name: string) => `rows[${index}][${name}]`;
  if (!isPhpMap(value)) throw argumentError('ANALYTICS_PARAMETER_REQUIRED', `rows[${index}]`, { field: `rows[${index}]` });
  const code = (name: string) => {
    const text = textParam(param(value, name), at(name));
    if (text.trim() === '') throw argumentError('ANALYTICS_PARAMETER_REQUIRED', at(name), { field: at(name) });
    return text.trim();
  };
  return {
    day: requiredDay(param(value, 'date'), at('date')),
    campaign: code('campaign'),
    campaignTitle: textParam(param(value, 'campaignTitle'), at('campaignTitle')),
    adGroup: code('adGroup'),
    adGroupTitle: textParam(param(value, 'adGroupTitle'), at('adGroupTitle')),
    keyword: code('keyword'),
    keywordTitle: textParam(param(value, 'keywordTitle'), at('keywordTitle')),
    impressions: countParam(param(value, 'impressions'), at('impressions')),
    clicks: countParam(param(value, 'clicks'), at('clicks')),
    cents: amountParam(param(value, 'cost'), at('cost'), false),
  };
}

export const expenseImportMethod = defineMethod<AnalyticsPorts>({
  name: 'salestrace.expense.import',
  scope: 'crm',
  async handler({ params, caller, ports: { analytics } }) {
    requireAdmin(caller);
    const sourceId = requiredSourceId(param(params, 'sourceId'), 'sourceId');
    const currency = currencyParam(param(params, 'currency'), 'currency');
    const comment = textParam(param(params, 'comment'), 'comment');
    const given = listParam(param(params, 'rows'));
    if (given.length === 0 || given.length > MAX_IMPORT_ROWS) throw argumentError('ANALYTICS_ROWS', 'rows', { limit: MAX_IMPORT_ROWS });
    const rows = given.map(importRow);
    return analytics.importExpenses({ sourceId, currency, comment, rows });
  },
});
