// Expenses: a period's spend for a source (salestrace.expense.add), an advertising export's CSV
// (salestrace.expense.import), and the packs they made, 50 a page, each deletable
// (salestrace.expense.list / .delete). Administrators only, as the expense methods are.
import { useRef, useState } from 'preact/hooks';
import { call, callAll } from '../api.js';
import { useCall } from '../useCall.js';
import { Failure, Loading } from '../components.jsx';
import { AdminOnly } from '../components/AdminOnly.jsx';
import { PeriodPicker } from '../components/PeriodPicker.jsx';
import { lastDays } from '../period.js';
import { formatDateTime, formatDay, formatMoney, formatNumber } from '../format.js';
import { parseCsv } from '../../../../src/analytics/csv.ts';

const PAGE_SIZE = 50;
/** Rows per salestrace.expense.import call (the method's limit). */
const IMPORT_ROWS = 5000;
/** The CSV's columns, as `salestrace expense import` reads them. */
const CSV_COLUMNS = ['date', 'campaign', 'ad_group', 'keyword', 'impressions', 'clicks', 'cost'];
const KINDS = { 0: 'Manual', 1: 'Ad import' };

function SourceSelect({ sources, name = 'sourceId', label = 'Source', any }) {
  return (
    <label>
      {label}
      <select name={name} required={!any}>
        {any ? <option value="">All sources</option> : null}
        {sources.map((source) => (
          <option key={source.ID} value={String(source.ID)}>
            {source.NAME}
          </option>
        ))}
      </select>
    </label>
  );
}

function CurrencyInput({ value }) {
  return (
    <label>
      Currency
      <input name="currency" required pattern="[A-Za-z]{3}" maxLength={3} size="4" defaultValue={value} autoComplete="off" />
    </label>
  );
}

function AddForm({ sources, currency, onDone }) {
  const [state, setState] = useState({ busy: false, error: null, message: null });
  const period = lastDays(30);

  async function submit(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const value = (name) => String(data.get(name) ?? '').trim();
    setState({ busy: true, error: null, message: null });
    try {
      const params = { sourceId: value('sourceId'), from: value('from'), to: value('to'), sum: value('sum').replace(',', '.'), currency: value('currency').toUpperCase() };
      if (value('actions') !== '') params.actions = value('actions');
      if (value('comment') !== '') params.comment = value('comment');
      const { result } = await call('salestrace.expense.add', params);
      if (result === null) {
        setState({ busy: false, error: null, message: 'Nothing was recorded: the sum is zero, “From” is after “To”, or the period is longer than 365 days.' });
        return;
      }
      for (const name of ['sum', 'actions', 'comment']) form.querySelector(`input[name=${name}]`).value = '';
      setState({ busy: false, error: null, message: `Pack #${result} added.` });
      onDone();
    } catch (failure) {
      setState({ busy: false, error: failure, message: null });
    }
  }

  return (
    <form class="panel" onSubmit={submit} aria-label="Add an expense">
      <h2>Add a period's spend</h2>
      <p class="muted">The sum is spread evenly over the period's days; clicks, when given, too.</p>
      <div class="grid">
        <SourceSelect sources={sources} />
        <PeriodPicker from={period.from} to={period.to} />
        <label>
          Sum
          <input name="sum" required inputMode="decimal" pattern="[0-9]+([.,][0-9]{1,2})?" autoComplete="off" />
        </label>
        <CurrencyInput value={currency} />
        <label>
          Clicks (optional)
          <input name="actions" inputMode="numeric" pattern="[0-9]*" autoComplete="off" />
        </label>
        <label>
          Comment (optional)
          <input name="comment" maxLength={255} autoComplete="off" />
        </label>
      </div>
      {state.error ? <Failure error={state.error} /> : null}
      {state.message ? <p role="status">{state.message}</p> : null}
      <div class="actions">
        <button type="submit" disabled={state.busy}>
          Add expense
        </button>
      </div>
    </form>
  );
}

class CsvProblem extends Error {}

/** The CSV's rows as salestrace.expense.import takes them. */
function importRows(text) {
  const table = parseCsv(text);
  const header = (table[0] ?? []).map((name) => name.trim().toLowerCase());
  const missing = CSV_COLUMNS.filter((name) => !header.includes(name));
  if (missing.length > 0) throw new CsvProblem(`The first line must name the columns ${CSV_COLUMNS.join(', ')}; missing: ${missing.join(', ')}.`);
  const column = (row, name) => (header.includes(name) ? (row[header.indexOf(name)] ?? '').trim() : '');
  const rows = table.slice(1).map((row) => ({
    date: column(row, 'date'),
    campaign: column(row, 'campaign'),
    campaignTitle: column(row, 'campaign_title'),
    adGroup: column(row, 'ad_group'),
    adGroupTitle: column(row, 'ad_group_title'),
    keyword: column(row, 'keyword'),
    keywordTitle: column(row, 'keyword_title'),
    impressions: column(row, 'impressions') || '0',
    clicks: column(row, 'clicks') || '0',
    cost: column(row, 'cost') || '0',
  }));
  if (rows.length === 0) throw new CsvProblem('The file has a header but no rows.');
  return rows;
}

function ImportForm({ sources, currency, onDone }) {
  const [state, setState] = useState({ busy: false, error: null, message: null });

  async function submit(event) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const file = data.get('file');
    setState({ busy: true, error: null, message: null });
    try {
      const rows = importRows(await file.text());
      const packs = [];
      for (let at = 0; at < rows.length; at += IMPORT_ROWS) {
        const { result } = await call('salestrace.expense.import', {
          sourceId: String(data.get('sourceId')),
          currency: String(data.get('currency')).trim().toUpperCase(),
          comment: String(data.get('comment') ?? '').trim() || file.name,
          rows: rows.slice(at, at + IMPORT_ROWS),
        });
        packs.push(`#${result}`);
      }
      form.reset();
      setState({ busy: false, error: null, message: `Imported ${formatNumber(rows.length)} rows as pack ${packs.join(', ')}.` });
      onDone();
    } catch (failure) {
      setState({ busy: false, error: failure, message: null });
    }
  }

  return (
    <form class="panel" onSubmit={submit} aria-label="Import an advertising export">
      <h2>Import an advertising export</h2>
      <p class="muted">
        A CSV file with the header <code>{CSV_COLUMNS.join(',')}</code> (optional <code>campaign_title</code>,{' '}
        <code>ad_group_title</code>, <code>keyword_title</code>): one keyword's day per row. It fills the Ad levels page.
      </p>
      <div class="grid">
        <SourceSelect sources={sources} />
        <CurrencyInput value={currency} />
        <label>
          Comment (optional)
          <input name="comment" maxLength={255} autoComplete="off" />
        </label>
        <label class="wide">
          CSV file
          <input type="file" name="file" accept=".csv,text/csv" required />
        </label>
      </div>
      {state.error ? state.error instanceof CsvProblem ? <p class="error" role="alert">{state.error.message}</p> : <Failure error={state.error} /> : null}
      {state.message ? <p role="status">{state.message}</p> : null}
      <div class="actions">
        <button type="submit" disabled={state.busy}>
          Import
        </button>
      </div>
    </form>
  );
}

function PackRow({ pack, sourceName, onDeleted }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState(null);
  async function remove() {
    try {
      await call('salestrace.expense.delete', { id: pack.ID });
      onDeleted();
    } catch (failure) {
      setError(failure);
    }
  }
  return (
    <tr data-pack-id={pack.ID}>
      <th scope="row">#{pack.ID}</th>
      <td>{sourceName(pack.SOURCE_ID)}</td>
      <td>
        {formatDay(pack.DATE_FROM)} – {formatDay(pack.DATE_TO)}
      </td>
      <td>{KINDS[pack.TYPE_ID] ?? pack.TYPE_ID}</td>
      <td class="num">{formatMoney(Number(pack.EXPENSES), pack.CURRENCY_ID)}</td>
      <td class="num">{formatNumber(pack.ACTIONS)}</td>
      <td class="num">{formatNumber(pack.IMPRESSIONS)}</td>
      <td>{pack.COMMENT || <span class="muted">—</span>}</td>
      <td>{formatDateTime(pack.DATE_INSERT)}</td>
      <td class="row-actions">
        {confirming ? (
          <>
            <button class="link" onClick={remove} aria-label={`Yes, delete pack ${pack.ID}`}>
              Yes, delete
            </button>
            <button class="link" onClick={() => setConfirming(false)} aria-label={`Keep pack ${pack.ID}`}>
              Keep
            </button>
          </>
        ) : (
          <button class="link" onClick={() => setConfirming(true)} aria-label={`Delete pack ${pack.ID}`}>
            Delete
          </button>
        )}
        {error ? <Failure error={error} /> : null}
      </td>
    </tr>
  );
}

export function Expenses({ user }) {
  const [filter, setFilter] = useState({ sourceId: '', page: 0 });
  const [version, setVersion] = useState(0);
  const admin = user.IS_ADMIN;

  const [allSources, sourcesError] = useCall(() => (admin ? callAll('salestrace.source.list') : null), []);
  const sources = allSources && allSources.filter((source) => source.ID > 0);
  const [answer, listError] = useCall(() => {
    if (!admin) return null;
    const params = { start: filter.page * PAGE_SIZE };
    if (filter.sourceId !== '') params.sourceId = filter.sourceId;
    return call('salestrace.expense.list', params);
  }, [filter, version]);
  const error = sourcesError ?? listError;
  // The forms stay while the list is asked again (an added pack keeps its message), in the
  // currency of the list last shown.
  const listed = useRef(null);
  if (answer) listed.current = answer;

  if (!admin) return (
    <section>
      <h1>Expenses</h1>
      <AdminOnly what="Advertising expenses are recorded and read by administrators." />
    </section>
  );

  const names = Object.fromEntries((sources ?? []).map((source) => [source.ID, source.NAME]));
  const sourceName = (id) => names[id] ?? `Source ${id}`;
  const reload = () => setVersion((v) => v + 1);
  // New packs in the currency of the latest one; USD, the default account currency, at first.
  const currency = listed.current?.result[0]?.CURRENCY_ID ?? 'USD';
  const total = answer?.total ?? 0;
  const first = filter.page * PAGE_SIZE;

  return (
    <section>
      <h1>Expenses</h1>
      <p class="muted">
        What you spent on each advertising source. The Sources report divides it by the leads and deals each source brought
        (cost per unit, ROI), and imported exports fill the Ad levels page.
      </p>
      {error ? <Failure error={error} /> : null}
      {sources === null && !error ? <Loading /> : null}
      {sources && listed.current ? (
        <div class="forms">
          <AddForm sources={sources} currency={currency} onDone={reload} />
          <ImportForm sources={sources} currency={currency} onDone={reload} />
        </div>
      ) : null}
      <div class="heading">
        <h2>Expense packs</h2>
        {sources ? (
          <form class="inline-form" onChange={(event) => setFilter({ sourceId: String(new FormData(event.currentTarget).get('sourceId')), page: 0 })} onSubmit={(event) => event.preventDefault()} aria-label="Filter packs">
            <SourceSelect sources={sources} label="Show" any />
          </form>
        ) : null}
      </div>
      {sources && !answer && !error ? <Loading /> : null}
      {answer && answer.result.length === 0 ? (
        <p class="notice">
          {filter.sourceId === '' ? 'No expenses yet. Add a period’s spend or import an advertising export above; the Sources report then shows costs and ROI.' : 'No expenses for this source yet.'}
        </p>
      ) : null}
      {answer && answer.result.length > 0 ? (
        <>
          <p class="summary" aria-live="polite">
            Packs {formatNumber(first + 1)}–{formatNumber(first + answer.result.length)} of {formatNumber(total)}
          </p>
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Expense packs">
            <table class="expenses">
              <thead>
                <tr>
                  <th scope="col">Pack</th>
                  <th scope="col">Source</th>
                  <th scope="col">Period</th>
                  <th scope="col">Kind</th>
                  <th scope="col" class="num">Spend</th>
                  <th scope="col" class="num">Clicks</th>
                  <th scope="col" class="num">Impressions</th>
                  <th scope="col">Comment</th>
                  <th scope="col">Added</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {answer.result.map((pack) => (
                  <PackRow key={pack.ID} pack={pack} sourceName={sourceName} onDeleted={reload} />
                ))}
              </tbody>
            </table>
          </div>
          {total > PAGE_SIZE ? (
            <nav class="pager" aria-label="Pages">
              <button class="secondary" disabled={filter.page === 0} onClick={() => setFilter({ ...filter, page: filter.page - 1 })}>
                Previous
              </button>
              <button class="secondary" disabled={answer.next === undefined} onClick={() => setFilter({ ...filter, page: filter.page + 1 })}>
                Next
              </button>
            </nav>
          ) : null}
        </>
      ) : null}
    </section>
  );
}
