// The account currency of the analytics reports and the rates that convert other currencies to
// it, kept in two settings rows so the CLI can change them while the server runs.
import type { Executor } from '../db/schema.js';
import { readSetting, writeSetting } from '../system/settings.js';

export const ACCOUNT_CURRENCY_SETTING = 'analytics.account_currency';
export const CURRENCY_RATES_SETTING = 'analytics.currency_rates';
export const DEFAULT_ACCOUNT_CURRENCY = 'USD';

export interface CurrencySettings {
  readonly account: string;
  readonly rates: Readonly<Record<string, number>>;
}

/** A currency code as Bitrix24 writes them: three letters, upper case. */
export function isCurrencyCode(text: string): boolean {
  return /^[A-Z]{3}$/.test(text);
}

function parseRates(text: string | undefined): Record<string, number> {
  if (text === undefined || text === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return {};
  }
  const rates: Record<string, number> = {};
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return rates;
  for (const [code, rate] of Object.entries(parsed as Record<string, unknown>)) {
    const value = typeof rate === 'string' ? Number(rate) : rate;
    if (typeof value === 'number' && Number.isFinite(value) && value > 0) rates[code.toUpperCase()] = value;
  }
  return rates;
}

/**
 * Settings rows 'analytics.account_currency' (default 'USD') and 'analytics.currency_rates'
 * (JSON object: currency -> how many account-currency units one unit is worth).
 */
export async function loadCurrencySettings(db: Executor): Promise<CurrencySettings> {
  const account = (await readSetting(db, ACCOUNT_CURRENCY_SETTING))?.trim().toUpperCase() || DEFAULT_ACCOUNT_CURRENCY;
  const rates = parseRates(await readSetting(db, CURRENCY_RATES_SETTING));
  return { account, rates };
}

/** Amount in the account currency; '' or the account currency itself passes through; null when no rate is configured. */
export function toAccountCurrency(amount: number, currency: string, settings: CurrencySettings): number | null {
  const code = currency.trim().toUpperCase();
  if (code === '' || code === settings.account) return amount;
  const rate = settings.rates[code];
  return rate === undefined ? null : amount * rate;
}

/** Whether amounts in `currency` can be converted to the account currency. */
export function canConvert(currency: string, settings: CurrencySettings): boolean {
  return toAccountCurrency(0, currency, settings) !== null;
}

/** Sets the account currency (three letters). */
export async function writeAccountCurrency(db: Executor, currency: string): Promise<void> {
  const code = currency.trim().toUpperCase();
  if (!isCurrencyCode(code)) throw new RangeError(`not a currency code: "${currency}"`);
  await writeSetting(db, ACCOUNT_CURRENCY_SETTING, code);
}

/** Sets (rate > 0) or removes (rate null) the rate of one currency, keeping the others. */
export async function writeCurrencyRate(db: Executor, currency: string, rate: number | null): Promise<void> {
  const code = currency.trim().toUpperCase();
  if (!isCurrencyCode(code)) throw new RangeError(`not a currency code: "${currency}"`);
  if (rate !== null && !(Number.isFinite(rate) && rate > 0)) throw new RangeError(`a rate must be a positive number, got ${rate}`);
  const rates = parseRates(await readSetting(db, CURRENCY_RATES_SETTING));
  if (rate === null) delete rates[code];
  else rates[code] = rate;
  await writeSetting(db, CURRENCY_RATES_SETTING, JSON.stringify(rates));
}
