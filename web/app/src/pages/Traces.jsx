// Traces: the paged list (salestrace.trace.list) filtered by source, period and bound item, and
// one trace's detail with its earlier visits (salestrace.trace.get).
import { useEffect, useState } from 'preact/hooks';
import { call, callAll } from '../api.js';
import { useCall } from '../useCall.js';
import { Chips, Failure, Loading } from '../components.jsx';
import { formatDateTime, formatNumber } from '../format.js';

const PAGE_SIZE = 50;
const ITEM_TYPES = ['LEAD', 'DEAL', 'CONTACT', 'COMPANY', 'QUOTE'];
const TYPE_NAMES = { LEAD: 'Lead', DEAL: 'Deal', CONTACT: 'Contact', COMPANY: 'Company', QUOTE: 'Quote' };

/** The list's filter survives a visit to a trace's detail and back. */
let remembered = { source: '', from: '', to: '', type: '', item: '', page: 0 };

/** A `YYYY-MM-DD` day of the browser's calendar as an instant: its first or its last second. */
function dayBound(day, end) {
  const [y, m, d] = day.split('-').map(Number);
  return (end ? new Date(y, m - 1, d, 23, 59, 59) : new Date(y, m - 1, d)).toISOString();
}

function restFilter(filter) {
  const rest = {};
  if (filter.source !== '') rest.SOURCE_ID = Number(filter.source);
  if (filter.from) rest['>=DATE_CREATE'] = dayBound(filter.from, false);
  if (filter.to) rest['<=DATE_CREATE'] = dayBound(filter.to, true);
  if (filter.type && filter.item) {
    rest.ENTITY_TYPE = filter.type;
    rest.ENTITY_ID = Number(filter.item);
  }
  return rest;
}

/** The first page the visitor saw on the site (the referrer, when there is one, comes before it). */
export const landingPage = (trace) => trace.PAGES.find((page) => page.IS_REF !== 'Y')?.URL ?? null;

const isFiltered = (filter) => Object.keys(restFilter(filter)).length > 0;

function Items({ entities }) {
  if (entities.length === 0) return <span class="muted">Not bound</span>;
  return <Chips values={entities.map((entity) => `${TYPE_NAMES[entity.TYPE] ?? entity.TYPE} ${entity.ID}`)} />;
}

function FirstTrace() {
  const example =
    `curl -X POST -H 'Content-Type: application/json' \\\n` +
    `  -d '{"TRACE":"{\\"url\\":\\"https://shop.example/?utm_source=google\\"}"}' \\\n` +
    `  '${location.origin}/rest/1/<webhook secret>/crm.tracking.trace.add'`;
  return (
    <section class="notice empty">
      <h2>No traces yet</h2>
      <p>
        A trace is one visitor's way to you: landing page, referrer, UTM tags and channels. Your site's tracker sends them, or
        you send one yourself with a webhook (<code>salestrace webhook add --user 1 --scope crm</code> prints its secret):
      </p>
      <pre>{example}</pre>
      <p>Reload this page afterwards and the trace appears here.</p>
    </section>
  );
}

export function Traces() {
  const [filter, setFilter] = useState(remembered);
  const [sources, setSources] = useState([]);

  useEffect(() => {
    callAll('salestrace.source.list').then(setSources, () => setSources([]));
  }, []);

  useEffect(() => {
    remembered = filter;
  }, [filter]);
  const [answer, error] = useCall(() => call('salestrace.trace.list', { filter: restFilter(filter), start: filter.page * PAGE_SIZE }), [filter]);

  function apply(event) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const value = (name) => String(form.get(name) ?? '');
    setFilter({ source: value('source'), from: value('from'), to: value('to'), type: value('type'), item: value('item'), page: 0 });
  }

  const total = answer?.total ?? 0;
  const first = filter.page * PAGE_SIZE;
  const pages = Math.max(1, Math.ceil(total / PAGE_SIZE));

  return (
    <section>
      <h1>Traces</h1>
      <form class="filters" onSubmit={apply} aria-label="Filter traces">
        <label>
          Source
          <select name="source" defaultValue={filter.source}>
            <option value="">All sources</option>
            {sources.map((source) => (
              <option key={source.ID} value={String(source.ID)} selected={String(source.ID) === filter.source}>
                {source.NAME}
              </option>
            ))}
          </select>
        </label>
        <label>
          From
          <input type="date" name="from" defaultValue={filter.from} />
        </label>
        <label>
          To
          <input type="date" name="to" defaultValue={filter.to} />
        </label>
        <label>
          Bound to
          <select name="type" defaultValue={filter.type}>
            <option value="">Any item</option>
            {ITEM_TYPES.map((type) => (
              <option key={type} value={type}>
                {TYPE_NAMES[type]}
              </option>
            ))}
          </select>
        </label>
        <label>
          Item ID
          <input name="item" inputMode="numeric" pattern="[0-9]*" size="6" defaultValue={filter.item} />
        </label>
        <div class="actions">
          <button type="submit">Apply</button>
        </div>
      </form>
      {error ? <Failure error={error} /> : null}
      {!error && !answer ? <Loading /> : null}
      {answer && answer.result.length === 0 && !isFiltered(filter) && filter.page === 0 ? <FirstTrace /> : null}
      {answer && answer.result.length === 0 && isFiltered(filter) ? (
        <p class="notice">No traces match this filter. Widen the period or choose “All sources”.</p>
      ) : null}
      {answer && answer.result.length > 0 ? (
        <>
          <p class="summary" aria-live="polite">
            Traces {formatNumber(first + 1)}–{formatNumber(first + answer.result.length)} of <span data-total>{formatNumber(total)}</span>
          </p>
          <div class="table-wrap">
            <table class="traces">
              <thead>
                <tr>
                  <th scope="col">Trace</th>
                  <th scope="col">Date</th>
                  <th scope="col">Source</th>
                  <th scope="col">Landing page</th>
                  <th scope="col">Bound to</th>
                </tr>
              </thead>
              <tbody>
                {answer.result.map((trace) => (
                  <tr key={trace.ID} data-trace-id={trace.ID}>
                    <th scope="row">
                      <a href={`#/traces/${trace.ID}`}>#{trace.ID}</a>
                    </th>
                    <td>{formatDateTime(trace.DATE_CREATE)}</td>
                    <td>{trace.SOURCE ? trace.SOURCE.NAME : `Deleted source ${trace.SOURCE_ID}`}</td>
                    <td class="url">{landingPage(trace) ?? <span class="muted">—</span>}</td>
                    <td>
                      <Items entities={trace.ENTITIES} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav class="pager" aria-label="Pages">
            <button class="secondary" disabled={filter.page === 0} onClick={() => setFilter({ ...filter, page: filter.page - 1 })}>
              Previous
            </button>
            <span>
              Page {formatNumber(filter.page + 1)} of {formatNumber(pages)}
            </span>
            <button class="secondary" disabled={answer.next === undefined} onClick={() => setFilter({ ...filter, page: filter.page + 1 })}>
              Next
            </button>
          </nav>
        </>
      ) : null}
    </section>
  );
}

function Visit({ trace, depth }) {
  const tags = Object.entries(trace.TAGS ?? {});
  return (
    <article class={depth === 0 ? 'visit' : 'visit earlier'}>
      <h2>
        {depth === 0 ? 'Visit' : 'Earlier visit'} #{trace.ID} · {formatDateTime(trace.DATE_CREATE)}
      </h2>
      <dl>
        <dt>Source</dt>
        <dd>{trace.SOURCE ? trace.SOURCE.NAME : `Deleted source ${trace.SOURCE_ID}`}</dd>
        <dt>Device</dt>
        <dd>{trace.IS_MOBILE === 'Y' ? 'Mobile' : 'Desktop'}</dd>
        <dt>Tags</dt>
        <dd>{tags.length ? <Chips values={tags.map(([name, value]) => `${name}=${value}`)} /> : <span class="muted">—</span>}</dd>
        <dt>Channels</dt>
        <dd>
          <Chips values={trace.CHANNELS.map((channel) => (channel.VALUE ? `${channel.CODE}: ${channel.VALUE}` : channel.CODE))} />
        </dd>
        <dt>Bound to</dt>
        <dd>
          <Items entities={trace.ENTITIES} />
        </dd>
      </dl>
      {trace.PAGES.length ? <h3>Pages, in order</h3> : null}
      {trace.PAGES.length ? (
        <ol class="pages">
          {trace.PAGES.map((page, index) => (
            <li key={index}>
              <span class="url">{page.URL}</span>
              {page.TITLE ? <span> — {page.TITLE}</span> : null}
              {page.IS_REF === 'Y' ? <span class="muted"> (referrer)</span> : null}
            </li>
          ))}
        </ol>
      ) : null}
      {(trace.PREVIOUS ?? []).map((previous) => (
        <Visit key={previous.ID} trace={previous} depth={depth + 1} />
      ))}
    </article>
  );
}

export function TraceDetail({ id }) {
  const [trace, error] = useCall(() => call('salestrace.trace.get', { id }).then((answer) => answer.result), [id]);
  return (
    <section>
      <p>
        <a href="#/traces">← All traces</a>
      </p>
      <h1>Trace #{id}</h1>
      {error ? <Failure error={error} /> : trace ? <Visit trace={trace} depth={0} /> : <Loading />}
    </section>
  );
}
