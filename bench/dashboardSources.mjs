#!/usr/bin/env node
// The dashboard's Sources report page on the database `salestrace seed --traces 1000000 --items
// 100000` makes (issue 11): milliseconds from navigation to the table on screen, in Debian's
// Chromium through playwright-core, and beside them the two REST calls the page makes and the
// report method alone over a webhook. A latency probe, one navigation at a time.
//
//   npm run build && node bench/dashboardSources.mjs [--traces 1000000] [--items 100000] [--runs 5] [--data DIR]
//
// Without --data it seeds a fresh data directory first (several minutes at 1M traces). The page
// opens with its default period, the last 30 days of the browser's calendar; the browser's clock
// is set to the newest seeded deal, as the seeded window ends on a fixed day.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { chromium } from 'playwright-core';
import { collectOutput, installExitHandlers, spawnChild } from './lib/children.mjs';
import { callRest } from './lib/rest.mjs';
import { machineInfo } from './lib/machine.mjs';
import { median, round } from './lib/stats.mjs';
import { ROOT, currentCli, startSalestrace } from './lib/servers.mjs';
import { makeWorkDir } from './lib/workDir.mjs';

const PASSWORD = 'bench dashboard password';

const dayText = (date) => `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;

async function main() {
  installExitHandlers();
  const { values: flags } = parseArgs({
    options: {
      traces: { type: 'string', default: '1000000' },
      items: { type: 'string', default: '100000' },
      runs: { type: 'string', default: '5' },
      data: { type: 'string' },
    },
  });
  const runs = Number(flags.runs);
  if (!fs.existsSync(currentCli())) throw new Error(`${currentCli()} is missing: run \`npm run build\` first`);
  let dataDir = flags.data;
  if (!dataDir) {
    const { dir } = makeWorkDir('dashboard-sources');
    dataDir = path.join(dir, 'salestrace');
    console.log(`seeding ${flags.traces} traces and ${flags.items} items…`);
    const child = spawnChild(process.execPath, [currentCli(), 'seed', '--data', dataDir, '--traces', flags.traces, '--items', flags.items], { cwd: ROOT });
    await collectOutput(child, 'salestrace seed');
  }
  // The first start creates the administrator; its password is set beside the running server.
  const server = await startSalestrace('salestrace-dashboard', dataDir);
  const passwd = spawnSync(process.execPath, [currentCli(), 'user', 'passwd', '1', '--stdin', '--data', dataDir], { cwd: ROOT, input: `${PASSWORD}\n`, encoding: 'utf8' });
  if (passwd.status !== 0) throw new Error(`user passwd failed: ${passwd.stderr}`);

  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox'] });
  try {
    const file = fs.readdirSync(dataDir).find((name) => name.endsWith('.db'));
    const db = new Database(path.join(dataDir, file), { readonly: true });
    const newest = db.prepare('select max(date_create) as t from crm_deal').get().t;
    db.close();
    const today = new Date(newest * 1000);
    const from = dayText(new Date(today.getFullYear(), today.getMonth(), today.getDate() - 29));
    const to = dayText(today);
    // The report method alone, as a webhook calls it (the first call warms the caches).
    const methodTimes = [];
    let answer;
    for (let i = 0; i <= runs; i++) {
      const t0 = performance.now();
      answer = await callRest(server.webhookUrl, 'salestrace.report.sources', { from, to });
      if (i > 0) methodTimes.push(performance.now() - t0);
    }
    const dailyTimes = [];
    for (let i = 0; i <= runs; i++) {
      const t0 = performance.now();
      await callRest(server.webhookUrl, 'salestrace.report.daily', { from, to });
      if (i > 0) dailyTimes.push(performance.now() - t0);
    }

    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.clock.setFixedTime(today);
    // In the page: when the document's script began, each call sent and answered, the table drawn
    // (performance.now(), which the fixed clock leaves running). Injected by the debugging
    // protocol, which the page's Content-Security-Policy does not govern.
    await context.addInitScript(() => {
      const marks = { scriptStart: performance.now(), calls: {}, table: null };
      globalThis.__dashboardMarks = marks;
      const fetch = globalThis.fetch;
      globalThis.fetch = async (url, init) => {
        const name = String(url).replace(/^.*\/(rest|app\/api)\//, '');
        const sent = performance.now();
        const response = await fetch(url, init);
        const text = await response.clone().text();
        marks.calls[name] = [Math.round(sent), Math.round(performance.now()), text.length];
        return response;
      };
      new MutationObserver(() => {
        if (marks.table === null && globalThis.document.querySelector('table.report tbody tr')) marks.table = Math.round(performance.now());
      }).observe(globalThis.document, { childList: true, subtree: true });
    });
    const page = await context.newPage();
    page.setDefaultTimeout(60_000);
    await page.goto(`${server.url}/app/`);
    await page.getByLabel('Login').fill('admin');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();

    const timings = new Map();
    page.on('request', (request) => {
      if (/\/(rest|app\/api)\//.test(request.url())) timings.set(request.url(), [performance.now(), NaN]);
    });
    page.on('requestfinished', (request) => {
      const entry = timings.get(request.url());
      if (entry) entry[1] = performance.now();
    });
    const navigations = [];
    for (let i = 0; i <= runs; i++) {
      await page.goto('about:blank');
      const t0 = performance.now();
      await page.goto(`${server.url}/app/#/report`);
      await page.locator('table.report tbody tr').first().waitFor({ state: 'visible' });
      const tableMs = performance.now() - t0;
      await page.locator('.chart canvas, .chart-empty, .notice.empty').first().waitFor({ state: 'visible' });
      const chartMs = performance.now() - t0;
      // What the page's own calls took, as seen from here (request sent to response read).
      // Each call: [sent, answered] in ms after the navigation started.
      const calls = Object.fromEntries([...timings].map(([url, [start, end]]) => [url.replace(/^.*\/(rest|app\/api)\//, ''), [round(start - t0, 0), round(end - t0, 0)]]));
      timings.clear();
      const inPage = await page.evaluate(() => globalThis.__dashboardMarks);
      if (i > 0) navigations.push({ tableMs: round(tableMs, 0), chartMs: round(chartMs, 0), calls, inPage });
    }
    const total = answer.result.total.STAGES;
    const run = {
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      period: { from, to },
      items: { leads: total.leads.quantity, deals: total.deals.quantity },
      machine: machineInfo(),
      loadAverage: os.loadavg().map((n) => round(n, 1)),
      tableMedianMs: round(median(navigations.map((n) => n.tableMs)), 0),
      tableMaxMs: Math.max(...navigations.map((n) => n.tableMs)),
      chartMedianMs: round(median(navigations.map((n) => n.chartMs)), 0),
      reportMethodMedianMs: round(median(methodTimes), 0),
      dailyMethodMedianMs: round(median(dailyTimes), 0),
      navigations,
    };
    console.log(JSON.stringify(run, null, 2));
  } finally {
    await browser.close();
    await server.stop();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await main();
  process.exit(0);
}
