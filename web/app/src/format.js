// Numbers and dates in the browser's own locale.
const numbers = new Intl.NumberFormat(undefined);
const dateTimes = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatNumber = (value) => numbers.format(value);

export function formatDateTime(value) {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? String(value) : dateTimes.format(date);
}
