// A visitor in a real Chromium: arrival from a search page with UTM tags, three pages, a second
// campaign that turns the first visit into a previous trace, and what the browser stores
// (tracker-and-calls.md §1.3–§1.6, sales-intelligence.md §2.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { arriveFromSearch, guestRequests, hasChromium, launchChromium, screenshot, startSite, waitForTracker, type TestSite, newContext } from './harness.js';

if (!hasChromium) console.warn('test/browser: /usr/bin/chromium is missing (apt-get install chromium); the browser tests are skipped');

describe.skipIf(!hasChromium)('the tracker in Chromium: visits and getTrace()', { timeout: 180_000 }, () => {
  let server: TestServer;
  let site: TestSite;
  let browser: Browser;

  beforeAll(async () => {
    server = await startTestServer();
    site = await startSite(() => server.services.ports.tracker.loader(server.httpUrl).loader);
    site.pages.set('/', { title: 'Shop', body: '<h1>Welcome to the shop</h1><p>Fresh flowers every day.</p>' });
    site.pages.set('/catalog', { title: 'Catalog · Shop', body: '<p>No heading here, the title is used.</p>' });
    site.pages.set('/contacts', { title: 'Contacts', body: '<h1>  Contacts and opening hours of our flower shop in the city centre  </h1>' });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  const trace = (page: Page, method: 'remindTrace' | 'getTrace' = 'remindTrace') =>
    page.evaluate((name) => JSON.parse((globalThis as any).b24Tracker.guest[name]()), method);
  const stored = (page: Page, key: string) => page.evaluate((name) => JSON.parse((globalThis as any).localStorage.getItem(name) ?? 'null'), key);

  it('records UTM tags, the external referrer and three pages, and getTrace() has the reference shape', async () => {
    const context = await newContext(browser);
    const requests = guestRequests(context);
    const page = await context.newPage();
    const started = Math.floor(Date.now() / 1000);
    const landing = `${site.origin}/?utm_source=newsletter&utm_medium=email&utm_campaign=spring%20sale&utm_content=&utm_term=a+b`;
    await arriveFromSearch(page, site, landing);
    await page.goto(`${site.origin}/catalog`);
    await waitForTracker(page);
    await page.goto(`${site.origin}/contacts`);
    await waitForTracker(page);
    const ended = Math.ceil(Date.now() / 1000);
    await screenshot(page, 'visits-contacts');

    const got = await trace(page);
    // Key order as the portal tracker builds it; `ref` is there because a referrer was stored.
    expect(Object.keys(got)).toEqual(['url', 'ref', 'device', 'tags', 'client', 'pages', 'gid', 'previous']);
    expect(got.url).toBe(`${site.origin}/contacts`);
    expect(got.ref).toBe(`${site.searchOrigin}/`);
    expect(got.device).toEqual({ isMobile: false });
    expect(Object.keys(got.tags)).toEqual(['ts', 'list', 'gclid']);
    expect(got.tags.ts).toBeGreaterThanOrEqual(started);
    expect(got.tags.ts).toBeLessThanOrEqual(ended);
    // Blank values are dropped; `+` stays a plus (decodeURIComponent only).
    expect(got.tags.list).toEqual({ utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'spring sale', utm_term: 'a+b' });
    expect(got.tags.gclid).toBeNull();
    expect(got.client).toEqual({});
    expect(got.pages.list.map((item: unknown[]) => [item[0], item[2]])).toEqual([
      [landing, 'Welcome to the shop'],
      [`${site.origin}/catalog`, 'Catalog · Shop'],
      [`${site.origin}/contacts`, 'Contacts and opening hours of our flower'],
    ]);
    for (const item of got.pages.list) {
      expect(item[1]).toBeGreaterThanOrEqual(started);
      expect(item[1]).toBeLessThanOrEqual(ended);
    }
    expect(got.gid).toBeNull();
    expect(got.previous).toEqual({ list: [] });

    // The storage a portal's tracker uses, key by key (§1.4).
    expect(await stored(page, 'b24_crm_guest_utm')).toEqual(got.tags);
    const ref = await stored(page, 'b24_crm_guest_ref');
    expect(ref).toEqual({ ts: expect.any(Number), ref: `${site.searchOrigin}/`, cacheData: { time: expect.any(Number), ttl: 28 * 86400 } });
    expect(await stored(page, 'b24_crm_guest_pages')).toEqual(got.pages.list);
    expect(await stored(page, 'b24_crm_guest_traces')).toBeNull();
    // Nothing is sent to the server for plain visits without a guest id.
    expect(requests).toEqual([]);
    await context.close();
  });

  it('a second campaign turns the first visit into a previous trace, and getTrace() clears only that list', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const first = `${site.origin}/?utm_source=newsletter&utm_campaign=spring`;
    await arriveFromSearch(page, site, first);
    await page.goto(`${site.origin}/catalog`);
    await waitForTracker(page);
    const before = await trace(page);

    const second = `${site.origin}/contacts?utm_source=partner&gclid=G-1`;
    await page.goto(second);
    await waitForTracker(page);
    await screenshot(page, 'visits-second-campaign');
    const got = await page.evaluate(() => JSON.parse((globalThis as any).b24Tracker.guest.getTrace()));

    // The previous trace: the old tags, referrer and pages, with the URL of the page that found the new campaign.
    expect(got.previous.list).toEqual([
      { url: second, ref: `${site.searchOrigin}/`, device: { isMobile: false }, tags: before.tags, client: {}, pages: before.pages, gid: null },
    ]);
    expect(got.tags).toEqual({ ts: expect.any(Number), list: { utm_source: 'partner' }, gclid: 'G-1' });
    expect(got.pages.list.map((item: unknown[]) => item[0])).toEqual([second]);
    expect(got.ref).toBe(`${site.searchOrigin}/`);
    // Reading cleared the previous traces; tags, pages and referrer remain.
    expect(await stored(page, 'b24_crm_guest_traces')).toBeNull();
    const again = await trace(page);
    expect(again.previous).toEqual({ list: [] });
    expect(again.tags).toEqual(got.tags);
    expect(again.pages).toEqual(got.pages);
    await context.close();
  });

  it('keeps the history a portal tracker left in the browser (same keys and formats)', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await page.goto(`${site.origin}/catalog`);
    await waitForTracker(page);
    const ts = Math.floor(Date.now() / 1000) - 3 * 86400;
    // What a Bitrix24 tracker stored on an earlier visit.
    await page.evaluate((when) => {
      (globalThis as any).localStorage.clear();
      (globalThis as any).localStorage.setItem('b24_crm_guest_utm', JSON.stringify({ ts: when, list: { utm_source: 'google', utm_medium: 'cpc' }, gclid: 'abc' }));
      (globalThis as any).localStorage.setItem('b24_crm_guest_pages', JSON.stringify([['https://old.example/page', when, 'Old page']]));
      (globalThis as any).localStorage.setItem('b24_crm_guest_id', JSON.stringify('portal-guest-1'));
      (globalThis as any).sessionStorage.setItem('b24_crm_guest_id_returned', 'y');
    }, ts);
    await page.goto(`${site.origin}/`);
    await waitForTracker(page);
    const got = await trace(page);
    expect(got.tags).toEqual({ ts, list: { utm_source: 'google', utm_medium: 'cpc' }, gclid: 'abc' });
    expect(got.pages.list.map((item: unknown[]) => item[0])).toEqual(['https://old.example/page', `${site.origin}/`]);
    expect(got.gid).toBe('portal-guest-1');

    // Tags older than the attribution window (28 days by default) are dropped on the next page.
    await page.evaluate((when) => {
      (globalThis as any).localStorage.setItem('b24_crm_guest_utm', JSON.stringify({ ts: when, list: { utm_source: 'google' }, gclid: null }));
    }, Math.floor(Date.now() / 1000) - 29 * 86400);
    await page.goto(`${site.origin}/catalog`);
    await waitForTracker(page);
    expect((await trace(page)).tags).toEqual({});
    expect(await stored(page, 'b24_crm_guest_utm')).toBeNull();
    await context.close();
  });
});
