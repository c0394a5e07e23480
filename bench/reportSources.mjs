#!/usr/bin/env node
// `salestrace.report.sources` with a million traces and 100,000 items (issue 10): milliseconds
// per report over HTTP, against the same aggregate hand-written in SQL and run with
// better-sqlite3 on the same database file in the same run (the baseline). A latency probe, one
// call at a time, alternating the two so a busy moment of a shared machine hits both.
//
//   npm run build && node bench/reportSources.mjs [--traces 1000000] [--items 100000] [--calls 15] [--data DIR]
//
// `salestrace seed` fills a fresh data directory (items spread over 300 days, every trace bound,
// expense packs for every source); the report covers the last 30 days of the seeded window and
// the 30 before them, as the default period does on a live portal.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { collectOutput, installExitHandlers, spawnChild } from './lib/children.mjs';
import { callRest } from './lib/rest.mjs';
import { machineInfo } from './lib/machine.mjs';
import { median, round } from './lib/stats.mjs';
import { ROOT, currentCli, startSalestrace } from './lib/servers.mjs';
import { makeWorkDir } from './lib/workDir.mjs';

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
  const t = new Date(Date.UTC(y, m - 1, d + days));
  return t.toISOString().slice(0, 10);
}

/** The report's statements written by hand: items by newest binding's source, expenses, and traces of the custom sources. */
function baseline(db) {
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
  return (from, to, prevFrom) => {
    any.get();
    for (const [f, t] of [[from, to], [prevFrom, addDays(from, -1)]]) {
      const start = midnight(f);
      const end = midnight(addDays(t, 1));
      items.all(start, end, start, end);
      expenses.all(f, t);
      traces.all(...custom, start, end);
    }
  };
}

async function main() {
  installExitHandlers();
  const { values: flags } = parseArgs({
    options: {
      traces: { type: 'string', default: '1000000' },
      items: { type: 'string', default: '100000' },
      calls: { type: 'string', default: '15' },
      data: { type: 'string' },
    },
  });
  const calls = Number(flags.calls);
  if (!fs.existsSync(currentCli())) throw new Error(`${currentCli()} is missing: run \`npm run build\` first`);
  let dataDir = flags.data;
  if (!dataDir) {
    const { dir } = makeWorkDir('report-sources');
    dataDir = path.join(dir, 'salestrace');
    console.log(`seeding ${flags.traces} traces and ${flags.items} items…`);
    const child = spawnChild(process.execPath, [currentCli(), 'seed', '--data', dataDir, '--traces', flags.traces, '--items', flags.items], { cwd: ROOT });
    await collectOutput(child, 'salestrace seed');
  }
  const file = path.join(dataDir, 'salestrace.db');
  const db = new Database(fs.existsSync(file) ? file : path.join(dataDir, fs.readdirSync(dataDir).find((f) => f.endsWith('.db'))), { readonly: true });
  const newest = db.prepare('select max(date_create) as t from crm_deal').get().t;
  const to = day(newest);
  const from = addDays(to, -29);
  const prevFrom = addDays(from, -30);
  const hand = baseline(db);
  const server = await startSalestrace('salestrace-report', dataDir);
  try {
    const report = () => callRest(server.webhookUrl, 'salestrace.report.sources', { from, to });
    for (let i = 0; i < 3; i++) {
      await report();
      hand(from, to, prevFrom);
    }
    const served = [];
    const handTimes = [];
    let answer;
    for (let i = 0; i < calls; i++) {
      let t0 = performance.now();
      answer = await report();
      served.push(performance.now() - t0);
      t0 = performance.now();
      hand(from, to, prevFrom);
      handTimes.push(performance.now() - t0);
    }
    const total = answer.result.total.STAGES;
    const run = {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      period: { from, to },
      items: { leads: total.leads.quantity, deals: total.deals.quantity },
      machine: machineInfo(),
      reportMedianMs: round(median(served), 1),
      reportMaxMs: round(Math.max(...served), 1),
      baselineMedianMs: round(median(handTimes), 1),
      ratio: round(median(served) / median(handTimes), 2),
    };
    console.log(JSON.stringify(run, null, 2));
  } finally {
    db.close();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
  process.exit(0);
}
