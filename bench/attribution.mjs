#!/usr/bin/env node
// `salestrace.report.attribution` with a million traces and 100,000 items (issue 10, item 6):
// milliseconds per report over HTTP, against the same report written by hand (one SQL statement
// (SQLite's CROSS JOIN fixing the join order) through better-sqlite3 in this process, and the same model code from dist/) on the same
// database in the same run. A latency probe: one call at a time, median of `calls` after warm-up.
//
//   npm run build && node bench/attribution.mjs [--traces 1000000] [--items 100000] [--calls 10] [--data DIR]
//
// `--data DIR` reuses a data directory seeded before (seeding a million traces takes minutes).
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { collectOutput, installExitHandlers, spawnChild } from './lib/children.mjs';
import { callRest } from './lib/rest.mjs';
import { machineInfo, processCpuSeconds } from './lib/machine.mjs';
import { median, round } from './lib/stats.mjs';
import { ROOT, currentCli, startSalestrace } from './lib/servers.mjs';
import { makeWorkDir } from './lib/workDir.mjs';

const { creditDeal, inTimeOrder, MODELS, ORGANIC, DEAL_UNITS } = await import(path.join(ROOT, 'dist/analytics/attribution/models.js'));

const LOOKBACK = 90 * 86_400;
const HALF_LIFE = 7 * 86_400;
/** Every win the seed writes: its window starts in 2025 and lasts 300 days. */
const PERIOD = { from: 1_700_000_000, to: 1_900_000_000 };

/** The report by hand: the won deals and their journeys in one statement each, then the models. */
export function handWritten(db) {
  const deals = db
    .prepare(
      `select id, moved_time, opportunity, currency_id from crm_deal
       where stage_semantic_id = 'S' and moved_time >= ? and moved_time < ? order by id`,
    )
    .all(PERIOD.from, PERIOD.to);
  const touches = db
    .prepare(
      `with w as (select id, moved_time, contact_id, company_id from crm_deal
                  where stage_semantic_id = 'S' and moved_time >= @from and moved_time < @to)
       select w.id as deal, t.id as trace, t.created_at as at, t.source_id as source
         from w cross join tracking_trace_items b on b.entity_type_id = 2 and b.entity_id = w.id
         cross join tracking_traces t on t.id = b.trace_id and t.created_at <= w.moved_time and t.created_at >= w.moved_time - @lookback
       union all
       select w.id, t.id, t.created_at, t.source_id
         from w cross join tracking_trace_items b on b.entity_type_id = 3 and b.entity_id = w.contact_id
         cross join tracking_traces t on t.id = b.trace_id and t.created_at <= w.moved_time and t.created_at >= w.moved_time - @lookback
       union all
       select w.id, t.id, t.created_at, t.source_id
         from w cross join tracking_trace_items b on b.entity_type_id = 4 and b.entity_id = w.company_id
         cross join tracking_traces t on t.id = b.trace_id and t.created_at <= w.moved_time and t.created_at >= w.moved_time - @lookback`,
    )
    .raw()
    .all({ from: PERIOD.from, to: PERIOD.to, lookback: LOOKBACK });
  const account = db.prepare(`select value from settings where name = 'analytics.account_currency'`).get()?.value ?? 'USD';
  const rates = JSON.parse(db.prepare(`select value from settings where name = 'analytics.currency_rates'`).get()?.value ?? '{}');
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
}

function timed(fn) {
  const t0 = performance.now();
  const value = fn();
  return value instanceof Promise ? value.then((v) => ({ ms: performance.now() - t0, value: v })) : { ms: performance.now() - t0, value };
}

/** Medians of the REST report and the hand-written one, alternating, after warm-up; checks they agree. */
export async function measureAttribution(server, calls, log = console.log) {
  const db = new Database(path.join(server.dataDir, 'salestrace.db'), { readonly: true });
  const params = { from: PERIOD.from, to: PERIOD.to };
  try {
    for (let i = 0; i < 2; i++) {
      await callRest(server.webhookUrl, 'salestrace.report.attribution', params);
      handWritten(db);
    }
    const rest = [];
    const hand = [];
    let answer;
    let baseline;
    const cpu0 = processCpuSeconds(server.pid);
    for (let i = 0; i < calls; i++) {
      const a = await timed(() => callRest(server.webhookUrl, 'salestrace.report.attribution', params));
      rest.push(a.ms);
      answer = a.value.result;
      const b = timed(() => handWritten(db));
      hand.push(b.ms);
      baseline = b.value;
    }
    const serverCpuMs = round(((processCpuSeconds(server.pid) - cpu0) * 1000) / calls, 1);
    if (answer.deals !== baseline.deals || answer.sum !== baseline.sum || JSON.stringify(answer.total) !== JSON.stringify(baseline.total) || answer.rows.length !== baseline.rows) {
      throw new Error(`the report and the hand-written one disagree:\n${JSON.stringify(answer.total)}\n${JSON.stringify(baseline.total)}`);
    }
    const row = {
      wonDeals: answer.deals,
      restMedianMs: round(median(rest), 1),
      restMaxMs: round(Math.max(...rest), 1),
      handMedianMs: round(median(hand), 1),
      ratio: round(median(rest) / median(hand), 2),
      serverCpuMs,
    };
    log(
      `report.attribution@1M: ${row.wonDeals} won deals; REST median ${row.restMedianMs} ms (max ${row.restMaxMs}), hand-written ${row.handMedianMs} ms, ratio ${row.ratio}; server CPU ${serverCpuMs} ms/call`,
    );
    return row;
  } finally {
    db.close();
  }
}

async function main() {
  installExitHandlers();
  const { values: flags } = parseArgs({
    options: {
      traces: { type: 'string', default: '1000000' },
      items: { type: 'string', default: '100000' },
      calls: { type: 'string', default: '10' },
      data: { type: 'string' },
    },
  });
  if (!fs.existsSync(currentCli())) throw new Error(`${currentCli()} is missing: run \`npm run build\` first`);
  let dataDir = flags.data;
  if (dataDir === undefined || !fs.existsSync(path.join(dataDir, 'salestrace.db'))) {
    dataDir ??= path.join(makeWorkDir('attribution').dir, 'salestrace');
    console.log(`seeding ${flags.traces} traces and ${flags.items} items…`);
    const t0 = performance.now();
    const child = spawnChild(process.execPath, [currentCli(), 'seed', '--data', dataDir, '--traces', flags.traces, '--items', flags.items], { cwd: ROOT });
    await collectOutput(child, 'salestrace seed');
    console.log(`seeded in ${round((performance.now() - t0) / 1000, 1)} s`);
  }
  const server = await startSalestrace('salestrace-attribution', dataDir);
  try {
    const row = await measureAttribution(server, Number(flags.calls));
    console.log(JSON.stringify({ date: new Date().toISOString(), machine: machineInfo(), ...row }, null, 2));
  } finally {
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
  process.exit(0);
}
