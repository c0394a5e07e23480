// The daily split of an expense pack (sales-intelligence.md §4.2, SourceExpensesTable::addExpenses):
// the sum in steps of round(sum / days, 2) with what is left (positive or negative) on the first
// day, and the actions in whole steps of intdiv(actions, days) with the remainder on day 1.
import { addDays } from './days.js';

export interface DailyExpense {
  readonly day: string;
  readonly cents: number;
  readonly actions: number;
}

/** PHP round() of a non-negative value to a whole number: halves away from zero. */
function roundHalfUp(numerator: number, denominator: number): number {
  const whole = Math.floor(numerator / denominator);
  const rest = numerator - whole * denominator;
  return rest * 2 >= denominator ? whole + 1 : whole;
}

/** One row per day from `from`, `days` days long; `cents` and `actions` are not negative. */
export function splitExpenses(from: string, days: number, cents: number, actions: number): DailyExpense[] {
  const step = roundHalfUp(cents, days);
  const firstDayExtra = cents - step * days;
  const stepActions = Math.floor(actions / days);
  const actionsExtra = actions - stepActions * days;
  const rows: DailyExpense[] = [];
  for (let i = 0; i < days; i++) {
    rows.push({
      day: addDays(from, i),
      cents: i === 0 ? step + firstDayExtra : step,
      actions: i === 0 ? stepActions + actionsExtra : stepActions,
    });
  }
  return rows;
}

/**
 * Cents of a non-negative decimal amount as decimal(18,2) keeps it, rounded half up on the
 * decimal text ("1.005" is 101 cents). undefined when the text is not a plain decimal number.
 */
export function toCents(text: string): number | undefined {
  const match = /^(\d+)(?:\.(\d*))?$/.exec(text.trim());
  if (!match || (match[1] === '' && !match[2])) return undefined;
  const fraction = match[2] ?? '';
  const cents = Number(match[1]) * 100 + Number(fraction.slice(0, 2).padEnd(2, '0')) + (Number(fraction[2] ?? '0') >= 5 ? 1 : 0);
  return Number.isSafeInteger(cents) ? cents : undefined;
}

/** Cents printed as decimal(18,2) text: "12.30". */
export function centsText(cents: number): string {
  const sign = cents < 0 ? '-' : '';
  const abs = Math.abs(cents);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}
