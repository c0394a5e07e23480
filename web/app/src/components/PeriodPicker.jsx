// Two calendar days, `from` and `to`, as date inputs named `from` and `to` inside the page's own
// form (the page reads them with FormData). Days are the browser's calendar days; the report
// methods read them in the server's zone.
import { isoDay } from '../format.js';

/** The last `days` days, today included. */
export function lastDays(days) {
  const today = new Date();
  const first = new Date(today.getFullYear(), today.getMonth(), today.getDate() - (days - 1));
  return { from: isoDay(first), to: isoDay(today) };
}

export function PeriodPicker({ from, to }) {
  return (
    <>
      <label>
        From
        <input type="date" name="from" required defaultValue={from} />
      </label>
      <label>
        To
        <input type="date" name="to" required defaultValue={to} />
      </label>
    </>
  );
}
