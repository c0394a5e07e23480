// Calendar days of the analytics period and the expense rows: YYYY-MM-DD strings in the server's
// zone, counted as calendar days so a daylight-saving change neither drops nor adds one.

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** `YYYY-MM-DD` when the text is a real calendar date, else undefined. */
export function parseDay(text: string): string | undefined {
  const match = DAY.exec(text.trim());
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  if (year < 1970 || month < 1 || month > 12 || day < 1) return undefined;
  if (day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  return `${match[1]}-${match[2]}-${match[3]}`;
}

function utcDays(day: string): number {
  const [year, month, date] = day.split('-').map(Number);
  return Date.UTC(year, month - 1, date) / 86_400_000;
}

/** The day `days` calendar days after `day` (before, when negative). */
export function addDays(day: string, days: number): string {
  const date = new Date((utcDays(day) + days) * 86_400_000);
  return `${pad(date.getUTCFullYear(), 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`;
}

/** Calendar days from `from` to `to`, both counted (1 for the same day, 0 or less when reversed). */
export function dayCount(from: string, to: string): number {
  return utcDays(to) - utcDays(from) + 1;
}

/** Unix seconds of the day's local midnight (server zone). */
export function localMidnight(day: string): number {
  const [year, month, date] = day.split('-').map(Number);
  return Math.floor(new Date(year, month - 1, date).getTime() / 1000);
}

/** The local calendar day of a moment (server zone). */
export function localDay(seconds: number): string {
  const date = new Date(seconds * 1000);
  return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/**
 * The period's days as stretches for bucketing a unix time into its local day by arithmetic:
 * a run of days that are each 86,400 s long shares one stretch (day = index + (t − start) div
 * 86,400); a day that a daylight-saving change makes longer or shorter is a stretch of its own
 * (day = index). `end` is the stretch's exclusive end; the stretches cover the period in order.
 */
export interface DayStretch {
  readonly index: number;
  readonly start: number;
  readonly end: number;
  readonly uniform: boolean;
}

export function dayStretches(from: string, to: string): DayStretch[] {
  const stretches: DayStretch[] = [];
  const days = dayCount(from, to);
  for (let index = 0; index < days; index++) {
    const start = localMidnight(addDays(from, index));
    const end = localMidnight(addDays(from, index + 1));
    const uniform = end - start === 86_400;
    const last = stretches[stretches.length - 1];
    if (uniform && last?.uniform && last.end === start) stretches[stretches.length - 1] = { ...last, end };
    else stretches.push({ index, start, end, uniform });
  }
  return stretches;
}
