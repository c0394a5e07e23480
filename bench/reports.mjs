#!/usr/bin/env node
// The analytics reports with a million traces and 100,000 items (issue 10, item 6):
// `salestrace.report.sources` and `salestrace.report.attribution`, each timed over HTTP one call at
// a time as b24jssdk sends it, alternating with the same aggregate written by hand in SQL and run
// with better-sqlite3 on the same database file in this process (the baseline). `npm run bench`
// runs both as the probes `report.sources@1M` and `report.attribution@1M` on one seeded server;
// this file holds their one timing loop, the hand-written baselines and the table.
//
//   npm run build && node bench/reports.mjs [--only sources,attribution] [--calls 15] [--data DIR]
//   npm run bench -- --only report.sources@1M,report.attribution@1M
//
// `--data DIR` seeds DIR once (if it has no database yet) and reuses it on later runs: seeding a
// million traces takes minutes. Wall times on a shared machine carry the waits for a core; the
// CPU times (the server's, read from /proc, and this process's for the baseline) do not.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { collectOutput, installExitHandlers, spawnChild } from './lib/children.mjs';
import { machineInfo, processCpuSeconds } from './lib/machine.mjs';
import { formatNumber, table } from './lib/markdown.mjs';
import { median, percentile, round } from './lib/stats.mjs';
import { ROOT, currentCli, startSalestrace } from './lib/servers.mjs';
import { makeWorkDir } from './lib/workDir.mjs';

/** The seeded database both reports run on (the seed command's --traces and --items). */
export const REPORT_SEED = { traces: 1_000_000, items: 100_000 };
/** Issue 10's targets: the median call under 500 ms, and at most 1.25 × the hand-written baseline. */
export const REPORT_TARGETS = { medianBelowMs: 500, handRatioAtMost: 1.25 };

const SDK_QUERY = 'bx24_sdk_ver=2.2.0&bx24_sdk_type=b24-js-sdk';
const SDK_HEADERS = { accept: 'application/json, text/plain, */*', 'content-type': 'application/json', 'user-agent': 'b24-js-sdk/2.2.0' };

/** One call as b24jssdk sends it (POST, JSON body, its query and headers); the parsed body. */
async function sdkCall(server, method, params, i) {
  const url = `${server.webhookUrl}${method}?bx24_request_id=bench${String(i).padStart(4, '0')}-report&${SDK_QUERY}`;
  const response = await fetch(url, { method: 'POST', headers: SDK_HEADERS, body: JSON.stringify(params) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${method}: HTTP ${response.status} ${text.slice(0, 300)}`);
  const body = JSON.parse(text);
  if (body.error) throw new Error(`${method}: ${text.slice(0, 300)}`);
  return body;
}

// ---- dates of the source report (the server's zone, as the report's days are) ----------------
function day(seconds) {
  const d = new Date(seconds * 1000);
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}
function midnight(text) {
  const [y, m, d] = text.split('-').map(Number);
  return Math.floor(new Date(y, m - 1, d).getTime() / 1000);
}
function addDays(text, days) {
  const [y, m, d] = text.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/**
 * salestrace.report.sources by hand: items of a period by their newest binding's source, the
 * expenses, the traces of the custom sources; for the period and the one before it. The period
 * is the last 30 days of the seeded window, as the default period is on a live portal.
 */
function sourcesReport(db) {
  const newest = db.prepare('select max(date_create) as t from crm_deal').get().t;
  const to = day(newest);
  const from = addDays(to, -29);
  const prevFrom = addDays(from, -30);
  const items = db.prepare(`
    select k, cur, kind, count(*) as n, sum(cents) as cents, sum(won) as won, sum(won * cents) as won_cents from (
      select coalesce((select t.source_id from tracking_trace_items b join tracking_traces t on t.id = b.trace_id
                       where b.id = (select max(ti.id) from tracking_trace_items ti where ti.entity_type_id = 1 and ti.entity_id = l.id)), 0) as k,
             l.currency_id as cur, 'L' as kind,
             case when upper(coalesce(l.currency_id, '')) in ('', 'USD') then round(coalesce(l.opportunity, 0) * 100) else null end as cents, 0 as won
      from crm_lead l where l.date_create >= ? and l.date_create < ?
      union all
      select coalesce((select t.source_id from tracking_trace_items b join tracking_traces t on t.id = b.trace_id
                       where b.id = (select max(ti.id) from tracking_trace_items ti where ti.entity_type_id = 2 and ti.entity_id = d.id)), 0),
             d.currency_id, 'D',
             case when upper(coalesce(d.currency_id, '')) in ('', 'USD') then round(coalesce(d.opportunity, 0) * 100) else null end,
             case when d.stage_semantic_id = 'S' then 1 else 0 end
      from crm_deal d where d.date_create >= ? and d.date_create < ?
    ) group by k, cur, kind`);
  const expenses = db.prepare(`
    select source_id, currency_id, sum(expenses_cents), sum(actions), sum(impressions), sum(case when type_id = 0 then expenses_cents else 0 end)
    from analytics_expenses where date_stat >= ? and date_stat <= ? group by source_id, currency_id`);
  const custom = db.prepare('select id from tracking_sources where code is null and active = 1').all().map((r) => r.id);
  const traces = db.prepare(`select source_id, count(*) from tracking_traces where source_id in (${custom.map(() => '?').join(',')}) and created_at >= ? and created_at < ? group by source_id`);
  const any = db.prepare('select id from analytics_expenses limit 1');
  return {
    method: 'salestrace.report.sources',
    params: { from, to },
    about: `the last 30 days of the seeded window (${from} … ${to}) and the 30 before them`,
    hand() {
      any.get();
      let leads = 0;
      let deals = 0;
      for (const [f, t, current] of [[from, to, true], [prevFrom, addDays(from, -1), false]]) {
        const start = midnight(f);
        const end = midnight(addDays(t, 1));
        for (const row of items.all(start, end, start, end)) {
          if (!current) continue;
          if (row.kind === 'L') leads += row.n;
          else deals += row.n;
        }
        expenses.raw().all(f, t);
        traces.raw().all(...custom, start, end);
      }
      return { leads, deals };
    },
    check(body, hand) {
      const total = body.result.total.STAGES;
      if (total.leads.quantity !== hand.leads || total.deals.quantity !== hand.deals) {
        throw new Error(`report.sources and the hand-written one disagree: ${JSON.stringify({ leads: total.leads.quantity, deals: total.deals.quantity })} vs ${JSON.stringify(hand)}`);
      }
      return `${formatNumber(hand.leads)} leads, ${formatNumber(hand.deals)} deals`;
    },
  };
}

/** Every win the seed writes: its window starts in 2025 and lasts 300 days. */
const ATTRIBUTION_PERIOD = { from: 1_700_000_000, to: 1_900_000_000 };
const LOOKBACK = 90 * 86_400;
const HALF_LIFE = 7 * 86_400;

/**
 * salestrace.report.attribution by hand: the won deals and their journeys in one statement each
 * (SQLite's CROSS JOIN fixing the join order, each trace's time and source read from the narrow
 * index the server reads them from), then the same model code from dist/.
 */
async function attributionReport(db) {
  const { creditDeal, inTimeOrder, MODELS, ORGANIC, DEAL_UNITS } = await import(path.join(ROOT, 'dist/analytics/attribution/models.js'));
  const dealsOf = db.prepare(`select id, moved_time, opportunity, currency_id from crm_deal
                              where stage_semantic_id = 'S' and moved_time >= ? and moved_time < ? order by id`);
  const touchesOf = db
    .prepare(
      `with w as (select id, moved_time, contact_id, company_id from crm_deal
                  where stage_semantic_id = 'S' and moved_time >= @from and moved_time < @to)
       select w.id as deal, t.id as trace, t.created_at as at, t.source_id as source
         from w cross join tracking_trace_items b on b.entity_type_id = 2 and b.entity_id = w.id
         cross join tracking_traces t indexed by tracking_traces_id_time_source on t.id = b.trace_id and t.created_at <= w.moved_time and t.created_at >= w.moved_time - @lookback
       union all
       select w.id, t.id, t.created_at, t.source_id
         from w cross join tracking_trace_items b on b.entity_type_id = 3 and b.entity_id = w.contact_id
         cross join tracking_traces t indexed by tracking_traces_id_time_source on t.id = b.trace_id and t.created_at <= w.moved_time and t.created_at >= w.moved_time - @lookback
       union all
       select w.id, t.id, t.created_at, t.source_id
         from w cross join tracking_trace_items b on b.entity_type_id = 4 and b.entity_id = w.company_id
         cross join tracking_traces t indexed by tracking_traces_id_time_source on t.id = b.trace_id and t.created_at <= w.moved_time and t.created_at >= w.moved_time - @lookback`,
    )
    .raw();
  const accountOf = db.prepare(`select value from settings where name = 'analytics.account_currency'`);
  const ratesOf = db.prepare(`select value from settings where name = 'analytics.currency_rates'`);
  return {
    method: 'salestrace.report.attribution',
    params: ATTRIBUTION_PERIOD,
    about: 'every won deal of the seeded window, 90-day lookback, all six models',
    hand() {
      const deals = dealsOf.all(ATTRIBUTION_PERIOD.from, ATTRIBUTION_PERIOD.to);
      const touches = touchesOf.all({ ...ATTRIBUTION_PERIOD, lookback: LOOKBACK });
      const account = accountOf.get()?.value ?? 'USD';
      const rates = JSON.parse(ratesOf.get()?.value ?? '{}');
      const byDeal = new Map();
      for (const [deal, trace, at, source] of touches) {
        let list = byDeal.get(deal);
        if (!list) byDeal.set(deal, (list = new Map()));
        list.set(trace, { traceId: trace, at, sourceId: source ?? ORGANIC });
      }
      const totals = new Map();
      let cents = 0;
      for (const deal of deals) {
        const code = (deal.currency_id ?? '').toUpperCase();
        const rate = code === '' || code === account ? 1 : rates[code];
        const amount = rate === undefined ? null : Math.round(deal.opportunity * rate * 100);
        if (amount !== null) cents += amount;
        const credits = creditDeal(inTimeOrder([...(byDeal.get(deal.id)?.values() ?? [])]), deal.moved_time, amount, { halfLifeSeconds: HALF_LIFE });
        for (const model of MODELS) {
          for (const [source, credit] of credits[model]) {
            const key = `${source}:${model}`;
            const row = totals.get(key) ?? { units: 0, cents: 0 };
            row.units += credit.units;
            row.cents += credit.cents;
            totals.set(key, row);
          }
        }
      }
      const total = Object.fromEntries(
        MODELS.map((model) => {
          let units = 0;
          let money = 0;
          for (const [key, row] of totals) if (key.endsWith(`:${model}`)) (units += row.units), (money += row.cents);
          return [model, { deals: units / DEAL_UNITS, sum: money / 100 }];
        }),
      );
      return { deals: deals.length, sum: cents / 100, total, rows: new Set([...totals.keys()].map((key) => key.split(':')[0])).size };
    },
    check(body, hand) {
      const answer = body.result;
      if (answer.deals !== hand.deals || answer.sum !== hand.sum || JSON.stringify(answer.total) !== JSON.stringify(hand.total) || answer.rows.length !== hand.rows) {
        throw new Error(`report.attribution and the hand-written one disagree:\n${JSON.stringify(answer.total)}\n${JSON.stringify(hand.total)}`);
      }
      return `${formatNumber(hand.deals)} won deals, ${hand.rows} sources`;
    },
  };
}

export const REPORTS = { sources: sourcesReport, attribution: attributionReport };

const cpuMs = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1000;
};

/**
 * The one timing loop: `calls` REST calls through the server, each followed by one run of the
 * hand-written baseline on the same file, after `warmup` of each; wall ms (median, p90, max) of
 * both, the server's CPU ms per call and the baseline's, and the answers checked against each other.
 */
export async function measureReport(server, kind, { calls = 15, warmup = 3, log = console.log } = {}) {
  const db = new Database(path.join(server.dataDir, 'salestrace.db'), { readonly: true });
  try {
    const report = await REPORTS[kind](db);
    let i = 0;
    for (let w = 0; w < warmup; w++) {
      await sdkCall(server, report.method, report.params, i++);
      report.hand();
    }
    const rest = [];
    const hand = [];
    let restCpu = 0;
    let handCpu = 0;
    let body;
    let baseline;
    for (let c = 0; c < calls; c++) {
      const cpu0 = processCpuSeconds(server.pid);
      let t0 = performance.now();
      body = await sdkCall(server, report.method, report.params, i++);
      rest.push(performance.now() - t0);
      restCpu += (processCpuSeconds(server.pid) - cpu0) * 1000;
      const own0 = cpuMs();
      t0 = performance.now();
      baseline = report.hand();
      hand.push(performance.now() - t0);
      handCpu += cpuMs() - own0;
    }
    const answered = report.check(body, baseline);
    const sorted = (list) => [...list].sort((a, b) => a - b);
    const row = {
      report: kind,
      method: report.method,
      about: report.about,
      answered,
      calls,
      restMs: { median: round(median(rest), 1), p90: round(percentile(sorted(rest), 90), 1), max: round(Math.max(...rest), 1) },
      handMs: { median: round(median(hand), 1), p90: round(percentile(sorted(hand), 90), 1), max: round(Math.max(...hand), 1) },
      ratio: round(median(rest) / median(hand), 2),
      serverCpuMsPerCall: round(restCpu / calls, 1),
      handCpuMsPerCall: round(handCpu / calls, 1),
      cpuRatio: round(restCpu / handCpu, 2),
      loadAverage: round(Number(fs.readFileSync('/proc/loadavg', 'utf8').split(' ')[0]), 2),
    };
    log(
      `${report.method}: ${answered}; REST median ${row.restMs.median} ms (p90 ${row.restMs.p90}), hand SQL ${row.handMs.median} ms (p90 ${row.handMs.p90}), ` +
        `ratio ${row.ratio}; CPU per call: server ${row.serverCpuMsPerCall} ms, hand ${row.handCpuMsPerCall} ms (${row.cpuRatio}×); load ${row.loadAverage}`,
    );
    return row;
  } finally {
    db.close();
  }
}

/** Whether a measured row meets the targets, by wall time (the issue's) and by CPU time. */
export function reportVerdict(row, targets = REPORT_TARGETS) {
  return {
    medianMet: row.restMs.median < targets.medianBelowMs,
    ratioMet: row.ratio <= targets.handRatioAtMost,
    cpuMet: row.serverCpuMsPerCall < targets.medianBelowMs,
    cpuRatioMet: row.cpuRatio <= targets.handRatioAtMost,
  };
}

export function reportsMarkdown(run, rows) {
  const yes = (met) => (met ? 'met' : '**missed**');
  return [
    `Run of ${run.date}: ${formatNumber(REPORT_SEED.traces)} traces and ${formatNumber(REPORT_SEED.items)} items seeded, ${rows[0]?.calls ?? 0} calls per report after 3 warm-up calls, one at a time, each followed by the hand-written baseline on the same file.`,
    `Machine: ${run.machine.cpu ?? ''}, ${run.machine.cores ?? ''} cores, Node ${run.machine.node ?? process.version}; load average ${rows.map((r) => r.loadAverage).join(' / ')} while measuring.`,
    '',
    table(
      ['Report', 'answer', 'REST median / p90 ms', 'hand SQL median / p90 ms', 'ratio', 'CPU ms per call: server / hand', 'CPU ratio', '< 500 ms', '≤ 1.25×'],
      rows.map((r) => {
        const v = reportVerdict(r);
        return [
          `\`${r.method}\``,
          r.answered,
          `${formatNumber(r.restMs.median, 1)} / ${formatNumber(r.restMs.p90, 1)}`,
          `${formatNumber(r.handMs.median, 1)} / ${formatNumber(r.handMs.p90, 1)}`,
          `${formatNumber(r.ratio, 2)}×`,
          `${formatNumber(r.serverCpuMsPerCall, 1)} / ${formatNumber(r.handCpuMsPerCall, 1)}`,
          `${formatNumber(r.cpuRatio, 2)}×`,
          `wall ${yes(v.medianMet)}, CPU ${yes(v.cpuMet)}`,
          `wall ${yes(v.ratioMet)}, CPU ${yes(v.cpuRatioMet)}`,
        ];
      }),
    ),
  ].join('\n');
}

/** Seeds `dataDir` unless it holds a database already; the seconds it took, or null when reused. */
export async function seedReports(dataDir, seed = REPORT_SEED, log = console.log) {
  if (fs.existsSync(path.join(dataDir, 'salestrace.db'))) return null;
  log(`seeding ${seed.traces} traces and ${seed.items} items…`);
  const t0 = performance.now();
  const child = spawnChild(process.execPath, [currentCli(), 'seed', '--data', dataDir, '--traces', String(seed.traces), '--items', String(seed.items)], { cwd: ROOT });
  await collectOutput(child, 'salestrace seed');
  const seconds = round((performance.now() - t0) / 1000, 1);
  log(`seeded in ${seconds} s`);
  return seconds;
}

export async function main(argv = process.argv.slice(2)) {
  installExitHandlers();
  const { values: flags } = parseArgs({
    args: argv,
    options: {
      only: { type: 'string', default: 'sources,attribution' },
      calls: { type: 'string', default: '15' },
      data: { type: 'string' },
      'node-args': { type: 'string', default: '' },
    },
  });
  const kinds = flags.only.split(',').map((s) => s.trim());
  for (const kind of kinds) if (!REPORTS[kind]) throw new Error(`no report "${kind}" (sources, attribution)`);
  if (!fs.existsSync(currentCli())) throw new Error(`${currentCli()} is missing: run \`npm run build\` first`);
  const dataDir = flags.data ? path.resolve(flags.data) : path.join(makeWorkDir('reports').dir, 'salestrace');
  await seedReports(dataDir);
  const nodeArgs = flags['node-args'].split(' ').filter(Boolean);
  const server = await startSalestrace('salestrace-reports', dataDir, { nodeArgs });
  try {
    const rows = [];
    for (const kind of kinds) rows.push(await measureReport(server, kind, { calls: Number(flags.calls) }));
    const run = { date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'), machine: machineInfo() };
    console.log(`\n${reportsMarkdown(run, rows)}`);
    console.log(JSON.stringify({ ...run, rows }, null, 2));
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
  process.exit(0);
}
