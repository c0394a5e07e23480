// What an item gets on add when the caller leaves a field out (the "Default" notes of
// crm-item-add.md and crm-*-add.md). Only fields the type has are applied.
import { localDate } from './dates.js';
import type { CrmType } from './types.js';

/** Salestrace has no currency module: amounts default to this currency (COMPATIBILITY.md). */
export const DEFAULT_CURRENCY = 'USD';

export function addDefaults(type: CrmType, nowSeconds: number): Map<string, unknown> {
  const candidates: Record<string, unknown> = {
    CATEGORY_ID: 0,
    CURRENCY_ID: DEFAULT_CURRENCY,
    OPPORTUNITY: 0,
    TAX_VALUE: 0,
    REVENUE: 0,
    IS_MANUAL_OPPORTUNITY: 'N',
    IS_RECURRING: 'N',
    IS_RETURN_CUSTOMER: 'N',
    IS_REPEATED_APPROACH: 'N',
    IS_MY_COMPANY: 'N',
    OPENED: 'Y',
    CLOSED: 'N',
    EXPORT: 'Y',
    HAS_PHONE: 'N',
    HAS_EMAIL: 'N',
    HAS_IMOL: 'N',
    BEGINDATE: localDate(nowSeconds),
    CLOSEDATE: localDate(nowSeconds, 7),
    ACTUAL_DATE: localDate(nowSeconds, 7),
  };
  const defaults = new Map<string, unknown>();
  for (const [name, value] of Object.entries(candidates)) {
    if (type.byName(name)?.storage === 'column') defaults.set(name, value);
  }
  if (type.stages) defaults.set(type.stages.field, type.stages.stages[0].id);
  return defaults;
}
