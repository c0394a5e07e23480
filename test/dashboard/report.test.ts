// The Sources report page in a real browser against a server seeded with known leads, deals,
// bindings and spend: the table shows the figures salestrace.report.sources gives for the period
// the page asked for, with the reference's ROI colours and the changes; the CSV holds the same
// figures; another period changes the table; the chart draws the sources that have leads; a user
// who is not an administrator gets the no-access page, as REST refuses them. The period and the
// source live in the address: a link opens them, a reload keeps them, the back button returns to
// the view before, bad values fall back to the defaults; and an answer for settings the page has
// left, arriving after the current one, is dropped.
import fs from 'node:fs';
import path from 'node:path';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { localMidnight } from '../../src/analytics/days.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { ok, userWithGrants, type TestUser } from '../crm/helpers.js';
import { ADMIN_PASSWORD, loginOf, withPassword } from './helpers.js';
import { ARTIFACTS, expectAccessible, holdAnswers, LOCALE, openPage, screenshots, signIn, TrackedSessions, type Session } from './browser.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 180_000 });

let server: TestServer;
let base: string;
let limited: TestUser & { login: string };
let partnerId = 0;
const sessions = new TrackedSessions();
const PARTNER = 'Partner "A", EU';

/** Today and other days in the browser's calendar (UTC in these tests), as YYYY-MM-DD. */
const dayOf = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

async function rest(method: string, params: unknown = {}, user?: TestUser): Promise<any> {
  const answer = await callJson(server, method, params, user?.base);
  expect(answer.status, answer.text).toBe(200);
  return answer.body.result;
}

/** A lead or deal created at noon of a day `daysAgo` back, bound to a trace with this utm_source (or none). */
async function item(type: 'lead' | 'deal', daysAgo: number, utm: string | null, fields: Record<string, unknown> = {}): Promise<void> {
  const id = await ok(server, `crm.${type}.add`, { fields: { TITLE: `${type} ${daysAgo}`, CURRENCY_ID: 'USD', ...fields } });
  const noon = localMidnight(dayOf(daysAgo)) + 12 * 3600;
  await server.services.db.updateTable(type === 'lead' ? 'crm_lead' : 'crm_deal').set({ date_create: noon }).where('id', '=', id).execute();
  if (utm === null) return;
  const trace = await ok(server, 'crm.tracking.trace.add', {
    TRACE: JSON.stringify({ url: 'https://shop.example/', tags: { list: { utm_source: utm } } }),
    ENTITIES: [{ TYPE: type.toUpperCase(), ID: id }],
  });
  await server.services.db.updateTable('tracking_traces').set({ created_at: noon }).where('id', '=', trace).execute();
}

beforeAll(async () => {
  server = await startTestServer();
  base = server.httpsUrl;
  await withPassword(server, 1, ADMIN_PASSWORD);
  const user = await userWithGrants(server, { DEAL: { READ: 'ALL' }, LEAD: { READ: 'ALL' } });
  await withPassword(server, user.id, 'limited password');
  limited = { ...user, login: await loginOf(server, user.id) };
  await ok(server, 'salestrace.source.update', { id: 1, fields: { UTM_SOURCE: ['google'] } });
  partnerId = await ok(server, 'salestrace.source.add', { fields: { NAME: PARTNER, UTM_SOURCE: ['partner'] } });
  // This period (last 30 days): Google 4 leads, 2 deals (one won, 900), Partner 2 leads and a won deal (150), organic 1 lead.
  for (const ago of [2, 5, 10, 20]) await item('lead', ago, 'google', { OPPORTUNITY: 10 });
  await item('deal', 3, 'google', { OPPORTUNITY: 900, STAGE_ID: 'WON' });
  await item('deal', 12, 'google', { OPPORTUNITY: 400 });
  await item('lead', 1, 'partner');
  await item('lead', 15, 'partner');
  await item('deal', 4, 'partner', { OPPORTUNITY: 150, STAGE_ID: 'WON' });
  await item('lead', 6, null);
  // The previous 30 days: Google 2 leads and a won deal (300).
  for (const ago of [35, 40]) await item('lead', ago, 'google');
  await item('deal', 45, 'google', { OPPORTUNITY: 300, STAGE_ID: 'WON' });
  // Spend: Google 600 over the last 30 days and 200 before; Partner 400 (its ROI is below 0).
  await ok(server, 'salestrace.expense.add', { sourceId: 1, from: dayOf(29), to: dayOf(0), sum: 600, currency: 'USD', actions: 120 });
  await ok(server, 'salestrace.expense.add', { sourceId: 1, from: dayOf(59), to: dayOf(30), sum: 200, currency: 'USD', actions: 50 });
  await ok(server, 'salestrace.expense.add', { sourceId: partnerId, from: dayOf(8), to: dayOf(8), sum: 400, currency: 'USD' });
  await sessions.launch();
}, 120_000);

afterAll(async () => {
  await sessions.close();
  await server?.close();
});

function session(width?: number): Promise<Session> {
  return sessions.open(width);
}

const numbers = new Intl.NumberFormat(LOCALE);
const money = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2 });
const signed = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 2, signDisplay: 'exceptZero' });
const STAGE_LABELS: Record<string, [string, string]> = { actions: ['Clicks', 'click'], leads: ['Leads', 'lead'], deals: ['Deals', 'deal'], 'deals-success': ['Won deals', 'won deal'] };

/** The table's columns as the report defines them, written out here from the answer's stages. */
function columnsOf(report: any) {
  const columns: { label: string; kind: 'money' | 'count' | 'percent'; value: (row: any) => number | null; change?: (row: any) => number | null }[] = [
    { label: 'Spend', kind: 'money', value: (row) => row.COSTS },
    { label: 'Impressions', kind: 'count', value: (row) => row.VIEWS },
  ];
  for (const stage of report.stages) {
    columns.push({ label: STAGE_LABELS[stage][0], kind: 'count', value: (row) => row.STAGES[stage].quantity, change: (row) => row.STAGES[stage].quantityChanging });
    columns.push({ label: `Cost per ${STAGE_LABELS[stage][1]}`, kind: 'money', value: (row) => row.STAGES[stage].cost, change: (row) => row.STAGES[stage].costChanging });
  }
  columns.push({ label: 'Revenue', kind: 'money', value: (row) => row.STAGES['deals-success'].sum });
  columns.push({ label: 'Conversion, %', kind: 'percent', value: (row) => row.CONVERSION });
  columns.push({ label: 'ROI, %', kind: 'percent', value: (row) => row.ROI });
  return columns;
}

const allRows = (report: any) => [...report.rows, report.advertising, report.total];

function expectedCells(report: any): string[][] {
  const columns = columnsOf(report);
  const format = (kind: string, value: number) => (kind === 'money' ? money.format(value) : kind === 'percent' ? percent.format(value) : numbers.format(value));
  return allRows(report).map((row) => [
    row.NAME,
    ...columns.map((column) => {
      const value = column.value(row);
      const shown = value === null ? '—' : format(column.kind, value);
      const change = column.change?.(row) ?? null;
      if (change === null) return shown;
      return `${shown} ${change > 0 ? '▲ ' : change < 0 ? '▼ ' : ''}${signed.format(change)}%`;
    }),
  ]);
}

async function tableCells(page: Page): Promise<string[][]> {
  return page.locator('table.report tbody tr, table.report tfoot tr').evaluateAll((rows: any[]) =>
    rows.map((row) => [...row.children].map((cell: any) => cell.innerText.replace(/\s+/g, ' ').trim())),
  );
}

/** The parameters of the page's last salestrace.report.sources call. */
function lastReportCall(requests: Request[]): any {
  const calls = requests.filter((request) => request.url().endsWith('/rest/salestrace.report.sources.json'));
  return JSON.parse(calls[calls.length - 1].postData()!);
}

/** RFC 4180 parsing, enough for the page's file. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(cell), (cell = '');
    else if (c === '\r' && text[i + 1] === '\n') row.push(cell), rows.push(row), (row = []), (cell = ''), i++;
    else cell += c;
  }
  return rows;
}

describe('the Sources report page', () => {
  let admin: Session;
  let requests: Request[];
  let last30: any;

  beforeAll(async () => {
    admin = await session();
    requests = [];
    admin.page.on('request', (request) => requests.push(request));
    await signIn(admin.page, base, 'admin', ADMIN_PASSWORD);
  });

  it('shows the last 30 days as salestrace.report.sources gives them, with the ROI colours and the changes', async () => {
    const { page } = admin;
    await openPage(page, 'Sources report');
    await page.locator('table.report tbody tr').first().waitFor();
    const asked = lastReportCall(requests);
    expect(asked).toEqual({ from: dayOf(29), to: dayOf(0) });
    last30 = await rest('salestrace.report.sources', asked);
    expect(last30.stages).toEqual(['actions', 'leads', 'deals', 'deals-success']);
    expect(last30.rows.map((row: any) => row.ID)).toEqual([1, 2, 3, partnerId, 0]);
    // The seeded figures, so the comparison below compares something.
    const google = last30.rows[0];
    expect([google.STAGES.leads.quantity, google.STAGES.deals.quantity, google.STAGES['deals-success'].sum, google.COSTS, google.ROI_GRADE]).toEqual([4, 2, 900, 600, 'normal']);
    expect(google.STAGES.leads.quantityChanging).toBe(100);
    expect(last30.rows.find((row: any) => row.ID === partnerId).ROI_GRADE).toBe('bad');

    expect(await page.locator('table.report thead th').allInnerTexts()).toEqual(['Source', ...columnsOf(last30).map((c) => c.label)].map((t) => t.toUpperCase()));
    expect(await tableCells(page)).toEqual(expectedCells(last30));
    // The ROI cell carries the row's grade, whose marker has the reference's colour.
    const hex = (rgb: string) => '#' + rgb.match(/\d+/g)!.slice(0, 3).map((n) => Number(n).toString(16).padStart(2, '0').toUpperCase()).join('');
    for (const row of allRows(last30)) {
      const cell = page.locator(`table.report tr[data-source-id="${row.ID}"] td[data-column="roi"]`);
      if (row.ROI_GRADE === null) {
        expect(await cell.getAttribute('class')).toBe('num');
        continue;
      }
      expect(await cell.getAttribute('class')).toBe(`num grade grade-${row.ROI_GRADE}`);
      expect(hex(await cell.evaluate((el: any) => (globalThis as any).getComputedStyle(el, '::before').backgroundColor))).toBe(row.ROI_COLOR);
    }
    expect(await page.locator('[data-period]').innerText()).toBe(`${new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(dayOf(29)))} – ${new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(dayOf(0)))}`);
    // On a 1280 px desktop every column, ROI included, is in view without scrolling sideways.
    const widths = await page.locator('table.report').evaluate((table: any) => ({ table: table.scrollWidth, wrap: table.parentElement.clientWidth }));
    expect(widths.table, JSON.stringify(widths)).toBeLessThanOrEqual(widths.wrap);
    await expectAccessible(page, 'report');
    await screenshots(page, 'report');
  });

  it('downloads the table as a CSV file with the same figures', async () => {
    const { page } = admin;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    expect(download.suggestedFilename()).toBe(`sources-report-${dayOf(29)}-${dayOf(0)}.csv`);
    const file = path.join(ARTIFACTS, 'report.csv');
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await download.saveAs(file);
    const text = fs.readFileSync(file, 'utf8');
    expect(text.startsWith('\uFEFF')).toBe(true);
    // The name with a comma and quotes is quoted, its quotes doubled.
    expect(text).toContain(`,"Partner ""A"", EU",`);
    const columns = columnsOf(last30);
    const header = ['Source ID', 'Source'];
    for (const column of columns) {
      header.push(column.kind === 'money' ? `${column.label}, USD` : column.label);
      if (column.change) header.push(`${column.label}: change, %`);
    }
    const body = allRows(last30).map((row) => {
      const cells = [row.ID >= 0 ? String(row.ID) : '', row.NAME];
      for (const column of columns) {
        const value = column.value(row);
        cells.push(value === null ? '' : String(value));
        if (column.change) {
          const change = column.change(row);
          cells.push(change === null ? '' : String(change));
        }
      }
      return cells;
    });
    expect(parseCsv(text.slice(1))).toEqual([header, ...body]);
    // Each figure in the file is the one the table shows.
    const shown = await tableCells(page);
    const csv = parseCsv(text.slice(1)).slice(1);
    csv.forEach((cells, r) => {
      const roi = cells[cells.length - 1];
      expect(shown[r][0]).toBe(cells[1]);
      expect(shown[r][shown[r].length - 1]).toBe(roi === '' ? '—' : percent.format(Number(roi)));
    });
  });

  it('draws the sources with leads on the chart, and revenue on request', async () => {
    const { page } = admin;
    await page.locator('.chart canvas').first().waitFor();
    const daily = await rest('salestrace.report.daily', { from: dayOf(29), to: dayOf(0) });
    const withLeads = daily.rows.filter((row: any) => row.LEADS.some((n: number) => n > 0)).map((row: any) => row.NAME);
    expect(withLeads).toEqual(['Google Ads', PARTNER, 'Other traffic']);
    expect(await page.locator('.chart .u-legend .u-series th').allInnerTexts()).toEqual(['Day', ...withLeads]);
    await page.getByLabel('Revenue').check();
    await page.getByRole('heading', { name: 'Revenue per day' }).waitFor();
    const withRevenue = daily.rows.filter((row: any) => row.REVENUE.some((n: number) => n > 0)).map((row: any) => row.NAME);
    expect(withRevenue).toEqual(['Google Ads', PARTNER]);
    expect(await page.locator('.chart .u-legend .u-series th').allInnerTexts()).toEqual(['Day', ...withRevenue]);
  });

  it('shows another period’s figures when the period changes, and one source when filtered', async () => {
    const { page } = admin;
    await page.locator('select[name=preset]').selectOption({ label: 'Last 7 days' });
    await expect.poll(() => lastReportCall(requests)).toEqual({ from: dayOf(6), to: dayOf(0) });
    const last7 = await rest('salestrace.report.sources', { from: dayOf(6), to: dayOf(0) });
    await expect.poll(() => tableCells(page)).toEqual(expectedCells(last7));
    expect(last7.rows[0].STAGES.leads.quantity).toBe(2);

    // Each active source once, organic traffic last: the list's own "Other traffic" (ID 0) is that option.
    const listed = await rest('salestrace.source.list');
    const active = listed.filter((source: any) => source.ACTIVE === 'Y' && source.ID !== 0).map((source: any) => source.NAME);
    expect(await page.locator('select[name=source] option').allInnerTexts()).toEqual(['All sources', ...active, 'Other traffic']);
    await page.locator('select[name=source]').selectOption({ label: PARTNER });
    await expect.poll(() => lastReportCall(requests)).toEqual({ from: dayOf(6), to: dayOf(0), sourceId: [String(partnerId)] });
    const partner = await rest('salestrace.report.sources', { from: dayOf(6), to: dayOf(0), sourceId: [partnerId] });
    await expect.poll(() => tableCells(page)).toEqual(expectedCells(partner));
    expect((await tableCells(page)).map((row) => row[0])).toEqual([PARTNER, 'Advertising sources', 'Total']);

    // A custom period with nothing in it: the empty state says what to do.
    await page.locator('select[name=source]').selectOption({ label: 'All sources' });
    await page.locator('select[name=preset]').selectOption({ label: 'Custom…' });
    await page.locator('input[name=from]').fill('2001-01-01');
    await page.locator('input[name=to]').fill('2001-01-31');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('heading', { name: 'No leads, deals or spend in this period' }).waitFor();
    expect(lastReportCall(requests)).toEqual({ from: '2001-01-01', to: '2001-01-31' });
    await expectAccessible(page, 'report: empty');
    await screenshots(page, 'report-empty');
  });
});

describe('the Sources report’s view in the address', () => {
  let requests: Request[];
  let page: Page;

  beforeAll(async () => {
    ({ page } = await session());
    requests = [];
    page.on('request', (request) => requests.push(request));
    await signIn(page, base, 'admin', ADMIN_PASSWORD);
  });

  it('opens the period and source a link names, keeps them on reload, and goes back to them from the next view', async () => {
    const from = dayOf(20);
    const to = dayOf(3);
    await page.goto(`${base}/app/#/report?from=${from}&to=${to}&source=${partnerId}`);
    await page.locator('table.report tbody tr').first().waitFor();
    const partner = await rest('salestrace.report.sources', { from, to, sourceId: [partnerId] });
    // Partner's lead 15 days ago, its won deal 4 days ago and the spend 8 days ago; not the default view.
    expect([partner.rows[0].NAME, partner.rows[0].STAGES.leads.quantity, partner.rows[0].STAGES['deals-success'].sum, partner.rows[0].COSTS]).toEqual([PARTNER, 1, 150, 400]);
    const shown = async () => ({
      cells: await tableCells(page),
      asked: lastReportCall(requests),
      ...(await page.locator('form.filters').evaluate((form: any) => ({
        preset: form.elements.preset.value,
        source: form.elements.source.value,
        // The days are inputs of a custom period only.
        period: form.elements.from ? [form.elements.from.value, form.elements.to.value] : [],
      }))),
    });
    const partnerView = { cells: expectedCells(partner), asked: { from, to, sourceId: [String(partnerId)] }, preset: 'custom', source: String(partnerId), period: [from, to] };
    await expect.poll(shown).toEqual(partnerView);

    await page.reload();
    await page.locator('table.report tbody tr').first().waitFor();
    await expect.poll(shown).toEqual(partnerView);
    expect(new URL(page.url()).hash).toBe(`#/report?from=${from}&to=${to}&source=${partnerId}`);

    // Another source is another history entry; back returns to Partner's figures.
    await page.locator('select[name=source]').selectOption({ label: 'All sources' });
    const all = await rest('salestrace.report.sources', { from, to });
    await expect.poll(shown).toEqual({ ...partnerView, cells: expectedCells(all), asked: { from, to }, source: '' });
    expect(new URL(page.url()).hash).toBe(`#/report?from=${from}&to=${to}`);
    await page.goBack();
    await expect.poll(shown).toEqual(partnerView);
    expect(new URL(page.url()).hash).toBe(`#/report?from=${from}&to=${to}&source=${partnerId}`);
    await screenshots(page, 'report-linked');

    // A preset's days show as that preset; a reversed period is read in order.
    await page.goto(`${base}/app/#/report?from=${dayOf(0)}&to=${dayOf(6)}&source=organic`);
    const organic = await rest('salestrace.report.sources', { from: dayOf(6), to: dayOf(0), sourceId: ['organic'] });
    const organicView = { cells: expectedCells(organic), asked: { from: dayOf(6), to: dayOf(0), sourceId: ['organic'] }, preset: 'last7', source: 'organic', period: [] };
    await expect.poll(shown).toEqual(organicView);

    // The navigation's bare link shows the view last seen, and puts it in the address.
    await openPage(page, 'Sources');
    await openPage(page, 'Sources report');
    await expect.poll(() => new URL(page.url()).hash).toBe(`#/report?from=${dayOf(6)}&to=${dayOf(0)}&source=organic`);
    await expect.poll(shown).toEqual(organicView);
  });

  it('falls back to the last 30 days and all sources for missing or bad values, without an error', async () => {
    const last30 = await rest('salestrace.report.sources', { from: dayOf(29), to: dayOf(0) });
    for (const query of ['', `?from=${dayOf(10).slice(0, 8)}32&to=${dayOf(0)}&source=abc`, '?from=2026-02-30&to=yesterday', '?from=2001-01-01&to=2026-01-01&source=999999', `?to=${dayOf(3)}&source=-1`]) {
      // A fresh load: a bare #/report in the same page would show the view remembered from before.
      await page.goto('about:blank');
      await page.goto(`${base}/app/#/report${query}`);
      await page.locator('table.report tbody tr').first().waitFor();
      await expect.poll(() => tableCells(page), { message: query }).toEqual(expectedCells(last30));
      expect(lastReportCall(requests), query).toEqual({ from: dayOf(29), to: dayOf(0) });
      expect(await page.locator('select[name=preset]').inputValue(), query).toBe('last30');
      expect(await page.locator('select[name=source]').inputValue(), query).toBe('');
      expect(await page.locator('[role=alert]').count(), query).toBe(0);
    }
  });

  it('shows the newest settings’ figures when the answer for older ones arrives after them', async () => {
    const older = { from: dayOf(59), to: dayOf(30) };
    const newer = { from: dayOf(6), to: dayOf(0) };
    const olderReport = await rest('salestrace.report.sources', older);
    const newerReport = await rest('salestrace.report.sources', newer);
    expect(expectedCells(olderReport)).not.toEqual(expectedCells(newerReport));
    // The older settings' answer is held back until the newer one is on the page.
    const isOlder = (request: Request) => JSON.parse(request.postData() ?? '{}').from === older.from;
    const olderHeld = await holdAnswers(page, 'salestrace.report.sources', isOlder);
    try {
      await page.goto(`${base}/app/#/report?from=${older.from}&to=${older.to}`);
      await olderHeld.asked;
      await page.locator('select[name=preset]').selectOption({ label: 'Last 7 days' });
      await expect.poll(() => tableCells(page)).toEqual(expectedCells(newerReport));
      await olderHeld.release();
      // Time for the page to read the late answer; it must not replace the figures shown.
      await page.waitForTimeout(500);
      expect(await tableCells(page)).toEqual(expectedCells(newerReport));
      expect(new URL(page.url()).hash).toBe(`#/report?from=${newer.from}&to=${newer.to}`);
      expect(requests.filter((request) => request.url().endsWith('/rest/salestrace.report.sources.json') && isOlder(request))).toHaveLength(1);
    } finally {
      await olderHeld.stop();
    }
  });
});

describe('the Sources report page for others', () => {
  it('is refused to a user who is not an administrator, as the REST method is', async () => {
    const { page } = await session(360);
    await signIn(page, base, limited.login, 'limited password');
    await openPage(page, 'Sources report');
    await page.getByRole('heading', { name: 'You do not have access to this page' }).waitFor();
    expect(await page.locator('table.report').count()).toBe(0);
    const refused = await callJson(server, 'salestrace.report.sources', {}, limited.base);
    expect([refused.status, refused.body.error]).toEqual([403, 'ACCESS_DENIED']);
    expect(await page.getByText('The server said:').innerText()).toBe(`The server said: ${refused.body.error_description}`);
    await expectAccessible(page, 'report: no access');
    await screenshots(page, 'report-no-access');
  });
});
