// Number substitution in Chromium (tracker-and-calls.md §2.3–§2.5): the source's phone and
// e-mail replace the site's own in text and links, with and without enrichText and resolveDup;
// a tap on a number on a mobile stores a trace with a `call` channel; b24order.push sends orders.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devices, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { arriveFromSearch, guestRequests, hasChromium, launchChromium, screenshot, startSite, waitForTracker, type TestSite, newContext, POLL } from './harness.js';

const CONTACTS = `
<h1>Contacts</h1>
<p id="text">Call us: +7 (495) 000-00-00 or write to info@shop.test</p>
<p id="links"><a id="tel" href="tel:+74950000000">+7 (495) 000-00-00</a> <a id="tel2" href="tel:+7 495 000 00 00">+7 495 000 00 00</a></p>
<p id="mail"><a id="mailto" href="mailto:info@shop.test">Write: info@shop.test</a></p>
<p id="other">Our other office: 8 812 555-44-33</p>
<script>window.b24order = [{ id: 'A-1', sum: '12.50' }];</script>`;

describe.skipIf(!hasChromium)('number substitution and call tracking in Chromium', { timeout: 180_000 }, () => {
  let server: TestServer;
  let site: TestSite;
  let browser: Browser;
  let siteId: number;
  let sourceId: number;

  const ok = async (method: string, params: unknown) => {
    const answer = await callJson(server, method, params);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return (answer.body as { result: unknown }).result;
  };
  const shown = (page: Page) =>
    page.evaluate(() => {
      const doc = (globalThis as any).document;
      const view = (id: string) => {
        const element = doc.getElementById(id);
        return { html: element.innerHTML, hidden: element.style.display === 'none' };
      };
      return {
        text: doc.getElementById('text').innerHTML,
        tel: { href: doc.getElementById('tel').getAttribute('href'), ...view('tel') },
        tel2: { href: doc.getElementById('tel2').getAttribute('href'), ...view('tel2') },
        mailto: { href: doc.getElementById('mailto').getAttribute('href'), ...view('mailto') },
        other: doc.getElementById('other').innerHTML,
      };
    });

  async function visit(target: string, options: Parameters<Browser['newContext']>[0] = {}) {
    const context = await newContext(browser, options);
    const requests = guestRequests(context);
    const page = await context.newPage();
    await arriveFromSearch(page, site, target);
    // The tracker rewrites the page at DOM ready, right after the guest module has run.
    await page.waitForFunction(() => (globalThis as any).b24Tracker?.Manager?.Instance?.site !== undefined);
    return { context, page, requests };
  }

  beforeAll(async () => {
    server = await startTestServer();
    site = await startSite(() => server.services.ports.tracker.loader(server.httpUrl).loader);
    site.pages.set('/contacts', { title: 'Contacts', body: CONTACTS });
    sourceId = (await ok('salestrace.source.add', {
      fields: { NAME: 'Newsletter', UTM_SOURCE: ['newsletter'], PHONE: ['+7 495 111-22-33'], EMAIL: ['news@shop.test'] },
    })) as number;
    siteId = (await ok('salestrace.site.add', {
      fields: { ADDRESS: `http://shop.test:${site.port}/`, PHONES: ['+7 (495) 000-00-00'], EMAILS: ['info@shop.test'] },
    })) as number;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  /** Traces /pub/guest.php stored since `after` (the administrator sees unbound traces too). */
  const tracesAfter = async (after: number) =>
    ((await ok('salestrace.trace.list', { order: { ID: 'ASC' } })) as any[]).filter((trace) => trace.ID > after);
  const lastTraceId = async () => Math.max(0, ...((await ok('salestrace.trace.list', {})) as any[]).map((trace) => trace.ID));

  const setFlags = (fields: Record<string, string>) => ok('salestrace.site.update', { id: siteId, fields });

  it('replaces, enriches and resolves duplicates for a visitor from the source (defaults: all on)', async () => {
    await setFlags({ REPLACE_TEXT: 'Y', ENRICH_TEXT: 'Y', RESOLVE_DUPLICATES: 'Y' });
    const before = await lastTraceId();
    const { context, page, requests } = await visit(`${site.origin}/contacts?utm_source=newsletter`);
    await screenshot(page, 'substitution-enriched');
    expect(await shown(page)).toEqual({
      // Enriched: each number in the text becomes a link to the source's number.
      text: 'Call us: <a href="tel:+74951112233">+74951112233</a> or write to <a href="mailto:news@shop.test">news@shop.test</a>',
      tel: { href: 'tel:+74951112233', html: '+74951112233', hidden: false },
      // The second link in the same paragraph is a duplicate now, and is hidden.
      tel2: { href: 'tel:+74951112233', html: '+74951112233', hidden: true },
      mailto: { href: 'mailto:news@shop.test', html: 'Write: news@shop.test', hidden: false },
      other: 'Our other office: 8 812 555-44-33',
    });
    // A new utm_source with a phone pool: one trace with the source's number as the `call` channel (§2.5),
    // and the queued order.
    await expect.poll(() => requests.length, POLL).toBe(2);
    const stored = requests.find((item) => item.a === 'storeTrace')!;
    const trace = JSON.parse(JSON.parse(stored.d).trace);
    expect(trace.channels).toEqual([{ code: 'call', value: '+74951112233' }]);
    expect(trace.tags.list).toEqual({ utm_source: 'newsletter' });
    expect(trace.url).toBe(`${site.origin}/contacts?utm_source=newsletter`);
    const order = requests.find((item) => item.a === 'registerOrder')!;
    const orderTrace = JSON.parse(JSON.parse(order.d).trace);
    expect(orderTrace.channels).toEqual([{ code: 'order', value: 'A-1' }]);
    expect(orderTrace.order).toEqual({ id: 'A-1', sum: 12.5 });
    // The server attributes the call trace to the newsletter by its tags and its pool number.
    await expect.poll(async () => (await tracesAfter(before)).length, POLL).toBe(2);
    const call = (await tracesAfter(before)).find((item) => item.CHANNELS.some((channel: { CODE: string }) => channel.CODE === 'call'));
    expect(call).toMatchObject({
      SOURCE: { ID: sourceId, NAME: 'Newsletter' },
      TAGS: { UTM_SOURCE: 'newsletter' },
      CHANNELS: [
        { CODE: 'site', VALUE: String(siteId) },
        { CODE: 'call', VALUE: '74951112233' },
      ],
    });
    await context.close();
  });

  it('without enrichText the text is swapped in place; without resolveDup both links stay', async () => {
    await setFlags({ REPLACE_TEXT: 'Y', ENRICH_TEXT: 'N', RESOLVE_DUPLICATES: 'N' });
    const { context, page } = await visit(`${site.origin}/contacts?utm_source=newsletter`);
    await screenshot(page, 'substitution-plain');
    expect(await shown(page)).toEqual({
      text: 'Call us: +74951112233 or write to news@shop.test',
      tel: { href: 'tel:+74951112233', html: '+74951112233', hidden: false },
      tel2: { href: 'tel:+74951112233', html: '+74951112233', hidden: false },
      mailto: { href: 'mailto:news@shop.test', html: 'Write: news@shop.test', hidden: false },
      other: 'Our other office: 8 812 555-44-33',
    });
    await context.close();
  });

  it('without replaceText only links change; a visitor from no source keeps the site\'s own numbers', async () => {
    await setFlags({ REPLACE_TEXT: 'N', ENRICH_TEXT: 'Y', RESOLVE_DUPLICATES: 'Y' });
    const fromSource = await visit(`${site.origin}/contacts?utm_source=newsletter`);
    expect((await shown(fromSource.page)).text).toBe('Call us: +7 (495) 000-00-00 or write to info@shop.test');
    expect((await shown(fromSource.page)).tel.href).toBe('tel:+74951112233');
    await fromSource.context.close();

    await setFlags({ REPLACE_TEXT: 'Y', ENRICH_TEXT: 'Y', RESOLVE_DUPLICATES: 'Y' });
    const organic = await visit(`${site.origin}/contacts`);
    await screenshot(organic.page, 'substitution-organic');
    expect(await shown(organic.page)).toEqual({
      // No source matched: the site's own numbers, made clickable by enrichText (§2.4).
      text: 'Call us: <a href="tel:+74950000000">+7 (495) 000-00-00</a> or write to <a href="mailto:info@shop.test">info@shop.test</a>',
      tel: { href: 'tel:+74950000000', html: '+7 (495) 000-00-00', hidden: false },
      // resolveDup applies only when a source matched; the map is the identity, so the link text
      // takes the site's listed form of its number (matched on cleaned forms, §2.4).
      tel2: { href: 'tel:+74950000000', html: '+7 (495) 000-00-00', hidden: false },
      mailto: { href: 'mailto:info@shop.test', html: 'Write: info@shop.test', hidden: false },
      other: 'Our other office: 8 812 555-44-33',
    });
    // No source: no automatic call trace; the order queued by the page is still sent.
    await expect.poll(() => organic.requests.map((item) => item.a), POLL).toEqual(['registerOrder']);
    await organic.context.close();
  });

  it('a tap on a phone link on a mobile stores a trace with a call channel, once per number', async () => {
    const before = await lastTraceId();
    const { context, page, requests } = await visit(`${site.origin}/contacts`, { ...devices['Pixel 5'] });
    await page.evaluate(() => {
      // Keep the page: a tel: link would hand over to the dialler.
      (globalThis as any).document.addEventListener('click', (event: any) => event.preventDefault());
    });
    await page.tap('#tel');
    await page.tap('#tel');
    await screenshot(page, 'substitution-mobile');
    await expect.poll(() => requests.filter((item) => item.a === 'storeTrace').length, POLL).toBe(1);
    await page.waitForTimeout(300);
    const calls = requests.filter((item) => item.a === 'storeTrace');
    expect(calls).toHaveLength(1);
    const trace = JSON.parse(JSON.parse(calls[0].d).trace);
    expect(trace.device).toEqual({ isMobile: true });
    expect(trace.channels).toEqual([{ code: 'call', value: '+74950000000' }]);
    expect(trace.pages.list.map((item: unknown[]) => item[0])).toEqual([`${site.origin}/contacts`]);
    expect(trace.ref).toBe(`${site.searchOrigin}/`);
    // /pub/guest.php stored it (with the queued order's trace): an unbound trace with the call channel.
    await expect.poll(async () => (await tracesAfter(before)).length, POLL).toBe(2);
    const saved = (await tracesAfter(before)).find((item) => item.CHANNELS.some((channel: { CODE: string }) => channel.CODE === 'call'));
    expect(saved).toMatchObject({
      SOURCE_ID: 0,
      IS_MOBILE: 'Y',
      PAGES: [
        { URL: `${site.searchOrigin}/`, TITLE: 'search.test', IS_REF: 'Y' },
        { URL: `${site.origin}/contacts`, TITLE: 'Contacts', IS_REF: 'N' },
      ],
      // The site channel of an own site, and the tapped number in E.164 digits.
      CHANNELS: [
        { CODE: 'site', VALUE: String(siteId) },
        { CODE: 'call', VALUE: '74950000000' },
      ],
      ENTITIES: [],
    });
    await context.close();
  });

  it('b24order.push after load registers each order once; a repeated id sends an empty d', async () => {
    const before = await lastTraceId();
    const { context, page, requests } = await visit(`${site.origin}/contacts`);
    await expect.poll(() => requests.filter((item) => item.a === 'registerOrder').length, POLL).toBe(1);
    await page.evaluate(() => {
      const w = globalThis as any;
      w.b24order.push({ id: 77, sum: 1500 });
      w.b24order.push({ id: 77, sum: 1500 });
    });
    await expect.poll(() => requests.filter((item) => item.a === 'registerOrder').length, POLL).toBe(3);
    const orders = requests.filter((item) => item.a === 'registerOrder');
    expect(JSON.parse(JSON.parse(orders[1].d).trace).channels).toEqual([{ code: 'order', value: '77' }]);
    expect(JSON.parse(JSON.parse(orders[1].d).trace).order).toEqual({ id: '77', sum: 1500 });
    expect(orders[2].d).toBe('{}');
    // Stored by /pub/guest.php as unbound traces with the order channel; the empty one stores nothing.
    await expect.poll(async () => (await tracesAfter(before)).length, POLL).toBe(2);
    await page.waitForTimeout(300);
    const saved = await tracesAfter(before);
    expect(saved.map((trace) => trace.CHANNELS)).toEqual([
      [
        { CODE: 'site', VALUE: String(siteId) },
        { CODE: 'order', VALUE: 'A-1' },
      ],
      [
        { CODE: 'site', VALUE: String(siteId) },
        { CODE: 'order', VALUE: '77' },
      ],
    ]);
    expect(saved.every((trace) => trace.ENTITIES.length === 0 && trace.IS_MOBILE === 'N')).toBe(true);
    await context.close();
  });

  it('link(gid) stores the guest ID /pub/guest.php answers, and a returning guest is reported once per session', async () => {
    const { context, page, requests } = await visit(`${site.origin}/contacts`);
    const gid = 'a'.repeat(32);
    await page.evaluate((id) => (globalThis as any).b24Tracker.guest.link(id), gid);
    // The answer is read across origins (an active own site's origin gets credentials).
    await page.waitForFunction(() => (globalThis as any).b24Tracker.guest.getGidCookie() !== null);
    expect(await page.evaluate(() => JSON.parse((globalThis as any).b24Tracker.guest.remindTrace()).gid)).toBe(gid);
    expect(requests.filter((item) => item.a === 'link')).toEqual([{ a: 'link', gid }]);
    // Linking marked this tab's session as reported; a new tab is a new session and reports the
    // return once, however many pages it opens.
    expect(requests.filter((item) => item.a === 'event')).toEqual([]);
    const second = await context.newPage();
    await second.goto(`${site.origin}/contacts`);
    await second.waitForFunction(() => (globalThis as any).b24Tracker?.guest?.isInit === true);
    await second.goto(`${site.origin}/contacts`);
    await second.waitForFunction(() => (globalThis as any).b24Tracker?.guest?.isInit === true);
    await expect.poll(() => requests.filter((item) => item.a === 'event').length, POLL).toBe(1);
    expect(requests.filter((item) => item.a === 'event')).toEqual([{ gid, a: 'event', e: 'Return' }]);
    await context.close();
  });
});
