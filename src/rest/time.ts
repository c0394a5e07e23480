// The `time` block of every successful answer (rest-protocol.md §2.2): floats for the moments
// and durations, `date('c')` strings in the server's zone, and the operating-time figures.
import { PhpFloat, phpFloat } from '../php/json.js';

export interface OperatingReport {
  /** Seconds this method has run for this webhook or app in the live window. */
  operating: number;
  /** Unix seconds when the oldest live bucket expires. */
  resetAt: number;
}

export interface TimeBlock {
  start: PhpFloat;
  finish: PhpFloat;
  duration: PhpFloat;
  processing: PhpFloat;
  date_start: string;
  date_finish: string;
  operating_reset_at: number;
  operating: PhpFloat;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** The last second formatted, with the zone offset it was formatted in (see formatDateC). */
let lastDate = { second: NaN, offsetMinutes: NaN, text: '' };

/** PHP `date('c', $seconds)`: whole seconds, local zone, offset as `+hh:mm` (never `Z`). */
export function formatDateC(seconds: number): string {
  const second = Math.floor(seconds);
  const date = new Date(second * 1000);
  const offsetMinutes = -date.getTimezoneOffset();
  // Local fields are UTC plus the offset, so the same second in the same offset is the same
  // text even if TZ changed meanwhile. An answer formats the same second two or three times.
  if (second === lastDate.second && offsetMinutes === lastDate.offsetMinutes) return lastDate.text;
  const sign = offsetMinutes >= 0 ? '+' : '-';
  const abs = Math.abs(offsetMinutes);
  const text =
    `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}` +
    `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  lastDate = { second, offsetMinutes, text };
  return text;
}

/** Rounds to microseconds, the precision of PHP's microtime(true). */
function micro(seconds: number): number {
  return Math.round(seconds * 1e6) / 1e6;
}

export function buildTimeBlock(
  startSeconds: number,
  finishSeconds: number,
  processingSeconds: number,
  report: OperatingReport,
): TimeBlock {
  const start = micro(startSeconds);
  const finish = micro(Math.max(finishSeconds, startSeconds));
  return {
    start: phpFloat(start),
    finish: phpFloat(finish),
    duration: phpFloat(micro(finish - start)),
    processing: phpFloat(micro(Math.max(0, processingSeconds))),
    date_start: formatDateC(start),
    date_finish: formatDateC(finish),
    operating_reset_at: Math.floor(report.resetAt),
    operating: phpFloat(micro(report.operating)),
  };
}
