// Attribution: the period's won deals credited to the sources of their visits under six models
// side by side (salestrace.report.attribution), as a table and a grouped bar chart, with the
// lookback and the time decay's half-life; and one deal's journey as a timeline
// (salestrace.report.journey). Administrators only, as the report methods are. The settings and
// the picked deal are the view's, kept in the address (`#/attribution?from=…&to=…&deal=…`).
import { useEffect, useMemo, useState } from 'preact/hooks';
import { call } from '../api.js';
import { useCall } from '../useCall.js';
import { dayValue, daysValue, idValue, showView, useViewKey } from '../route.js';
import { Chips, Failure, Loading } from '../components.jsx';
import { AdminOnly } from '../components/AdminOnly.jsx';
import { GroupedBars } from '../components/GroupedBars.jsx';
import { PeriodPicker } from '../components/PeriodPicker.jsx';
import { lastDays } from '../period.js';
import { formatDateTime, formatMoney, formatNumber } from '../format.js';

export const MODEL_NAMES = {
  firstTouch: 'First touch',
  lastTouch: 'Last touch',
  lastNonDirect: 'Last non-direct',
  linear: 'Linear',
  positionBased: 'Position-based',
  timeDecay: 'Time decay',
};
const MODEL_COLORS = ['#1f5fa8', '#e07a10', '#2e8b57', '#8e44ad', '#c0392b', '#7f8c8d'];
const VIA = { DEAL: 'the deal', CONTACT: 'its contact', COMPANY: 'its company' };

/** crm.deal.list's page: 50 deals, as every Bitrix list. */
const PAGE_SIZE = 50;
/** The lookback and half-life the report methods accept (their defaults are 90 and 7). */
const LOOKBACK = { min: 1, max: 3650 };
const HALF_LIFE = { min: 0.01, max: 365 };

/**
 * The view a link asks for: each missing or bad value is its default (the last 30 days, a
 * 90-day lookback, a 7-day half-life, the chart by amount, no deal).
 */
function viewOf(query) {
  let from = dayValue(query.from);
  let to = dayValue(query.to);
  if (from && to && from > to) [from, to] = [to, from];
  return {
    ...(from && to ? { from, to } : lastDays(30)),
    lookbackDays: daysValue(query.lookbackDays, LOOKBACK.min, LOOKBACK.max) ?? '90',
    halfLifeDays: daysValue(query.halfLifeDays, HALF_LIFE.min, HALF_LIFE.max) ?? '7',
    metric: query.metric === 'deals' ? 'deals' : 'sum',
    deal: idValue(query.deal) ?? '',
  };
}

/** The address's query for a view; the chart's default metric is left out. */
const queryOf = (view) => ({ ...view, metric: view.metric === 'sum' ? '' : view.metric });

/** The last view shown, which a bare `#/attribution` (the navigation's link) shows again. */
let remembered = null;

/** Credited deals carry four decimals (a deal is shared among sources). */
const dealCounts = new Intl.NumberFormat(undefined, { maximumFractionDigits: 4 });
const deals = (value) => dealCounts.format(value);
const dealsWord = (value) => `${deals(value)} ${value === 1 ? 'deal' : 'deals'}`;

function Settings({ settings, onChange }) {
  function apply(event) {
    event.preventDefault();
    const form = event.currentTarget;
    if (!form.checkValidity()) return;
    const data = new FormData(form);
    const value = (name) => String(data.get(name) ?? '').trim();
    onChange({ ...settings, from: value('from'), to: value('to'), lookbackDays: value('lookbackDays'), halfLifeDays: value('halfLifeDays') });
  }
  // Any settled change re-queries (a date picked, a number left); Enter or Apply does too.
  return (
    <form class="filters" onSubmit={apply} onChange={apply} aria-label="Report settings">
      <PeriodPicker from={settings.from} to={settings.to} />
      <label>
        Lookback, days
        <input type="number" name="lookbackDays" min="1" max="3650" step="any" required defaultValue={settings.lookbackDays} />
      </label>
      <label>
        Half-life, days
        <input type="number" name="halfLifeDays" min="0.01" max="365" step="any" required defaultValue={settings.halfLifeDays} />
      </label>
      <div class="actions">
        <button type="submit">Apply</button>
      </div>
    </form>
  );
}

function Credit({ credit, currency }) {
  return (
    <>
      {formatMoney(credit.sum, currency)}
      <small>{dealsWord(credit.deals)}</small>
    </>
  );
}

function CreditTable({ report }) {
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label="Credit per source and model">
      <table class="attribution">
        <caption class="visually-hidden">Won deals and their amount credited to each source, per model</caption>
        <thead>
          <tr>
            <th scope="col">Source</th>
            {report.models.map((model) => (
              <th scope="col" key={model} class="num">
                {MODEL_NAMES[model] ?? model}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {report.rows.map((row) => (
            <tr key={row.sourceId} data-source-id={row.sourceId}>
              <th scope="row">{row.name ?? `Deleted source ${row.sourceId}`}</th>
              {report.models.map((model) => (
                <td key={model} class="num">
                  <Credit credit={row[model]} currency={report.currency} />
                </td>
              ))}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            {report.models.map((model) => (
              <td key={model} class="num">
                <Credit credit={report.total[model]} currency={report.currency} />
              </td>
            ))}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

function NoWonDeals() {
  return (
    <section class="notice empty">
      <h2>No won deals in this period</h2>
      <p>
        The report credits deals won in the period (moved to a won stage) to the visits bound to the deal, its contact or its
        company. Widen the period, or win a deal whose client has traces: bind traces with <code>crm.tracking.trace.add</code>{' '}
        (its <code>ENTITIES</code>) or let the site tracker send them, then move the deal to a won stage.
      </p>
    </section>
  );
}

/** The period's won deals, a page at a time from crm.deal.list's own `start` and `next`. */
function JourneyPicker({ from, to, onPick }) {
  const [start, setStart] = useState(0);
  const [won, error] = useCall(() => {
    const filter = { STAGE_SEMANTIC_ID: 'S', '>=MOVED_TIME': `${from}T00:00:00`, '<=MOVED_TIME': `${to}T23:59:59` };
    const select = ['ID', 'TITLE', 'OPPORTUNITY', 'CURRENCY_ID', 'MOVED_TIME'];
    return call('crm.deal.list', { filter, order: { MOVED_TIME: 'DESC', ID: 'DESC' }, select, start });
  }, [from, to, start]);

  function open(event) {
    event.preventDefault();
    const id = Number(new FormData(event.currentTarget).get('deal'));
    if (id > 0) onPick(id);
  }

  const deals = won?.result;
  return (
    <>
      <form class="inline-form" onSubmit={open} aria-label="Open a deal's journey">
        <label>
          Deal ID
          <input name="deal" inputMode="numeric" pattern="[0-9]+" required size="8" />
        </label>
        <button type="submit">Show journey</button>
      </form>
      {error ? <Failure error={error} /> : null}
      {won === null && !error ? <Loading /> : null}
      {deals && deals.length === 0 ? <p class="muted">No deals were won in this period; open any deal by its ID.</p> : null}
      {deals && deals.length > 0 ? (
        <>
          {won.total > PAGE_SIZE ? (
            <p class="muted" data-won-range>
              Won deals {formatNumber(start + 1)}–{formatNumber(start + deals.length)} of {formatNumber(won.total)}
            </p>
          ) : null}
          <ul class="deal-list" aria-label="Deals won in the period">
            {deals.map((deal) => (
              <li key={deal.ID}>
                <button class="link" onClick={() => onPick(Number(deal.ID))}>
                  #{deal.ID} {deal.TITLE}
                </button>
                <span class="muted">
                  {formatMoney(Number(deal.OPPORTUNITY), deal.CURRENCY_ID)} · won {formatDateTime(deal.MOVED_TIME)}
                </span>
              </li>
            ))}
          </ul>
          {won.total > PAGE_SIZE ? (
            <nav class="pager" aria-label="Won deals pages">
              <button class="secondary" disabled={start === 0} onClick={() => setStart(Math.max(0, start - PAGE_SIZE))}>
                Previous deals
              </button>
              <button class="secondary" disabled={won.next === undefined} onClick={() => setStart(won.next)}>
                Next deals
              </button>
            </nav>
          ) : null}
        </>
      ) : null}
    </>
  );
}

function Touch({ touch }) {
  const tags = Array.isArray(touch.tags) ? [] : Object.entries(touch.tags);
  return (
    <li class={touch.counted ? 'touch' : 'touch outside'} data-trace-id={touch.traceId}>
      <h4>
        {formatDateTime(touch.date)} · {touch.sourceName ?? `Deleted source ${touch.sourceId}`}
      </h4>
      <p class="muted">
        Visit <a href={`#/traces/${touch.traceId}`}>#{touch.traceId}</a>, bound to {touch.via.map((via) => VIA[via] ?? via).join(' and ')}
        {touch.counted ? '' : ' · outside the lookback, not counted'}
      </p>
      <dl>
        <dt>Tags</dt>
        <dd>
          <Chips values={tags.map(([name, value]) => `${name.toLowerCase()}=${value}`)} />
        </dd>
        <dt>Channels</dt>
        <dd>
          <Chips values={touch.channels.map((channel) => (channel.value ? `${channel.code}: ${channel.value}` : channel.code))} />
        </dd>
        <dt>Pages</dt>
        <dd>
          {touch.pages.length === 0 ? (
            <span class="muted">—</span>
          ) : (
            <ol class="pages">
              {touch.pages.map((page, index) => (
                <li key={index}>
                  <span class="url">{page.URL}</span>
                  {page.TITLE ? <span> — {page.TITLE}</span> : null}
                </li>
              ))}
            </ol>
          )}
        </dd>
      </dl>
    </li>
  );
}

function Journey({ id, settings, onClose }) {
  const [journey, error] = useCall(
    () => call('salestrace.report.journey', { id, lookbackDays: settings.lookbackDays, halfLifeDays: settings.halfLifeDays }).then((answer) => answer.result),
    [id, settings.lookbackDays, settings.halfLifeDays],
  );

  const names = {};
  for (const touch of journey?.touches ?? []) names[touch.sourceId] = touch.sourceName ?? `Deleted source ${touch.sourceId}`;
  const sourceName = (sourceId) => names[sourceId] ?? (sourceId === 0 ? 'Other traffic' : `Source ${sourceId}`);

  return (
    <article class="panel journey" aria-labelledby="journey-title">
      <div class="heading">
        <h2 id="journey-title">Journey of deal #{id}</h2>
        <button class="secondary" onClick={onClose}>
          Close
        </button>
      </div>
      {error ? <Failure error={error} /> : null}
      {!error && !journey ? <Loading /> : null}
      {journey ? (
        <>
          <p class="deal-facts">
            {formatMoney(journey.deal.opportunity, journey.deal.currencyId ?? journey.currency)} ·{' '}
            {journey.deal.won ? `won ${formatDateTime(journey.deal.wonAt)}` : 'not won yet'} · {formatNumber(journey.touches.length)} visits
          </p>
          {journey.touches.length === 0 ? (
            <p class="notice">
              No visits are bound to this deal, its contact or its company: the deal counts as “Other traffic”. Bind a trace to it
              (<code>crm.tracking.trace.add</code> with <code>ENTITIES</code>) to see its way here.
            </p>
          ) : (
            <ol class="timeline" aria-label="Visits, oldest first">
              {journey.touches.map((touch) => (
                <Touch key={touch.traceId} touch={touch} />
              ))}
            </ol>
          )}
          {journey.credits ? (
            <>
              <h3>The deal's credit under each model</h3>
              <div class="table-wrap" tabIndex={0} role="region" aria-label="The deal's credit">
                <table class="journey-credits">
                  <thead>
                    <tr>
                      <th scope="col">Model</th>
                      <th scope="col">Credit</th>
                    </tr>
                  </thead>
                  <tbody>
                    {Object.entries(journey.credits).map(([model, credits]) => (
                      <tr key={model}>
                        <th scope="row">{MODEL_NAMES[model] ?? model}</th>
                        <td>
                          <Chips
                            values={credits.map((credit) => `${sourceName(credit.sourceId)}: ${formatMoney(credit.sum, journey.currency)} (${deals(credit.deals)})`)}
                          />
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </>
          ) : (
            <p class="muted">The deal is not won, so no model credits it yet.</p>
          )}
        </>
      ) : null}
    </article>
  );
}

export function Attribution({ user, query }) {
  const bare = Object.keys(query).length === 0;
  const view = bare && remembered ? remembered : viewOf(query);
  const { deal, ...settings } = view;
  const admin = user.IS_ADMIN;

  useEffect(() => {
    // The link with no query takes the remembered view into the address, for a reload to keep.
    if (bare && remembered) showView('attribution', queryOf(remembered), true);
    remembered = view;
  }, [bare, ...Object.values(view)]);
  const [formKey, showQuery] = useViewKey('attribution');
  const show = (next) => showQuery(queryOf(next));
  const setSettings = (next) => show({ ...next, deal });
  const setDeal = (id) => show({ ...settings, deal: id === null ? '' : String(id) });

  const [report, error] = useCall(() => {
    if (!admin) return null;
    const { from, to, lookbackDays, halfLifeDays } = settings;
    return call('salestrace.report.attribution', { from, to, lookbackDays, halfLifeDays }).then((answer) => answer.result);
  }, [settings.from, settings.to, settings.lookbackDays, settings.halfLifeDays]);

  const chart = useMemo(() => {
    if (!report || report.rows.length === 0) return null;
    const key = settings.metric === 'deals' ? 'deals' : 'sum';
    return {
      labels: report.rows.map((row) => row.name ?? `Source ${row.sourceId}`),
      series: report.models.map((model, k) => ({ label: MODEL_NAMES[model] ?? model, color: MODEL_COLORS[k % MODEL_COLORS.length], values: report.rows.map((row) => row[model][key]) })),
      format: key === 'deals' ? deals : (value) => formatMoney(value, report.currency),
    };
  }, [report, settings.metric]);

  if (!admin) return (
    <section>
      <h1>Attribution</h1>
      <AdminOnly what="The attribution report reads every deal and every visit, so it is for administrators." />
    </section>
  );

  return (
    <section>
      <h1>Attribution</h1>
      <p class="muted">
        Deals won in the period, credited to the sources of the visits before the win (bound to the deal, its contact or its
        company, within the lookback) under six models side by side. Time decay halves a visit's weight every half-life.
      </p>
      <Settings key={formKey} settings={settings} onChange={setSettings} />
      {error ? <Failure error={error} /> : null}
      {!error && !report ? <Loading /> : null}
      {report ? (
        <>
          <p class="summary" aria-live="polite">
            <span data-deals>{formatNumber(report.deals)}</span> won deals worth <span data-sum>{formatMoney(report.sum, report.currency)}</span>
            {report.unconverted > 0 ? `, ${formatNumber(report.unconverted)} of them in a currency without a rate (counted, with no amount)` : ''}.
          </p>
          {report.deals === 0 ? (
            <NoWonDeals />
          ) : (
            <>
              <div class="heading">
                <h2>Credit per source</h2>
                <label class="compact">
                  Chart shows
                  <select value={settings.metric} onChange={(event) => setSettings({ ...settings, metric: event.currentTarget.value })}>
                    <option value="sum">Amount</option>
                    <option value="deals">Won deals</option>
                  </select>
                </label>
              </div>
              {chart ? <GroupedBars labels={chart.labels} series={chart.series} format={chart.format} label="Credit per source under each model" /> : null}
              <CreditTable report={report} />
            </>
          )}
        </>
      ) : null}
      <h2 class="section-title">A deal's journey</h2>
      <p class="muted">Pick a deal won in the period, or open any deal by its ID, to see its visits in time order and how each model credits it.</p>
      {/* Another period starts its list of won deals at the first page. */}
      <JourneyPicker key={`${settings.from}/${settings.to}`} from={settings.from} to={settings.to} onPick={setDeal} />
      {deal ? <Journey id={Number(deal)} settings={settings} onClose={() => setDeal(null)} /> : null}
    </section>
  );
}
