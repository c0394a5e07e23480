// Report periods in the browser's own calendar: the presets and their YYYY-MM-DD days.

const pad = (n) => String(n).padStart(2, '0');
export const dayText = (date) => `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;

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
  return { from: dayText(from), to: dayText(to) };
}
