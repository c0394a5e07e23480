// Ad levels: one source's campaigns, a campaign's ad groups, an ad group's keywords
// (salestrace.report.levels, sales-intelligence.md §4.3) with the level report's columns, for a
// period. A row with a next level opens it; the trail above the table goes back up.
// Administrators only, as the report is.
import { useEffect, useState } from 'preact/hooks';
import { call, callAll } from '../api.js';
import { Failure, Loading } from '../components.jsx';
import { AdminOnly } from '../components/AdminOnly.jsx';
import { PeriodPicker } from '../components/PeriodPicker.jsx';
import { lastDays } from '../period.js';
import { formatMoney, formatNumber, formatPercent } from '../format.js';

const LEVEL_NAMES = { 0: 'Campaign', 1: 'Ad group', 100: 'Keyword' };
const CHILDREN = { 0: 'ad groups', 1: 'keywords' };
export const ROI_SCALE = { 2: 'good', 1: 'normal', 0: 'none', '-1': 'bad' };

/** The choice survives a visit to another page and back. */
let remembered = { sourceId: '', ...lastDays(30), trail: [] };

const rowName = (row) => row.title || row.code;

function LevelTable({ answer, onOpen }) {
  const currency = answer.currency;
  const money = (value) => formatMoney(value, currency);
  return (
    <div class="table-wrap" tabIndex={0} role="region" aria-label={`${LEVEL_NAMES[answer.level] ?? 'Level'} figures`}>
      <table class="levels">
        <thead>
          <tr>
            <th scope="col">{LEVEL_NAMES[answer.level] ?? 'Row'}</th>
            <th scope="col" class="num">Impressions</th>
            <th scope="col" class="num">Clicks</th>
            <th scope="col" class="num">Spend</th>
            <th scope="col" class="num">CTR</th>
            <th scope="col" class="num">CPC</th>
            <th scope="col" class="num">Leads</th>
            <th scope="col" class="num">Deals</th>
            <th scope="col" class="num">Won deals</th>
            <th scope="col" class="num">Income</th>
            <th scope="col" class="num">Cost per won deal</th>
            <th scope="col" class="num">ROI</th>
          </tr>
        </thead>
        <tbody>
          {answer.rows.map((row) => (
            <tr key={row.id} data-row-id={row.id} class={row.enabled ? '' : 'archived'}>
              <th scope="row">
                {row.nextLevel === null ? (
                  rowName(row)
                ) : (
                  <button class="link" onClick={() => onOpen(row)} aria-label={`${rowName(row)}: open its ${CHILDREN[row.level]}`}>
                    {rowName(row)}
                  </button>
                )}
                <small>
                  {row.title ? `${row.code} · ` : ''}
                  {row.enabled ? 'enabled' : 'paused'}
                </small>
              </th>
              <td class="num">{formatNumber(row.impressions)}</td>
              <td class="num">{formatNumber(row.actions)}</td>
              <td class="num">{money(row.outcome)}</td>
              <td class="num">{formatPercent(row.ctr)}</td>
              <td class="num">{row.cpc === null ? '—' : money(row.cpc)}</td>
              <td class="num">{formatNumber(row.leads)}</td>
              <td class="num">{formatNumber(row.deals)}</td>
              <td class="num">{formatNumber(row.successDeals)}</td>
              <td class="num">{money(row.income)}</td>
              <td class="num">{row.cost === null ? '—' : money(row.cost)}</td>
              <td class="num">
                <span class={`roi roi-${ROI_SCALE[row.roiScale]}`}>{formatPercent(row.roi)}</span>
                <small>{ROI_SCALE[row.roiScale]}</small>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NoRows({ level, source }) {
  if (level !== 0) return <p class="notice">Nothing at this level in this period.</p>;
  return (
    <section class="notice empty">
      <h2>No campaigns for {source} yet</h2>
      <p>
        Campaigns, ad groups and keywords come from an advertising export: import its CSV (date, campaign, ad_group, keyword,
        impressions, clicks, cost) on the <a href="#/expenses">Expenses</a> page. Visits tagged with the campaign's codes (for
        example <code>utm_campaign=summer_1000001</code>, <code>utm_term=kwid-3000001</code>) are then counted against them.
        Levels exist for Google Ads, Facebook and Instagram.
      </p>
    </section>
  );
}

export function Levels({ user }) {
  const [choice, setChoice] = useState(remembered);
  const [sources, setSources] = useState(null);
  const [answer, setAnswer] = useState(null);
  const [error, setError] = useState(null);
  const admin = user.IS_ADMIN;

  useEffect(() => {
    if (!admin) return;
    callAll('salestrace.source.list').then((all) => {
      const usable = all.filter((source) => source.ID > 0);
      setSources(usable);
      // The first advertising source with levels (Google Ads by default), else the first one.
      if (choice.sourceId === '' && usable.length > 0) {
        const first = usable.find((source) => ['google', 'fb', 'instagram'].includes(source.CODE)) ?? usable[0];
        setChoice((current) => ({ ...current, sourceId: String(first.ID) }));
      }
    }, setError);
  }, []);

  const parent = choice.trail[choice.trail.length - 1];
  useEffect(() => {
    remembered = choice;
    if (!admin || choice.sourceId === '') return;
    setError(null);
    setAnswer(null);
    const params = { sourceId: choice.sourceId, from: choice.from, to: choice.to, level: parent ? parent.nextLevel : 'campaign' };
    if (parent) params.parentId = parent.id;
    call('salestrace.report.levels', params).then((reply) => setAnswer(reply.result), setError);
  }, [choice]);

  if (!admin) return (
    <section>
      <h1>Ad levels</h1>
      <AdminOnly what="The ad level report shows spend and income, so it is for administrators." />
    </section>
  );

  function apply(event) {
    event.preventDefault();
    const form = event.currentTarget;
    if (!form.checkValidity()) return;
    const data = new FormData(form);
    const sourceId = String(data.get('sourceId'));
    const from = String(data.get('from'));
    const to = String(data.get('to'));
    // Another source starts again from its campaigns.
    setChoice({ sourceId, from, to, trail: sourceId === choice.sourceId ? choice.trail : [] });
  }

  const source = sources?.find((candidate) => String(candidate.ID) === choice.sourceId);
  const sourceName = source ? source.NAME : `Source ${choice.sourceId}`;

  return (
    <section>
      <h1>Ad levels</h1>
      <p class="muted">
        Spend, clicks and results per campaign, ad group and keyword of an advertising source. Open a campaign for its ad groups,
        and an ad group for its keywords.
      </p>
      {sources === null && !error ? <Loading /> : null}
      {sources ? (
        <form class="filters" onSubmit={apply} onChange={apply} aria-label="Report settings">
          <label>
            Source
            <select name="sourceId" value={choice.sourceId}>
              {sources.map((candidate) => (
                <option key={candidate.ID} value={String(candidate.ID)}>
                  {candidate.NAME}
                </option>
              ))}
            </select>
          </label>
          <PeriodPicker from={choice.from} to={choice.to} />
          <div class="actions">
            <button type="submit">Apply</button>
          </div>
        </form>
      ) : null}
      {sources ? (
        <nav class="trail" aria-label="Level">
          <ol>
            <li>
              {choice.trail.length === 0 ? (
                <span aria-current="page">{sourceName}: campaigns</span>
              ) : (
                <button class="link" onClick={() => setChoice({ ...choice, trail: [] })}>
                  {sourceName}: campaigns
                </button>
              )}
            </li>
            {choice.trail.map((step, index) => (
              <li key={step.id}>
                {index === choice.trail.length - 1 ? (
                  <span aria-current="page">
                    {step.name}: {CHILDREN[step.level]}
                  </span>
                ) : (
                  <button class="link" onClick={() => setChoice({ ...choice, trail: choice.trail.slice(0, index + 1) })}>
                    {step.name}: {CHILDREN[step.level]}
                  </button>
                )}
              </li>
            ))}
          </ol>
        </nav>
      ) : null}
      {error ? <Failure error={error} /> : null}
      {sources && sources.length === 0 ? <p class="notice">No sources. Add one on the <a href="#/sources">Sources</a> page.</p> : null}
      {!error && sources && sources.length > 0 && !answer ? <Loading /> : null}
      {answer && answer.rows.length === 0 ? <NoRows level={answer.level} source={sourceName} /> : null}
      {answer && answer.rows.length > 0 ? (
        <LevelTable
          answer={answer}
          onOpen={(row) => setChoice({ ...choice, trail: [...choice.trail, { id: row.id, level: row.level, nextLevel: row.nextLevel, name: rowName(row) }] })}
        />
      ) : null}
    </section>
  );
}
