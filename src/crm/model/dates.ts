// CRM dates on the wire. Datetimes are ISO 8601 with the server's offset, as PHP's date('c')
// prints them; date-only fields are kept as YYYY-MM-DD and printed as that day's local
// midnight. Input is ISO 8601 (what SDKs send) or the d.m.Y site format Bitrix also accepts.
import { formatDateC } from '../../rest/time.js';

export { formatDateC };

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(Z|[+-]\d{2}:?\d{2})?$/;
const SITE = /^(\d{2})\.(\d{2})\.(\d{4})(?: (\d{2}):(\d{2})(?::(\d{2}))?)?$/;

interface DateParts {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** Minutes east of UTC, or undefined for server-local time. */
  offset: number | undefined;
}

function validParts(p: DateParts): boolean {
  if (p.month < 1 || p.month > 12 || p.day < 1 || p.hour > 23 || p.minute > 59 || p.second > 59) return false;
  const daysInMonth = new Date(Date.UTC(p.year, p.month, 0)).getUTCDate();
  return p.day <= daysInMonth;
}

function parseOffset(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  if (text === 'Z') return 0;
  const match = /^([+-])(\d{2}):?(\d{2})$/.exec(text);
  if (!match) return undefined;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

function parseParts(text: string): DateParts | undefined {
  const trimmed = text.trim();
  const iso = ISO.exec(trimmed);
  if (iso) {
    const parts: DateParts = {
      year: Number(iso[1]),
      month: Number(iso[2]),
      day: Number(iso[3]),
      hour: Number(iso[4] ?? 0),
      minute: Number(iso[5] ?? 0),
      second: Number(iso[6] ?? 0),
      offset: parseOffset(iso[7]),
    };
    if (iso[7] !== undefined && parts.offset === undefined) return undefined;
    return validParts(parts) ? parts : undefined;
  }
  const site = SITE.exec(trimmed);
  if (site) {
    const parts: DateParts = {
      year: Number(site[3]),
      month: Number(site[2]),
      day: Number(site[1]),
      hour: Number(site[4] ?? 0),
      minute: Number(site[5] ?? 0),
      second: Number(site[6] ?? 0),
      offset: undefined,
    };
    return validParts(parts) ? parts : undefined;
  }
  return undefined;
}

/** Unix seconds, or undefined when the text is not a date. */
export function parseDateTime(text: string): number | undefined {
  const p = parseParts(text);
  if (!p) return undefined;
  if (p.offset === undefined) {
    return Math.floor(new Date(p.year, p.month - 1, p.day, p.hour, p.minute, p.second).getTime() / 1000);
  }
  return Math.floor(Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second) / 1000) - p.offset * 60;
}

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** YYYY-MM-DD as written (the calendar day the client meant), or undefined. */
export function parseDateOnly(text: string): string | undefined {
  const p = parseParts(text);
  return p ? `${pad(p.year, 4)}-${pad(p.month)}-${pad(p.day)}` : undefined;
}

/** Local midnight of a stored date, printed like a datetime (crm-deal-get.md BEGINDATE). */
export function formatDateOnly(ymd: string): string {
  const [year, month, day] = ymd.split('-').map(Number);
  return formatDateC(new Date(year, month - 1, day).getTime() / 1000);
}

/** Today's date in the server's zone, plus some days (deal CLOSEDATE defaults to +7). */
export function localDate(seconds: number, plusDays = 0): string {
  const date = new Date(seconds * 1000);
  date.setDate(date.getDate() + plusDays);
  return `${pad(date.getFullYear(), 4)}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}
