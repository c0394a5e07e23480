// Numbers and dates in the browser's own locale.
const numbers = new Intl.NumberFormat(undefined);
const dateTimes = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatNumber = (value) => numbers.format(value);

export function formatDateTime(value) {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : dateTimes.format(date);
}

const days = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const moneyFormats = new Map();

/** A `YYYY-MM-DD` day (a calendar day, not an instant) in the browser's locale. */
export function formatDay(value) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value ?? '');
  return match ? days.format(new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]))) : String(value ?? '');
}

/** An amount in a currency (ISO code) in the browser's locale; the bare number for an unknown code. */
export function formatMoney(value, currency) {
  if (value === null || value === undefined) return '—';
  let format = moneyFormats.get(currency);
  if (format === undefined) {
    try {
      format = new Intl.NumberFormat(undefined, { style: 'currency', currency });
    } catch {
      format = null;
    }
    moneyFormats.set(currency, format);
  }
  return format ? format.format(value) : `${numbers.format(value)} ${currency}`;
}

const percents = new Intl.NumberFormat(undefined, { style: 'percent', maximumFractionDigits: 2 });

/** A figure given in per cent (12.5 → "12.5%" in English); an em dash for null. */
export function formatPercent(value) {
  return value === null || value === undefined ? '—' : percents.format(value / 100);
}

/** The browser's calendar day of a Date as `YYYY-MM-DD`. */
export function isoDay(date) {
  return `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;
}
