// Two calendar days, `from` and `to`, as date inputs named `from` and `to` inside the page's own
// form (the page reads them with FormData). Days are the browser's calendar days; the report
// methods read them in the server's zone.
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
