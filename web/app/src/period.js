// Report periods in the browser's own calendar: the presets and their YYYY-MM-DD days.

import { isoDay } from './format.js';

/** A `YYYY-MM-DD` day as a Date at the browser's local midnight. */
export function dayDate(day) {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y, m - 1, d);
}

const daysAgo = (today, n) => new Date(today.getFullYear(), today.getMonth(), today.getDate() - n);

export const PRESETS = [
  { key: 'last7', label: 'Last 7 days', range: (today) => [daysAgo(today, 6), today] },
  { key: 'last30', label: 'Last 30 days', range: (today) => [daysAgo(today, 29), today] },
  { key: 'last90', label: 'Last 90 days', range: (today) => [daysAgo(today, 89), today] },
  { key: 'thisMonth', label: 'This month', range: (today) => [new Date(today.getFullYear(), today.getMonth(), 1), today] },
  { key: 'lastMonth', label: 'Last month', range: (today) => [new Date(today.getFullYear(), today.getMonth() - 1, 1), new Date(today.getFullYear(), today.getMonth(), 0)] },
];

/** The preset's `{ from, to }`, counted from `now`. */
export function presetPeriod(key, now = new Date()) {
  const preset = PRESETS.find((candidate) => candidate.key === key) ?? PRESETS[1];
  const [from, to] = preset.range(now);
  return { from: isoDay(from), to: isoDay(to) };
}

/** The last `days` days, today included. */
export function lastDays(days, now = new Date()) {
  return { from: isoDay(daysAgo(now, days - 1)), to: isoDay(now) };
}
