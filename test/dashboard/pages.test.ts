// The dashboard in a real browser (Chromium through playwright-core) against a server seeded
// with known sources, traces and users: what each page shows equals the REST answers for the
// same user, a user with a limited role sees less, the forms change what REST reads back, no
// page breaks its Content-Security-Policy, and axe-core finds no serious or critical problem.
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { ok, userWithGrants, type TestUser } from '../crm/helpers.js';
import { ADMIN_PASSWORD, loginOf, withPassword } from './helpers.js';
import { ARTIFACTS, expectAccessible, LOCALE, openPage, screenshots, signIn, TIME_ZONE, TrackedSessions, type Session } from './browser.js';

// A browser on a shared two-core machine: each step may take a while when the suite runs beside it.
vi.setConfig({ testTimeout: 90_000, hookTimeout: 180_000 });

let server: TestServer;
let base: string;
let limited: TestUser & { login: string };
let noRole: TestUser & { login: string };
let newsletterId = 0;
let limitedDeal = 0;
const sessions = new TrackedSessions();

async function rest(method: string, params: unknown = {}, user?: TestUser): Promise<any> {
  const answer = await callJson(server, method, params, user?.base);
  expect(answer.status, answer.text).toBe(200);
  return answer.body;
}

async function seedUser(grants: Parameters<typeof userWithGrants>[1], password: string) {
  const user = await userWithGrants(server, grants);
  await withPassword(server, user.id, password);
  return { ...user, login: await loginOf(server, user.id) };
}

beforeAll(async () => {
  server = await startTestServer();
  base = server.httpsUrl;
  await withPassword(server, 1, ADMIN_PASSWORD);
  limited = await seedUser({ DEAL: { READ: 'OWN' } }, 'limited password');
  noRole = await seedUser(null, 'no role password');
  await ok(server, 'salestrace.source.update', { id: 1, fields: { UTM_SOURCE: ['google'], REF_DOMAIN: ['google.com'] } });
  newsletterId = await ok(server, 'salestrace.source.add', { fields: { NAME: 'Newsletter', UTM_SOURCE: ['newsletter', 'mail'], EMAIL: ['news@shop.example'] } });
  limitedDeal = (await ok(server, 'crm.item.add', { entityTypeId: 2, fields: { title: 'Limited deal', assignedById: limited.id } })).item.id;
  // 57 traces: 30 from Google Ads, 20 from the newsletter, 7 organic; three bound to the limited user's deal.
  const rows: Record<string, unknown> = {};
  const seededAt = Math.floor(Date.now() / 1000) - 3600;
  for (let i = 0; i < 57; i++) {
    const utm = i < 30 ? 'google' : i < 50 ? 'newsletter' : undefined;
    const pages = { list: [[`https://shop.example/p${i}`, seededAt, `Product ${i}`], ['https://shop.example/cart', seededAt + 40, 'Cart']] };
    const trace = {
      url: `https://shop.example/p${i}`,
      pages,
      ...(utm ? { tags: { list: { utm_source: utm, utm_medium: 'cpc' } } } : {}),
      ...(utm === 'google' ? { ref: 'https://www.google.com/' } : {}),
    };
    const entities = i % 20 === 5 ? `&ENTITIES[0][TYPE]=DEAL&ENTITIES[0][ID]=${limitedDeal}` : '';
    rows[`t${i}`] = `crm.tracking.trace.add?TRACE=${encodeURIComponent(JSON.stringify(trace))}${entities}`;
  }
  const names = Object.keys(rows);
  for (const part of [names.slice(0, 50), names.slice(50)]) {
    const batch = await rest('batch', { halt: 1, cmd: Object.fromEntries(part.map((name) => [name, rows[name]])) });
    expect(Object.keys(batch.result.result)).toHaveLength(part.length);
  }
  await sessions.launch();
}, 120_000);

afterAll(async () => {
  await sessions.close();
  await server?.close();
});

function session(width?: number, locale?: string): Promise<Session> {
  return sessions.open(width, locale);
}

const numbers = new Intl.NumberFormat(LOCALE);
const dates = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE });

async function tableRows(page: Page, selector: string): Promise<string[][]> {
  return page.locator(`${selector} tbody tr`).evaluateAll((rows: any[]) =>
    rows.map((row) => [...row.children].map((cell: any) => cell.innerText.replace(/\s+/g, ' ').trim())),
  );
}

async function traceIds(page: Page): Promise<number[]> {
  return page.locator('table.traces tbody tr').evaluateAll((rows: any[]) => rows.map((row) => Number(row.getAttribute('data-trace-id'))));
}

describe('as the administrator', () => {
  let admin: Session;
  beforeAll(async () => {
    admin = await session();
  });

  it('refuses a wrong password with a message, then signs in', async () => {
    const { page } = admin;
    await page.goto(`${base}/app/`);
    await page.getByRole('heading', { name: 'Salestrace' }).waitFor();
    await expectAccessible(page, 'sign-in');
    await screenshots(page, 'sign-in');
    await page.getByLabel('Login').fill('admin');
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').innerText()).toBe('Wrong login or password.');
    await page.getByLabel('Password').fill(ADMIN_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('button', { name: 'Sign out' }).waitFor();
    // The session cookie is HttpOnly: the page's script cannot read it.
    expect(await page.evaluate(() => (globalThis as any).document.cookie)).toBe('');
    const cookie = (await admin.context.cookies()).find((c) => c.name === 'salestrace_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/app/' });
  });

  it('shows every source with its values, as salestrace.source.list gives them', async () => {
    const { page } = admin;
    await page.goto(`${base}/app/#/sources`);
    await page.locator('table.sources tbody tr').first().waitFor();
    const sources = (await rest('salestrace.source.list')).result as any[];
    const rows = await tableRows(page, 'table.sources');
    const none = '—';
    const chips = (values: string[]) => (values.length ? values.join(' ') : none);
    expect(rows).toEqual(
      sources.map((source) => [
        `${source.NAME} ${source.CODE ? `${source.CODE} · ` : ''}ID ${source.ID}`,
        `${source.ACTIVE === 'Y' ? 'Active' : 'Archived'} ${source.BUILT_IN === 'Y' ? 'Built-in' : 'Custom'}`,
        chips(source.UTM_SOURCE),
        chips([...source.REF_DOMAIN, ...source.SOCIAL_REF_DOMAIN]),
        chips(source.PHONE),
        chips(source.EMAIL),
        source.ID === 0 ? '' : source.ACTIVE === 'Y' ? 'Edit Archive' : 'Edit Restore',
      ]),
    );
    expect(rows.find((row) => row[0].startsWith('Newsletter'))?.[2]).toBe('newsletter mail');
    await expectAccessible(page, 'sources');
    await screenshots(page, 'sources');
  });

  it('adds, edits and archives a source through the forms', async () => {
    const { page } = admin;
    await page.getByRole('button', { name: 'Add source' }).click();
    const form = page.getByRole('form', { name: 'Add a source' });
    await form.getByLabel('Name').fill('Partner site');
    await form.getByLabel('UTM source values').fill('partner\npartner-mail');
    await form.getByLabel('Phones').fill('+1 555 0100');
    await expectAccessible(page, 'sources: add form');
    await screenshots(page, 'sources-add');
    await form.getByRole('button', { name: 'Add source' }).click();
    const row = page.locator('table.sources tbody tr', { hasText: 'Partner site' });
    await row.waitFor();
    let partner = ((await rest('salestrace.source.list')).result as any[]).find((source) => source.NAME === 'Partner site');
    expect(partner).toMatchObject({ ACTIVE: 'Y', BUILT_IN: 'N', UTM_SOURCE: ['partner', 'partner-mail'], PHONE: ['15550100'], REF_DOMAIN: [], EMAIL: [] });

    await page.getByRole('button', { name: 'Edit Partner site' }).click();
    const edit = page.getByRole('form', { name: 'Edit Partner site' });
    expect(await edit.getByLabel('UTM source values').inputValue()).toBe('partner\npartner-mail');
    await edit.getByLabel('Referrer domains').fill('partner.example');
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.locator('table.sources tbody tr', { hasText: 'partner.example' }).waitFor();
    partner = ((await rest('salestrace.source.list')).result as any[]).find((source) => source.ID === partner.ID);
    expect(partner).toMatchObject({ UTM_SOURCE: ['partner', 'partner-mail'], REF_DOMAIN: ['partner.example'], PHONE: ['15550100'] });

    await page.getByRole('button', { name: 'Archive Partner site' }).click();
    await page.getByRole('button', { name: 'Restore Partner site' }).waitFor();
    expect(await row.locator('td').first().innerText()).toMatch(/^Archived/);
    partner = ((await rest('salestrace.source.list')).result as any[]).find((source) => source.ID === partner.ID);
    expect(partner.ACTIVE).toBe('N');
  });

  it('lists traces page by page, as salestrace.trace.list gives them', async () => {
    const { page } = admin;
    await openPage(page, 'Traces');
    await page.locator('table.traces tbody tr').first().waitFor();
    const first = await rest('salestrace.trace.list');
    expect(first.total).toBe(57);
    expect(await page.locator('.summary').innerText()).toBe(`Traces 1–50 of ${numbers.format(first.total)}`);
    expect(await traceIds(page)).toEqual(first.result.map((trace: any) => trace.ID));
    const rows = await tableRows(page, 'table.traces');
    expect(rows).toEqual(
      first.result.map((trace: any) => [
        `#${trace.ID}`,
        dates.format(new Date(trace.DATE_CREATE)),
        trace.SOURCE.NAME,
        trace.PAGES.find((p: any) => p.IS_REF === 'N').URL,
        trace.ENTITIES.length ? trace.ENTITIES.map((entity: any) => `Deal ${entity.ID}`).join(' ') : 'Not bound',
      ]),
    );
    await expectAccessible(page, 'traces');
    await screenshots(page, 'traces');
    // The README's picture (docs/dashboard-traces.png is a copy of it).
    await page.setViewportSize({ width: 1000, height: 560 });
    await page.screenshot({ path: `${ARTIFACTS}/readme-traces.png` });
    await page.setViewportSize({ width: 1280, height: 860 });

    await page.getByRole('button', { name: 'Next' }).click();
    await expect.poll(() => page.locator('.summary').innerText()).toBe('Traces 51–57 of 57');
    const second = await rest('salestrace.trace.list', { start: 50 });
    expect(await traceIds(page)).toEqual(second.result.map((trace: any) => trace.ID));
    expect(await page.getByRole('button', { name: 'Next' }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Previous' }).click();
    await expect.poll(() => page.locator('.summary').innerText()).toBe('Traces 1–50 of 57');
  });

  it('filters traces by source and by bound item', async () => {
    const { page } = admin;
    await page.locator('select[name=source]').selectOption({ label: 'Newsletter' });
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('.summary').innerText()).toBe('Traces 1–20 of 20');
    const newsletter = await rest('salestrace.trace.list', { filter: { SOURCE_ID: newsletterId } });
    expect(await traceIds(page)).toEqual(newsletter.result.map((trace: any) => trace.ID));

    await page.locator('select[name=source]').selectOption({ label: 'All sources' });
    await page.locator('select[name=type]').selectOption({ label: 'Deal' });
    await page.locator('input[name=item]').fill(String(limitedDeal));
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('.summary').innerText()).toBe('Traces 1–3 of 3');
    const bound = await rest('salestrace.trace.list', { filter: { ENTITY_TYPE: 'DEAL', ENTITY_ID: limitedDeal } });
    expect(await traceIds(page)).toEqual(bound.result.map((trace: any) => trace.ID));

    // A period with no traces.
    await page.locator('select[name=type]').selectOption({ label: 'Any item' });
    await page.locator('input[name=item]').fill('');
    await page.locator('input[name=from]').fill('2001-01-01');
    await page.locator('input[name=to]').fill('2001-01-31');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('No traces match this filter.').waitFor();
    await page.locator('input[name=from]').fill('');
    await page.locator('input[name=to]').fill('');
    await page.getByRole('button', { name: 'Apply' }).click();
    await expect.poll(() => page.locator('.summary').innerText()).toBe('Traces 1–50 of 57');
  });

  it('shows a trace’s detail as salestrace.trace.get gives it', async () => {
    const { page } = admin;
    const [id] = await traceIds(page);
    await page.getByRole('link', { name: `#${id}`, exact: true }).click();
    await page.getByRole('heading', { name: `Trace #${id}` }).waitFor();
    const trace = (await rest('salestrace.trace.get', { id })).result;
    const visit = page.locator('article.visit').first();
    await visit.waitFor();
    expect(await visit.locator('h2').first().innerText()).toBe(`Visit #${id} · ${dates.format(new Date(trace.DATE_CREATE))}`);
    const facts = await visit.locator('dl').first().evaluate((list: any) => [...list.children].map((node: any) => node.innerText.trim()));
    const tags = Object.entries(trace.TAGS).map(([name, value]) => `${name}=${value}`);
    expect(facts).toEqual([
      'Source', trace.SOURCE.NAME,
      'Device', 'Desktop',
      'Tags', tags.length ? tags.join('\n') : '—',
      'Channels', trace.CHANNELS.length ? trace.CHANNELS.map((c: any) => (c.VALUE ? `${c.CODE}: ${c.VALUE}` : c.CODE)).join('\n') : '—',
      'Bound to', trace.ENTITIES.length ? trace.ENTITIES.map((e: any) => `Deal ${e.ID}`).join('\n') : 'Not bound',
    ]);
    expect(await visit.locator('ol.pages li').allInnerTexts()).toEqual(trace.PAGES.map((p: any) => p.URL + (p.TITLE ? ` — ${p.TITLE}` : '') + (p.IS_REF === 'Y' ? ' (referrer)' : '')));
    await expectAccessible(page, 'trace detail');
    await screenshots(page, 'trace-detail');
    await page.getByRole('link', { name: '← All traces' }).click();
    await page.locator('table.traces tbody tr').first().waitFor();
  });

  it('signs out, after which the page asks for a password again', async () => {
    const { page } = admin;
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    expect((await admin.context.cookies()).find((c) => c.name === 'salestrace_session')).toBeUndefined();
    await page.reload();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  });
});

describe('users with less access', () => {
  it('a user who may read only their own deals sees only those deals’ traces, and cannot change sources', async () => {
    // This browser speaks German: dates follow its locale.
    const { page } = await session(360, 'de-DE');
    await signIn(page, base, limited.login, 'limited password');
    await page.locator('table.sources tbody tr').first().waitFor();
    expect(await page.getByRole('button', { name: 'Add source' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: /^Edit / }).count()).toBe(0);
    await page.getByText('Only administrators can change sources.').waitFor();
    await openPage(page, 'Traces');
    await page.locator('table.traces tbody tr').first().waitFor();
    const mine = await rest('salestrace.trace.list', {}, limited);
    expect(mine.total).toBe(3);
    expect(await page.locator('.summary').innerText()).toBe('Traces 1–3 of 3');
    expect(await traceIds(page)).toEqual(mine.result.map((trace: any) => trace.ID));
    const german = new Intl.DateTimeFormat('de-DE', { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE });
    expect((await tableRows(page, 'table.traces')).map((row) => row[1])).toEqual(mine.result.map((trace: any) => german.format(new Date(trace.DATE_CREATE))));
    expect((await tableRows(page, 'table.traces'))[0][1]).toMatch(/^\d{2}\.\d{2}\.\d{4}, \d{2}:\d{2}$/);
    await screenshots(page, 'traces-limited');
  });

  it('a user without a role gets the first-trace help, and the no-access page for an item they may not read', async () => {
    const { page } = await session();
    await signIn(page, base, noRole.login, 'no role password');
    await openPage(page, 'Traces');
    await page.getByRole('heading', { name: 'No traces yet' }).waitFor();
    expect((await rest('salestrace.trace.list', {}, noRole)).total).toBe(0);
    expect(await page.locator('pre').innerText()).toContain(`${base}/rest/1/<webhook secret>/crm.tracking.trace.add`);
    await expectAccessible(page, 'traces: empty');
    await screenshots(page, 'traces-empty');
    await page.locator('select[name=type]').selectOption({ label: 'Deal' });
    await page.locator('input[name=item]').fill(String(limitedDeal));
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByRole('heading', { name: 'You do not have access to this page' }).waitFor();
    await page.getByText(`The server said: You do not have permission to view the traces of DEAL with ID \`${limitedDeal}\`.`).waitFor();
    const refused = await callJson(server, 'salestrace.trace.list', { filter: { ENTITY_TYPE: 'DEAL', ENTITY_ID: limitedDeal } }, noRole.base);
    expect(refused.body.error).toBe('ACCESS_DENIED');
    await expectAccessible(page, 'no access');
    await screenshots(page, 'no-access');
  });
});

describe('failed sign-ins in the browser', () => {
  it('are limited: after ten, even the right password waits', async () => {
    // A server of its own whose clock stands still, so a slow run drains nothing from the bucket.
    const limitedServer = await startTestServer({ manualClock: true });
    try {
      await withPassword(limitedServer, 1, ADMIN_PASSWORD);
      const { page } = await session();
      await page.goto(`${limitedServer.httpsUrl}/app/`);
      const attempt = async (password: string) => {
        await page.getByLabel('Login').fill('admin');
        await page.getByLabel('Password').fill(password);
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByRole('button', { name: 'Sign in', disabled: false }).waitFor();
        return page.getByRole('alert').innerText();
      };
      for (let i = 0; i < 10; i++) expect(await attempt(`wrong ${i}`)).toBe('Wrong login or password.');
      expect(await attempt(ADMIN_PASSWORD)).toBe('Too many failed sign-ins. Wait a minute and try again.');
      expect(await page.getByRole('button', { name: 'Sign out' }).count()).toBe(0);
    } finally {
      await limitedServer.close();
    }
  });
});
