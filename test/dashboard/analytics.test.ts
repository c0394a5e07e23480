// The dashboard's Attribution, Ad levels and Expenses pages in Chromium against a server seeded
// through REST with known deals, visits and expenses (analyticsSeed.ts): every figure shown equals
// the REST answer for the same parameters, the settings re-query, a deal's journey shows its
// visits, an expense added through the form moves the source report and goes again when deleted,
// a CSV import builds the ad levels, a non-administrator gets the no-access state, axe-core finds
// no serious or critical problem, no page breaks its Content-Security-Policy, and the Expenses
// list drops an answer for a filter the page has left. The Attribution page's settings and picked
// deal live in the address (a shared link opens them after sign-in, a reload keeps them, bad
// values fall back), and its list of won deals pages past the first 50.
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { userWithGrants, type TestUser } from '../crm/helpers.js';
import { ADMIN_PASSWORD, loginOf, withPassword } from './helpers.js';
import { expectAccessible, holdAnswers, LOCALE, openPage, screenshots, signIn, TIME_ZONE, TrackedSessions, type Session } from './browser.js';
import { dayFromToday, seedAnalytics, ShiftedClock, type AnalyticsSeed } from './analyticsSeed.js';

vi.setConfig({ testTimeout: 90_000, hookTimeout: 180_000 });

let server: TestServer;
let base: string;
let seed: AnalyticsSeed;
let limited: TestUser & { login: string };
let clock: ShiftedClock;
const sessions = new TrackedSessions();

async function rest(method: string, params: unknown = {}, user?: TestUser): Promise<any> {
  const answer = await callJson(server, method, params, user?.base);
  expect(answer.status, answer.text).toBe(200);
  return answer.body;
}

beforeAll(async () => {
  clock = new ShiftedClock();
  server = await startTestServer({ manualClock: clock });
  base = server.httpsUrl;
  await withPassword(server, 1, ADMIN_PASSWORD);
  seed = await seedAnalytics(server, clock);
  const user = await userWithGrants(server, { DEAL: { READ: 'ALL' } });
  await withPassword(server, user.id, 'limited password');
  limited = { ...user, login: await loginOf(server, user.id) };
  await sessions.launch();
}, 120_000);

afterAll(async () => {
  await sessions.close();
  await server?.close();
});

function session(width?: number, locale?: string): Promise<Session> {
  return sessions.open(width, locale);
}

function formats(locale: string) {
  return {
    numbers: new Intl.NumberFormat(locale),
    usd: new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD' }),
    percent: new Intl.NumberFormat(locale, { style: 'percent', maximumFractionDigits: 2 }),
  };
}
const { numbers, usd } = formats(LOCALE);
const dateTimes = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE });
const days = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeZone: 'UTC' });
const day = (text: string) => days.format(new Date(`${text}T00:00:00Z`));
const money = (value: number | null) => (value === null ? '—' : usd.format(value));
const dealCounts = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 4 });
const credit = (c: { deals: number; sum: number }) => `${money(c.sum)} ${dealCounts.format(c.deals)} ${c.deals === 1 ? 'deal' : 'deals'}`;
const MODELS = ['First touch', 'Last touch', 'Last non-direct', 'Linear', 'Position-based', 'Time decay'];

async function cells(page: Page, selector: string): Promise<string[][]> {
  return page.locator(selector).evaluateAll((rows: any[]) =>
    rows.map((row) => [...row.children].map((cell: any) => cell.innerText.replace(/\s+/g, ' ').trim())),
  );
}

function creditRows(report: any): string[][] {
  return report.rows.map((row: any) => [row.name, ...report.models.map((model: string) => credit(row[model]))]);
}

/** The attribution table once it shows the report for these settings. */
async function expectAttribution(page: Page, params: Record<string, string>): Promise<any> {
  const report = (await rest('salestrace.report.attribution', params)).result;
  await expect.poll(() => cells(page, 'table.attribution tbody tr')).toEqual(creditRows(report));
  expect(await cells(page, 'table.attribution tfoot tr')).toEqual([['Total', ...report.models.map((model: string) => credit(report.total[model]))]]);
  expect(await page.locator('.summary').innerText()).toBe(`${numbers.format(report.deals)} won deals worth ${money(report.sum)}.`);
  return report;
}

function levelCells(row: any, locale = LOCALE): string[] {
  const { numbers, usd, percent } = formats(locale);
  const money = (value: number | null) => (value === null ? '—' : usd.format(value));
  const scale = { 2: 'good', 1: 'normal', 0: 'none', '-1': 'bad' }[String(row.roiScale)];
  return [
    `${row.title || row.code} ${row.title ? `${row.code} · ` : ''}${row.enabled ? 'enabled' : 'paused'}`,
    numbers.format(row.impressions),
    numbers.format(row.actions),
    money(row.outcome),
    row.ctr === null ? '—' : percent.format(row.ctr / 100),
    money(row.cpc),
    numbers.format(row.leads),
    numbers.format(row.deals),
    numbers.format(row.successDeals),
    money(row.income),
    money(row.cost),
    `${percent.format(row.roi / 100)} ${scale}`,
  ].map((text) => text.replace(/\s+/g, ' ')); // as cells() reads them: a no-break space is a space
}

async function packIds(page: Page): Promise<number[]> {
  return page.locator('table.expenses tbody tr').evaluateAll((rows: any[]) => rows.map((row) => Number(row.getAttribute('data-pack-id'))));
}

describe('as the administrator', () => {
  let admin: Session;
  beforeAll(async () => {
    admin = await session();
    await signIn(admin.page, base, 'admin', ADMIN_PASSWORD);
  });

  it('Attribution: the six models per source, as salestrace.report.attribution gives them, re-queried by the settings', async () => {
    const { page } = admin;
    await openPage(page, 'Attribution');
    await page.locator('table.attribution tbody tr').first().waitFor();
    const from = await page.locator('input[name=from]').inputValue();
    const to = await page.locator('input[name=to]').inputValue();
    const report = await expectAttribution(page, { from, to, lookbackDays: '90', halfLifeDays: '7' });
    expect(report.deals).toBe(3);
    expect(report.rows.map((row: any) => row.name)).toEqual(['Other traffic', 'Google Ads', 'Facebook']);
    expect(await page.locator('table.attribution thead th').allInnerTexts()).toEqual(['SOURCE', ...MODELS.map((m) => m.toUpperCase())]);
    // The chart: one canvas, a legend entry per model.
    expect(await page.locator('.chart canvas').count()).toBe(1);
    expect(await page.locator('.chart .u-legend .u-label').allInnerTexts()).toEqual(MODELS);
    await expectAccessible(page, 'attribution');
    await screenshots(page, 'attribution');

    // A 10-day lookback leaves the first deal's Google visit (20 days before the win) out.
    await page.locator('input[name=lookbackDays]').fill('10');
    await page.locator('input[name=lookbackDays]').press('Enter');
    const short = await expectAttribution(page, { from, to, lookbackDays: '10', halfLifeDays: '7' });
    expect(short.rows.find((row: any) => row.sourceId === 1).firstTouch.deals).toBe(1);
    // A half-life of a day moves time decay.
    await page.locator('input[name=halfLifeDays]').fill('1');
    await page.getByRole('button', { name: 'Apply' }).click();
    const fast = await expectAttribution(page, { from, to, lookbackDays: '10', halfLifeDays: '1' });
    expect(fast.rows.find((row: any) => row.sourceId === 2).timeDecay).not.toEqual(short.rows.find((row: any) => row.sourceId === 2).timeDecay);

    // The chart switches to won deals.
    await page.getByLabel('Chart shows').selectOption({ label: 'Won deals' });
    await page.locator('.chart canvas').waitFor();

    // A period without wins says what to do.
    await page.locator('input[name=from]').fill('2001-01-01');
    await page.locator('input[name=to]').fill('2001-01-31');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('heading', { name: 'No won deals in this period' }).waitFor();
    expect(await page.locator('.summary').innerText()).toBe(`0 won deals worth ${money(0)}.`);
    await expectAccessible(page, 'attribution: empty');
    await screenshots(page, 'attribution-empty');
    await page.locator('input[name=from]').fill(from);
    await page.locator('input[name=to]').fill(to);
    await page.locator('input[name=lookbackDays]').fill('90');
    await page.locator('input[name=halfLifeDays]').fill('7');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expectAttribution(page, { from, to, lookbackDays: '90', halfLifeDays: '7' });
  });

  it('Attribution: a won deal picked from the list shows its journey as salestrace.report.journey gives it', async () => {
    const { page } = admin;
    const list = page.getByRole('list', { name: 'Deals won in the period' });
    await list.locator('li').first().waitFor();
    const won = await rest('crm.deal.list', { filter: { STAGE_SEMANTIC_ID: 'S' }, order: { ID: 'DESC' } });
    expect((await list.locator('li button').allInnerTexts()).sort()).toEqual(won.result.map((deal: any) => `#${deal.ID} ${deal.TITLE}`).sort());
    const id = seed.wonDeals[0];
    await list.getByRole('button', { name: `#${id} Shoes order` }).click();
    const journey = (await rest('salestrace.report.journey', { id, lookbackDays: '90', halfLifeDays: '7' })).result;
    const timeline = page.getByRole('list', { name: 'Visits, oldest first' });
    await timeline.locator('li.touch').first().waitFor();
    expect(journey.touches.map((touch: any) => touch.traceId)).toEqual(seed.firstDealTraces);
    expect(await timeline.locator(':scope > li').evaluateAll((items: any[]) => items.map((item) => Number(item.getAttribute('data-trace-id'))))).toEqual(seed.firstDealTraces);
    expect(await timeline.locator(':scope > li > h4').allInnerTexts()).toEqual(journey.touches.map((touch: any) => `${dateTimes.format(new Date(touch.date))} · ${touch.sourceName}`));
    const facts = await timeline.locator(':scope > li > dl').evaluateAll((lists: any[]) => lists.map((list) => [...list.children].map((node: any) => node.innerText.trim())));
    expect(facts).toEqual(
      journey.touches.map((touch: any) => [
        'Tags',
        Array.isArray(touch.tags) ? '—' : Object.entries(touch.tags).map(([name, value]) => `${name.toLowerCase()}=${value}`).join('\n'),
        'Channels',
        touch.channels.map((c: any) => (c.value ? `${c.code}: ${c.value}` : c.code)).join('\n'),
        'Pages',
        touch.pages.map((p: any) => `${p.URL} — ${p.TITLE}`).join('\n'),
      ]),
    );
    expect(facts[0][1]).toContain('utm_campaign=summer_1000001');
    expect(facts[1][3]).toContain('call: 15550100');
    expect(await timeline.locator(':scope > li > p').first().innerText()).toBe(`Visit #${seed.firstDealTraces[0]}, bound to its contact`);
    expect(await page.locator('.deal-facts').innerText()).toBe(`${money(1200)} · won ${dateTimes.format(new Date(journey.deal.wonAt))} · 3 visits`);
    const names: Record<number, string> = { 0: 'Other traffic', 1: 'Google Ads', 2: 'Facebook' };
    expect(await cells(page, 'table.journey-credits tbody tr')).toEqual(
      Object.entries(journey.credits).map(([model, credits]: [string, any]) => [
        MODELS[['firstTouch', 'lastTouch', 'lastNonDirect', 'linear', 'positionBased', 'timeDecay'].indexOf(model)],
        credits.map((c: any) => `${names[c.sourceId]}: ${money(c.sum)} (${dealCounts.format(c.deals)})`).join(' '),
      ]),
    );
    await expectAccessible(page, 'journey');
    await screenshots(page, 'attribution-journey');

    // Any deal by its ID: one in progress is not credited; the lookback marks visits outside it.
    await page.getByLabel('Deal ID').fill(String(seed.openDeal));
    await page.getByRole('button', { name: 'Show journey' }).click();
    await page.getByRole('heading', { name: `Journey of deal #${seed.openDeal}` }).waitFor();
    await page.getByText('The deal is not won, so no model credits it yet.').waitFor();
    const open = (await rest('salestrace.report.journey', { id: seed.openDeal })).result;
    expect(await page.locator('.timeline > li').count()).toBe(open.touches.length);
    await page.getByLabel('Deal ID').fill('999999');
    await page.getByRole('button', { name: 'Show journey' }).click();
    const missing = await callJson(server, 'salestrace.report.journey', { id: 999999 });
    await page.locator('.journey [role=alert]').getByText(missing.body.error_description).waitFor();
  });

  it('Ad levels: campaign → ad group → keyword, each level as salestrace.report.levels gives it', async () => {
    const { page } = admin;
    await openPage(page, 'Ad levels');
    await page.locator('table.levels tbody tr').first().waitFor();
    expect(await page.getByLabel('Source').inputValue()).toBe('1');
    const from = await page.locator('input[name=from]').inputValue();
    const to = await page.locator('input[name=to]').inputValue();
    const campaigns = (await rest('salestrace.report.levels', { sourceId: 1, from, to })).result;
    expect(campaigns.rows.map((row: any) => row.title)).toEqual(['Summer', 'Winter']);
    expect(await cells(page, 'table.levels tbody tr')).toEqual(campaigns.rows.map(levelCells));
    // Visits with the Summer codes bound to deals: Boots (won, 300) and Hats (open); Shoes' is bound to its contact.
    expect(campaigns.rows[0]).toMatchObject({ impressions: 1500, actions: 50, outcome: 100, deals: 2, successDeals: 1, income: 300, roi: 200, roiScale: 2 });
    await expectAccessible(page, 'levels');
    await screenshots(page, 'levels');

    const summer = campaigns.rows[0];
    await page.getByRole('button', { name: 'Summer: open its ad groups' }).click();
    await page.locator('.trail [aria-current]', { hasText: 'Summer: ad groups' }).waitFor();
    const groups = (await rest('salestrace.report.levels', { sourceId: 1, from, to, level: 'adgroup', parentId: summer.id })).result;
    await expect.poll(() => cells(page, 'table.levels tbody tr')).toEqual(groups.rows.map(levelCells));
    expect(await page.locator('table.levels thead th').first().innerText()).toBe('AD GROUP');

    await page.getByRole('button', { name: 'Shoes: open its keywords' }).click();
    await page.locator('.trail [aria-current]', { hasText: 'Shoes: keywords' }).waitFor();
    const keywords = (await rest('salestrace.report.levels', { sourceId: 1, from, to, level: 'keyword', parentId: groups.rows[0].id })).result;
    await expect.poll(() => cells(page, 'table.levels tbody tr')).toEqual(keywords.rows.map(levelCells));
    expect(keywords.rows.map((row: any) => row.title)).toEqual(['red shoes', 'blue shoes']);
    expect(await page.locator('table.levels tbody button').count()).toBe(0);
    await screenshots(page, 'levels-keywords');

    // Back up the trail, then a source without an export: the empty state says how to get one.
    await page.getByRole('button', { name: 'Google Ads: campaigns' }).click();
    await expect.poll(() => cells(page, 'table.levels tbody tr')).toEqual(campaigns.rows.map(levelCells));
    await page.getByLabel('Source').selectOption({ label: 'Instagram' });
    await page.getByRole('heading', { name: 'No campaigns for Instagram yet' }).waitFor();
    await expectAccessible(page, 'levels: empty');
    await screenshots(page, 'levels-empty');
    await page.getByLabel('Source').selectOption({ label: 'Google Ads' });
    await page.locator('table.levels tbody tr').first().waitFor();
  });

  it('Expenses: the packs as salestrace.expense.list gives them; a pack added through the form moves the source report, and goes when deleted', async () => {
    const { page } = admin;
    await openPage(page, 'Expenses');
    await page.locator('table.expenses tbody tr').first().waitFor();
    const listed = await rest('salestrace.expense.list');
    expect(listed.result.map((pack: any) => pack.ID)).toEqual([seed.importPack, seed.manualPack]);
    expect(await packIds(page)).toEqual([seed.importPack, seed.manualPack]);
    const packCells = (pack: any) => [
      `#${pack.ID}`,
      { 1: 'Google Ads', 2: 'Facebook' }[pack.SOURCE_ID as number],
      `${day(pack.DATE_FROM)} – ${day(pack.DATE_TO)}`,
      pack.TYPE_ID === 1 ? 'Ad import' : 'Manual',
      money(Number(pack.EXPENSES)),
      numbers.format(pack.ACTIONS),
      numbers.format(pack.IMPRESSIONS),
      pack.COMMENT || '—',
      dateTimes.format(new Date(pack.DATE_INSERT)),
      'Delete',
    ];
    expect(await cells(page, 'table.expenses tbody tr')).toEqual(listed.result.map(packCells));
    await expectAccessible(page, 'expenses');
    await screenshots(page, 'expenses');

    const form = page.getByRole('form', { name: 'Add an expense' });
    const from = await form.locator('input[name=from]').inputValue();
    const to = await form.locator('input[name=to]').inputValue();
    const facebookCosts = async () => (await rest('salestrace.report.sources', { from, to })).result.rows.find((row: any) => row.ID === seed.facebookId).COSTS;
    expect(await facebookCosts()).toBe(0);
    await form.getByLabel('Source').selectOption({ label: 'Facebook' });
    await form.getByLabel('Sum').fill('300.50');
    await form.getByLabel('Clicks (optional)').fill('90');
    await form.getByLabel('Comment (optional)').fill('Spring posts');
    await form.getByRole('button', { name: 'Add expense' }).click();
    await form.getByRole('status').waitFor();
    // The list is in the order of the packs' IDs: the new pack comes last.
    const added = await rest('salestrace.expense.list');
    const pack = added.result[added.result.length - 1];
    expect(await form.getByRole('status').innerText()).toBe(`Pack #${pack.ID} added.`);
    expect(pack).toMatchObject({ SOURCE_ID: seed.facebookId, TYPE_ID: 0, DATE_FROM: from, DATE_TO: to, ACTIONS: 90, EXPENSES: '300.50', CURRENCY_ID: 'USD', COMMENT: 'Spring posts' });
    await expect.poll(() => packIds(page)).toEqual([seed.importPack, seed.manualPack, pack.ID]);
    expect((await cells(page, 'table.expenses tbody tr'))[2]).toEqual(packCells(pack));
    expect(await facebookCosts()).toBe(300.5);

    // Only Facebook's packs.
    await page.getByRole('form', { name: 'Filter packs' }).getByLabel('Show').selectOption({ label: 'Facebook' });
    await expect.poll(() => packIds(page)).toEqual([pack.ID]);
    await page.getByRole('form', { name: 'Filter packs' }).getByLabel('Show').selectOption({ label: 'Instagram' });
    await page.getByText('No expenses for this source yet.').waitFor();
    expect(await page.locator('table.expenses').count()).toBe(0);
    await page.getByRole('form', { name: 'Filter packs' }).getByLabel('Show').selectOption({ label: 'All sources' });
    await expect.poll(() => packIds(page)).toEqual([seed.importPack, seed.manualPack, pack.ID]);

    // Deleting asks once more, then the pack and its spend are gone.
    await page.getByRole('button', { name: `Delete pack ${pack.ID}` }).click();
    await page.getByRole('button', { name: `Keep pack ${pack.ID}` }).click();
    await page.getByRole('button', { name: `Delete pack ${pack.ID}` }).click();
    await page.getByRole('button', { name: `Yes, delete pack ${pack.ID}` }).click();
    await expect.poll(() => packIds(page)).toEqual([seed.importPack, seed.manualPack]);
    expect((await rest('salestrace.expense.list')).result.map((p: any) => p.ID)).toEqual([seed.importPack, seed.manualPack]);
    expect(await facebookCosts()).toBe(0);
  });

  it('Expenses: a CSV export imported through the file input becomes a pack and Facebook’s campaigns', async () => {
    const { page } = admin;
    const form = page.getByRole('form', { name: 'Import an advertising export' });
    await form.getByLabel('Source').selectOption({ label: 'Facebook' });
    // A wrong header is refused in the page, before any call.
    await form.getByLabel('CSV file').setInputFiles({ name: 'bad.csv', mimeType: 'text/csv', buffer: Buffer.from('day,campaign\n2026-01-01,1\n') });
    await form.getByRole('button', { name: 'Import' }).click();
    await form.getByRole('alert').getByText('The first line must name the columns date, campaign, ad_group, keyword, impressions, clicks, cost; missing: date, ad_group, keyword, impressions, clicks, cost.').waitFor();
    const before = (await rest('salestrace.expense.list')).total;

    const when = (await rest('salestrace.expense.list')).result.find((p: any) => p.ID === seed.importPack).DATE_TO;
    const csv = [
      'date,campaign,campaign_title,ad_group,ad_group_title,keyword,keyword_title,impressions,clicks,cost',
      `${when},4000001,"Autumn, posts",5000001,Feed,6000001,boots,2000,60,120.40`,
      `${when},4000001,"Autumn, posts",5000001,Feed,6000002,,100,2,3`,
    ].join('\r\n');
    await form.getByLabel('CSV file').setInputFiles({ name: 'facebook.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await form.getByRole('button', { name: 'Import' }).click();
    await form.getByRole('status').waitFor();
    const list = await rest('salestrace.expense.list');
    expect(list.total).toBe(before + 1);
    const pack = list.result[list.result.length - 1];
    expect(await form.getByRole('status').innerText()).toBe(`Imported 2 rows as pack #${pack.ID}.`);
    expect(pack).toMatchObject({ SOURCE_ID: seed.facebookId, TYPE_ID: 1, DATE_FROM: when, DATE_TO: when, ACTIONS: 62, IMPRESSIONS: 2100, EXPENSES: '123.40', COMMENT: 'facebook.csv' });
    await expect.poll(() => packIds(page)).toEqual([seed.importPack, seed.manualPack, pack.ID]);
    await screenshots(page, 'expenses-imported');

    // The Ad levels page now has Facebook's campaign.
    await openPage(page, 'Ad levels');
    await page.getByLabel('Source').selectOption({ label: 'Facebook' });
    const campaigns = (await rest('salestrace.report.levels', { sourceId: seed.facebookId, from: await page.locator('input[name=from]').inputValue(), to: await page.locator('input[name=to]').inputValue() })).result;
    expect(campaigns.rows.map((row: any) => [row.title, row.impressions, row.actions, row.outcome])).toEqual([['Autumn, posts', 2100, 62, 123.4]]);
    await expect.poll(() => cells(page, 'table.levels tbody tr')).toEqual(campaigns.rows.map(levelCells));
  });
});

describe('in another language', () => {
  it('Ad levels and Expenses follow the browser’s locale', async () => {
    const { page } = await session(1280, 'de-DE');
    await signIn(page, base, 'admin', ADMIN_PASSWORD);
    await openPage(page, 'Ad levels');
    await page.getByLabel('Source').selectOption({ label: 'Google Ads' });
    await page.locator('table.levels tbody tr').first().waitFor();
    const from = await page.locator('input[name=from]').inputValue();
    const to = await page.locator('input[name=to]').inputValue();
    const campaigns = (await rest('salestrace.report.levels', { sourceId: 1, from, to })).result;
    await expect.poll(() => cells(page, 'table.levels tbody tr')).toEqual(campaigns.rows.map((row: any) => levelCells(row, 'de-DE')));
    // 1.500 Impressionen, 100,00 $, 3,33 %.
    expect((await cells(page, 'table.levels tbody tr'))[0].slice(1, 5)).toEqual(['1.500', '50', '100,00 $', '3,33 %']);
    await openPage(page, 'Expenses');
    await page.locator('table.expenses tbody tr').first().waitFor();
    const pack = (await rest('salestrace.expense.list')).result.find((p: any) => p.ID === seed.manualPack);
    const germanDay = new Intl.DateTimeFormat('de-DE', { dateStyle: 'medium', timeZone: 'UTC' });
    const row = (await cells(page, 'table.expenses tbody tr'))[1];
    expect(row[2]).toBe(`${germanDay.format(new Date(`${pack.DATE_FROM}T00:00:00Z`))} – ${germanDay.format(new Date(`${pack.DATE_TO}T00:00:00Z`))}`);
    expect(row[2]).toMatch(/^\d{2}\.\d{2}\.\d{4} – \d{2}\.\d{2}\.\d{4}$/);
    expect(row[4]).toBe('250,00 $');
  });
});

describe('a user who is not an administrator', () => {
  it('gets the no-access state on all three pages, and the methods refuse them too', async () => {
    const { page } = await session(360);
    await signIn(page, base, limited.login, 'limited password');
    for (const [link, name] of [['Attribution', 'attribution'], ['Ad levels', 'levels'], ['Expenses', 'expenses']] as const) {
      await openPage(page, link);
      await page.getByRole('heading', { name: 'Only administrators can open this page' }).waitFor();
      expect(await page.locator('table').count()).toBe(0);
      await expectAccessible(page, `${name}: not an administrator`);
      await screenshots(page, `${name}-no-access`);
    }
    for (const [method, params] of [
      ['salestrace.report.attribution', {}],
      ['salestrace.report.journey', { id: seed.wonDeals[0] }],
      ['salestrace.report.levels', { sourceId: 1 }],
      ['salestrace.expense.list', {}],
    ] as const) {
      const refused = await callJson(server, method, params, limited.base);
      expect([refused.status, refused.body.error]).toEqual([403, 'ACCESS_DENIED']);
    }
    // The same user reads the deals their role allows: the refusal is about the reports only.
    expect((await rest('crm.deal.list', {}, limited)).total).toBe(4);
  });
});

describe('the Attribution page’s view in the address', () => {
  const MODEL_KEYS = ['firstTouch', 'lastTouch', 'lastNonDirect', 'linear', 'positionBased', 'timeDecay'];
  const names: Record<number, string> = { 0: 'Other traffic', 1: 'Google Ads', 2: 'Facebook' };

  /** The page's inputs, as the address set them. */
  async function settingsShown(page: Page): Promise<string[]> {
    return page.getByRole('form', { name: 'Report settings' }).evaluate((form: any) => ['from', 'to', 'lookbackDays', 'halfLifeDays'].map((name) => form.elements[name].value));
  }

  async function expectJourney(page: Page, id: number, params: Record<string, string>): Promise<void> {
    const journey = (await rest('salestrace.report.journey', { id, ...params })).result;
    await page.getByRole('heading', { name: `Journey of deal #${id}` }).waitFor();
    const timeline = page.getByRole('list', { name: 'Visits, oldest first' });
    await expect
      .poll(() => timeline.locator(':scope > li').evaluateAll((items: any[]) => items.map((item) => [Number(item.getAttribute('data-trace-id')), item.className])))
      .toEqual(journey.touches.map((touch: any) => [touch.traceId, touch.counted ? 'touch' : 'touch outside']));
    expect(await cells(page, 'table.journey-credits tbody tr')).toEqual(
      Object.entries(journey.credits).map(([model, credits]: [string, any]) => [
        MODELS[MODEL_KEYS.indexOf(model)],
        credits.map((c: any) => `${names[c.sourceId]}: ${money(c.sum)} (${dealCounts.format(c.deals)})`).join(' '),
      ]),
    );
  }

  it('a shared link opens its settings and deal after sign-in, a reload keeps them, and back returns to the journey', async () => {
    const { page } = await session();
    const params = { from: dayFromToday(-25), to: dayFromToday(0), lookbackDays: '10', halfLifeDays: '1' };
    const id = seed.wonDeals[0];
    const link = `#/attribution?from=${params.from}&to=${params.to}&lookbackDays=10&halfLifeDays=1&deal=${id}`;
    await page.goto(`${base}/app/${link}`);
    await page.getByLabel('Login').fill('admin');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('table.attribution tbody tr').first().waitFor();
    const report = await expectAttribution(page, params);
    // Not the default view: the 10-day lookback leaves the first deal's Google visit out.
    expect(report.rows.find((row: any) => row.sourceId === 1).firstTouch.deals).toBe(1);
    expect(await settingsShown(page)).toEqual([params.from, params.to, '10', '1']);
    await expectJourney(page, id, params);
    expect(await page.locator('.timeline > li.outside').count()).toBe(1);
    await expectAccessible(page, 'attribution: linked');
    await screenshots(page, 'attribution-linked');

    await page.reload();
    await page.locator('table.attribution tbody tr').first().waitFor();
    await expectAttribution(page, params);
    expect(await settingsShown(page)).toEqual([params.from, params.to, '10', '1']);
    await expectJourney(page, id, params);
    expect(new URL(page.url()).hash).toBe(link);

    // Closing the journey and another half-life are history entries; back goes through them.
    await page.getByRole('button', { name: 'Close' }).click();
    await expect.poll(() => page.locator('.journey').count()).toBe(0);
    expect(new URL(page.url()).hash).toBe(`#/attribution?from=${params.from}&to=${params.to}&lookbackDays=10&halfLifeDays=1`);
    await page.locator('input[name=halfLifeDays]').fill('7');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expectAttribution(page, { ...params, halfLifeDays: '7' });
    await page.goBack();
    await expectAttribution(page, params);
    expect(await settingsShown(page)).toEqual([params.from, params.to, '10', '1']);
    expect(await page.locator('.journey').count()).toBe(0);
    await page.goBack();
    await expectJourney(page, id, params);
    expect(new URL(page.url()).hash).toBe(link);
  });

  it('missing or bad values in the address are the defaults, with no error', async () => {
    const { page } = await session();
    await signIn(page, base, 'admin', ADMIN_PASSWORD);
    const defaults = { from: dayFromToday(-29), to: dayFromToday(0), lookbackDays: '90', halfLifeDays: '7' };
    for (const query of ['', '?from=2026-13-01&to=soon&lookbackDays=0&halfLifeDays=abc&deal=-3&metric=bogus', `?from=${dayFromToday(-3)}&lookbackDays=4000&halfLifeDays=1e3&deal=0`]) {
      // A fresh load: a bare #/attribution in the same page would show the view remembered from before.
      await page.goto('about:blank');
      await page.goto(`${base}/app/#/attribution${query}`);
      await page.locator('table.attribution tbody tr').first().waitFor();
      await expectAttribution(page, defaults);
      expect(await settingsShown(page), query).toEqual([defaults.from, defaults.to, '90', '7']);
      expect(await page.getByLabel('Chart shows').inputValue(), query).toBe('sum');
      expect(await page.locator('.journey').count(), query).toBe(0);
      expect(await page.locator('[role=alert]').count(), query).toBe(0);
    }
  });
});

describe('the Expenses list', () => {
  it('shows the newest filter’s packs when the answer for an older filter arrives after them', async () => {
    const { page } = await session();
    await signIn(page, base, 'admin', ADMIN_PASSWORD);
    await openPage(page, 'Expenses');
    await page.locator('table.expenses tbody tr').first().waitFor();
    const google = (await rest('salestrace.expense.list', { sourceId: 1 })).result.map((pack: any) => pack.ID);
    const facebook = (await rest('salestrace.expense.list', { sourceId: seed.facebookId })).result.map((pack: any) => pack.ID);
    expect(google).toEqual([seed.importPack, seed.manualPack]);
    expect(facebook).not.toEqual(google);
    // Facebook's answer is held back until Google's is on the page.
    const isFacebook = (request: Request) => JSON.parse(request.postData() ?? '{}').sourceId === String(seed.facebookId);
    const facebookHeld = await holdAnswers(page, 'salestrace.expense.list', isFacebook);
    try {
      const show = page.getByRole('form', { name: 'Filter packs' }).getByLabel('Show');
      await show.selectOption({ label: 'Facebook' });
      await facebookHeld.asked;
      await show.selectOption({ label: 'Google Ads' });
      await expect.poll(() => packIds(page)).toEqual(google);
      await facebookHeld.release();
      // Time for the page to read the late answer; it must not replace the packs shown.
      await page.waitForTimeout(500);
      expect(await packIds(page)).toEqual(google);
      expect(await show.inputValue()).toBe('1');
    } finally {
      await facebookHeld.stop();
    }
  });
});

describe('a period with more won deals than a page', () => {
  const BULK = 53;
  let day: string;

  beforeAll(async () => {
    // Won 60 days ago, outside the other tests' periods: two batches of crm.deal.add.
    clock.daysAgo(60);
    day = dayFromToday(-60);
    try {
      for (let first = 0; first < BULK; first += 50) {
        const cmd: Record<string, string> = {};
        for (let n = first; n < Math.min(BULK, first + 50); n++) cmd[`d${n}`] = `crm.deal.add?fields[TITLE]=Bulk+order+${n + 1}&fields[STAGE_ID]=WON&fields[OPPORTUNITY]=${n + 1}&fields[CURRENCY_ID]=USD`;
        const answer = await rest('batch', { halt: 1, cmd });
        expect(answer.result.result_error).toEqual([]);
      }
    } finally {
      clock.daysAgo(0);
    }
  });

  it('reaches every won deal of the period through the list’s pages, and opens the 51st', async () => {
    const { page } = await session();
    await signIn(page, base, 'admin', ADMIN_PASSWORD);
    await page.goto(`${base}/app/#/attribution?from=${day}&to=${day}`);
    const list = page.getByRole('list', { name: 'Deals won in the period' });
    const filter = { STAGE_SEMANTIC_ID: 'S', '>=MOVED_TIME': `${day}T00:00:00`, '<=MOVED_TIME': `${day}T23:59:59` };
    const order = { MOVED_TIME: 'DESC', ID: 'DESC' };
    const first = await rest('crm.deal.list', { filter, order, select: ['ID', 'TITLE'] });
    expect([first.result.length, first.next, first.total]).toEqual([50, 50, BULK]);
    const second = await rest('crm.deal.list', { filter, order, select: ['ID', 'TITLE'], start: first.next });
    expect([second.result.length, second.next, second.total]).toEqual([BULK - 50, undefined, BULK]);
    const titles = (answer: any) => answer.result.map((deal: any) => `#${deal.ID} ${deal.TITLE}`);
    await expect.poll(() => list.locator('li button').allInnerTexts()).toEqual(titles(first));
    expect(await page.locator('[data-won-range]').innerText()).toBe(`Won deals 1–50 of ${BULK}`);
    expect(await page.getByRole('button', { name: 'Previous deals' }).isDisabled()).toBe(true);
    const report = await expectAttribution(page, { from: day, to: day, lookbackDays: '90', halfLifeDays: '7' });
    expect(report.deals).toBe(BULK);

    await page.getByRole('button', { name: 'Next deals' }).click();
    await expect.poll(() => list.locator('li button').allInnerTexts()).toEqual(titles(second));
    expect(await page.locator('[data-won-range]').innerText()).toBe(`Won deals 51–${BULK} of ${BULK}`);
    expect(await page.getByRole('button', { name: 'Next deals' }).isDisabled()).toBe(true);
    await expectAccessible(page, 'attribution: second page of won deals');
    await screenshots(page, 'attribution-won-page-2');

    const fiftyFirst = second.result[0];
    await list.getByRole('button', { name: `#${fiftyFirst.ID} ${fiftyFirst.TITLE}` }).click();
    await page.getByRole('heading', { name: `Journey of deal #${fiftyFirst.ID}` }).waitFor();
    const journey = (await rest('salestrace.report.journey', { id: fiftyFirst.ID })).result;
    expect(journey.deal.won).toBe(true);
    await expect.poll(() => page.locator('.deal-facts').innerText()).toBe(`${money(journey.deal.opportunity)} · won ${dateTimes.format(new Date(journey.deal.wonAt))} · ${numbers.format(journey.touches.length)} visits`);
    expect(new URL(page.url()).hash).toBe(`#/attribution?from=${day}&to=${day}&lookbackDays=90&halfLifeDays=7&deal=${fiftyFirst.ID}`);

    await page.getByRole('button', { name: 'Previous deals' }).click();
    await expect.poll(() => list.locator('li button').allInnerTexts()).toEqual(titles(first));
  });
});
