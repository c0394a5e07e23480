// Sources report: the funnel per source for a period (salestrace.report.sources) with the
// reference's ROI colours and the change against the previous period, a chart of leads, deals
// and revenue per day (salestrace.report.daily), and the table as a CSV file. Administrators
// only, as the report methods are. The period and the source are the view's, kept in the
// address (`#/report?from=…&to=…&source=…`).
import { useEffect, useState } from 'preact/hooks';
import { call, callAll, isAccessDenied } from '../api.js';
import { useCall } from '../useCall.js';
import { dayValue, idValue, showView, useViewKey } from '../route.js';
import { Failure, Loading } from '../components.jsx';
import { downloadCsv } from '../csv.js';
import { formatNumber } from '../format.js';
import { dayDate, presetPeriod, PRESETS } from '../period.js';
import { reportColumns, reportCsvRows, tableRows } from '../reportColumns.js';
import { PeriodPicker } from '../components/PeriodPicker.jsx';
import { DailyChart } from './DailyChart.jsx';

const longDate = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const percent = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });
const change = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2, signDisplay: 'exceptZero' });

function moneyFormat(currency) {
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: 2, maximumFractionDigits: 2 });
  } catch {
    return new Intl.NumberFormat(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  }
}

const periodText = ({ from, to }) => (from === to ? longDate.format(dayDate(from)) : `${longDate.format(dayDate(from))} – ${longDate.format(dayDate(to))}`);

function formatter(kind, money) {
  if (kind === 'money') return (value) => money.format(value);
  if (kind === 'percent') return (value) => percent.format(value);
  return (value) => formatNumber(value);
}

function Change({ value }) {
  if (value === null || value === undefined) return null;
  const direction = value > 0 ? 'up' : value < 0 ? 'down' : 'same';
  return (
    <small class={`change ${direction}`} title="Against the previous period">
      {direction === 'up' ? '▲ ' : direction === 'down' ? '▼ ' : ''}
      {change.format(value)}%
    </small>
  );
}

function ReportTable({ report }) {
  const money = moneyFormat(report.currency);
  const columns = reportColumns(report);
  const row = (figures, summary) => (
    <tr key={figures.ID} data-source-id={figures.ID} class={summary ? 'summary-row' : ''}>
      <th scope="row">{figures.NAME}</th>
      {columns.map((column) => {
        const value = column.value(figures);
        const grade = column.grade && figures.ROI_GRADE ? ` grade grade-${figures.ROI_GRADE}` : '';
        return (
          <td key={column.key} class={`num${grade}`} data-column={column.key}>
            {value === null ? <span class="muted">—</span> : <span class="value">{formatter(column.kind, money)(value)}</span>}
            {column.change ? <Change value={column.change(figures)} /> : null}
          </td>
        );
      })}
    </tr>
  );
  const rows = tableRows(report);
  const footer = rows.slice(report.rows.length);
  return (
    // Focusable, so the keyboard can scroll the table sideways on a narrow screen.
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Sources report table">
      <table class="report">
        <caption class="visually-hidden">
          Sources report, {periodText(report.period)}, compared with {periodText(report.previousPeriod)}
        </caption>
        <thead>
          <tr>
            <th scope="col">Source</th>
            {columns.map((column) => (
              <th scope="col" key={column.key} class="num">
                {column.label}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>{report.rows.map((figures) => row(figures, false))}</tbody>
        <tfoot>{footer.map((figures) => row(figures, true))}</tfoot>
      </table>
    </div>
  );
}

function NothingYet() {
  return (
    <section class="notice empty">
      <h2>No leads, deals or spend in this period</h2>
      <p>
        The report counts the leads and deals created in the period by the source of their traces, and the spend recorded for
        each source. To fill it: send traces bound to your leads and deals (the site tracker does it, or
        <code> crm.tracking.trace.add</code> with <code>ENTITIES</code>), record spend with <code>salestrace.expense.add</code>, or
        choose a longer period above.
      </p>
    </section>
  );
}

const METRICS = [
  { key: 'LEADS', label: 'Leads' },
  { key: 'DEALS', label: 'Deals' },
  { key: 'REVENUE', label: 'Revenue' },
];

/**
 * The view a link asks for (`#/report?from=…&to=…&source=…`); a missing or bad period is the
 * last 30 days, a missing or bad source all sources.
 */
function viewOf(query) {
  let from = dayValue(query.from);
  let to = dayValue(query.to);
  if (from && to && from > to) [from, to] = [to, from];
  const period = from && to && dayCount(from, to) <= MAX_REPORT_DAYS ? { from, to } : presetPeriod('last30');
  const source = query.source === 'organic' ? 'organic' : idValue(query.source) ?? '';
  return { ...period, source };
}

const dayCount = (from, to) => Math.round((dayDate(to) - dayDate(from)) / 86_400_000) + 1;
/** The longest period salestrace.report.sources answers for. */
const MAX_REPORT_DAYS = 366;

/** The preset whose days these are today, or custom. */
function presetOf({ from, to }) {
  return PRESETS.find((preset) => {
    const period = presetPeriod(preset.key);
    return period.from === from && period.to === to;
  })?.key ?? 'custom';
}

/** The last view shown, which a bare `#/report` (the navigation's link) shows again. */
let remembered = null;

export function Report({ query }) {
  const bare = Object.keys(query).length === 0;
  const asked = bare && remembered ? remembered : viewOf(query);
  const [customOpen, setCustomOpen] = useState(false);
  const [metric, setMetric] = useState('LEADS');
  const [sourceList, sourceListError] = useCall(() => callAll('salestrace.source.list'), []);
  // The list's organic traffic (ID 0) is the "Other traffic" option the select ends with.
  const sources = (sourceList ?? []).filter((source) => source.ACTIVE === 'Y' && source.ID !== 0);
  // A source the list does not offer (archived, unknown) is all sources, as a bad value is; a
  // source's report waits for the list to know.
  const numbered = asked.source !== '' && asked.source !== 'organic';
  const waiting = numbered && !sourceList && !sourceListError;
  const source = numbered && sourceList && !sources.some((candidate) => String(candidate.ID) === asked.source) ? '' : asked.source;
  const choice = { from: asked.from, to: asked.to, source };
  const preset = customOpen ? 'custom' : presetOf(choice);

  useEffect(() => {
    // The link with no query takes the remembered view into the address, for a reload to keep.
    if (bare && remembered) showView('report', remembered, true);
    remembered = choice;
  }, [bare, choice.from, choice.to, choice.source]);

  const params = { from: choice.from, to: choice.to, ...(choice.source === '' ? {} : { sourceId: [choice.source] }) };
  const [report, error] = useCall(
    () => (waiting ? null : call('salestrace.report.sources', params).then((answer) => answer.result)),
    [choice.from, choice.to, choice.source, waiting],
  );
  // The chart's call waits for the table's: on SQLite the server runs one statement at a time, so
  // asking both at once would hold the table back until the chart's days are counted too.
  const [daily, dailyError] = useCall(() => (report ? call('salestrace.report.daily', params).then((answer) => answer.result) : null), [report]);

  const [formKey, show] = useViewKey('report');

  function pickPreset(event) {
    const picked = event.currentTarget.value;
    setCustomOpen(picked === 'custom');
    if (picked !== 'custom') show({ ...choice, ...presetPeriod(picked) });
  }

  function applyCustom(event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const from = String(form.get('from') ?? '');
    const to = String(form.get('to') ?? '');
    if (from && to) show({ ...choice, from: from <= to ? from : to, to: from <= to ? to : from });
  }

  if (error && isAccessDenied(error)) {
    return (
      <section>
        <h1>Sources report</h1>
        <section class="notice" role="status">
          <h2>You do not have access to this page</h2>
          <p>The sources report shows the whole portal's spend and revenue, so only administrators can open it, as in Bitrix24.</p>
          <p class="muted">The server said: {error.message}</p>
        </section>
      </section>
    );
  }

  const money = report ? moneyFormat(report.currency) : null;
  const empty =
    report && report.total.STAGES.leads.quantity === 0 && report.total.STAGES.deals.quantity === 0 && report.total.COSTS === 0;
  const metricLabel = METRICS.find((candidate) => candidate.key === metric).label;

  return (
    <section>
      <div class="heading">
        <h1>Sources report</h1>
        {report ? (
          <button class="secondary" onClick={() => downloadCsv(`sources-report-${report.period.from}-${report.period.to}.csv`, reportCsvRows(report))}>
            Download CSV
          </button>
        ) : null}
      </div>
      <form class="filters" onSubmit={applyCustom} aria-label="Report period and source">
        <label>
          Period
          <select name="preset" value={preset} onChange={pickPreset}>
            {PRESETS.map((preset) => (
              <option key={preset.key} value={preset.key}>
                {preset.label}
              </option>
            ))}
            <option value="custom">Custom…</option>
          </select>
        </label>
        {preset === 'custom' ? (
          <>
            <PeriodPicker key={formKey} from={choice.from} to={choice.to} />
            <div class="actions">
              <button type="submit">Apply</button>
            </div>
          </>
        ) : null}
        <label>
          Source
          <select name="source" value={choice.source} onChange={(event) => show({ ...choice, source: event.currentTarget.value })}>
            <option value="">All sources</option>
            {sources.map((source) => (
              <option key={source.ID} value={String(source.ID)}>
                {source.NAME}
              </option>
            ))}
            <option value="organic">Other traffic</option>
          </select>
        </label>
      </form>
      {report ? (
        <p class="summary period" aria-live="polite">
          <span data-period>{periodText(report.period)}</span>, compared with <span data-previous>{periodText(report.previousPeriod)}</span>.
          Amounts in {report.currency}.
        </p>
      ) : null}
      {error ? <Failure error={error} /> : null}
      {!error && !report ? <Loading /> : null}
      {report && report.unconvertedCurrencies.length > 0 ? (
        <p class="notice">
          Amounts in {report.unconvertedCurrencies.join(', ')} are left out: set their rates with <code>salestrace currency rate</code>.
        </p>
      ) : null}
      {empty ? <NothingYet /> : null}
      {report ? <ReportTable report={report} /> : null}
      {report ? (
        <p class="legend muted">
          ROI: <span class="grade grade-good">100% or more</span> <span class="grade grade-normal">above 0</span>{' '}
          <span class="grade grade-none">0</span> <span class="grade grade-bad">below 0</span>
          <span>▲▼ change against the previous period</span>
        </p>
      ) : null}
      {report && !empty ? (
        <section class="panel chart-panel" aria-label="Per day">
          <div class="heading">
            <h2>{metricLabel} per day</h2>
            <fieldset class="segmented">
              <legend class="visually-hidden">Chart shows</legend>
              {METRICS.map((candidate) => (
                <label key={candidate.key}>
                  <input type="radio" name="metric" value={candidate.key} checked={metric === candidate.key} onChange={() => setMetric(candidate.key)} />
                  {candidate.label}
                </label>
              ))}
            </fieldset>
          </div>
          {dailyError ? <Failure error={dailyError} /> : null}
          {daily ? <DailyChart daily={daily} metric={metric} label={metricLabel} format={metric === 'REVENUE' ? (v) => money.format(v) : formatNumber} whole={metric !== 'REVENUE'} /> : dailyError ? null : <Loading />}
        </section>
      ) : null}
    </section>
  );
}
