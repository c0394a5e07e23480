// A Salestrace site form on a site without a back end (issue 12 item 4): a plain HTML form posts
// to /pub/form/{code}, the loader's form hook fills its hidden `trace` field, and the lead gets
// the visitor's trace with the right source, pages, tags, previous trace and `form` channel.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { arriveFromSearch, hasChromium, launchChromium, newContext, screenshot, startSite, waitForTracker, type TestSite } from './harness.js';

describe.skipIf(!hasChromium)('a site form posted from Chromium', { timeout: 180_000 }, () => {
  let server: TestServer;
  let site: TestSite;
  let browser: Browser;
  const sources: Record<string, number> = {};
  let siteId = 0;
  let formId = 0;

  const ok = async (method: string, params: unknown) => {
    const answer = await callJson(server, method, params);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return (answer.body as { result: unknown }).result;
  };

  beforeAll(async () => {
    server = await startTestServer();
    const snippet = () => server.services.ports.tracker.loader(server.httpUrl);
    site = await startSite(() => snippet().loader + snippet().formHook);
    sources.partner = (await ok('salestrace.source.add', { fields: { NAME: 'Partner', UTM_SOURCE: ['partner'] } })) as number;
    sources.newsletter = (await ok('salestrace.source.add', { fields: { NAME: 'Newsletter', UTM_SOURCE: ['newsletter'] } })) as number;
    siteId = (await ok('salestrace.site.add', { fields: { ADDRESS: `http://shop.test:${site.port}/` } })) as number;
    formId = (await ok('salestrace.form.add', {
      fields: { NAME: 'Callback', SITE_ID: siteId, FIELDS: { name: 'NAME', phone: 'PHONE' }, THANKS_URL: `http://shop.test:${site.port}/thanks` },
    })) as number;
    const form = (await ok('salestrace.form.get', { id: formId })) as { URL: string };
    site.pages.set('/', { title: 'Shop', body: '<h1>Welcome</h1>' });
    site.pages.set('/catalog', { title: 'Catalog', body: '<h1>Catalog</h1>' });
    site.pages.set('/thanks', { title: 'Thanks', body: '<h1 id="thanks">Thank you</h1>' });
    site.pages.set('/order', {
      title: 'Order a call',
      body:
        `<h1>Order a call</h1><form method="post" action="${server.httpUrl}${form.URL}">` +
        '<input type="hidden" name="trace"><input name="name" placeholder="Name"><input name="phone" placeholder="Phone">' +
        '<input name="salestrace_hp" style="display:none" tabindex="-1" autocomplete="off"><button id="send">Call me back</button></form>',
    });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  it('creates a lead whose trace has the source, pages, tags, previous trace and form channel', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await arriveFromSearch(page, site, `${site.origin}/?utm_source=partner`);
    await page.goto(`${site.origin}/?utm_source=newsletter&utm_medium=email`);
    await waitForTracker(page);
    await page.goto(`${site.origin}/catalog`);
    await waitForTracker(page);
    await page.goto(`${site.origin}/order`);
    await waitForTracker(page);
    await page.fill('input[name=name]', 'Boris');
    await page.fill('input[name=phone]', '+7 999 000-11-22');
    await screenshot(page, 'form-filled');
    await Promise.all([page.waitForURL(`${site.origin}/thanks`), page.click('#send')]);
    await screenshot(page, 'form-thanks');

    const leads = (await ok('crm.lead.list', { select: ['ID', 'NAME', 'PHONE', 'TITLE'] })) as any[];
    expect(leads).toHaveLength(1);
    expect(leads[0]).toMatchObject({ NAME: 'Boris', TITLE: 'Callback', PHONE: [expect.objectContaining({ VALUE: '+7 999 000-11-22' })] });
    const traces = (await ok('salestrace.trace.list', { filter: { ENTITY_TYPE: 'LEAD', ENTITY_ID: leads[0].ID } })) as any[];
    const lead = [{ TYPE: 'LEAD', ENTITY_TYPE_ID: 1, ID: Number(leads[0].ID) }];
    const ref = { URL: `${site.searchOrigin}/`, DATE_INSERT: expect.any(Number), TITLE: 'search.test', IS_REF: 'Y' };
    const visited = (path: string, title: string) => ({ URL: `${site.origin}${path}`, DATE_INSERT: expect.any(Number), TITLE: title, IS_REF: 'N' });
    expect(traces).toEqual([
      {
        ID: 2,
        DATE_CREATE: expect.any(String),
        SOURCE_ID: sources.newsletter,
        SOURCE: { ID: sources.newsletter, CODE: null, NAME: 'Newsletter' },
        IS_MOBILE: 'N',
        TAGS: { UTM_SOURCE: 'newsletter', UTM_MEDIUM: 'email' },
        PAGES: [ref, visited('/?utm_source=newsletter&utm_medium=email', 'Welcome'), visited('/catalog', 'Catalog'), visited('/order', 'Order a call')],
        CHANNELS: [
          { CODE: 'site', VALUE: String(siteId) },
          { CODE: 'form', VALUE: String(formId) },
          { CODE: 'rest', VALUE: null },
        ],
        ENTITIES: lead,
        PARENT_IDS: [],
        PREVIOUS_IDS: [1],
      },
      {
        ID: 1,
        DATE_CREATE: expect.any(String),
        SOURCE_ID: sources.partner,
        SOURCE: { ID: sources.partner, CODE: null, NAME: 'Partner' },
        IS_MOBILE: 'N',
        TAGS: { UTM_SOURCE: 'partner' },
        PAGES: [ref, visited('/?utm_source=partner', 'Welcome')],
        CHANNELS: [{ CODE: 'site', VALUE: String(siteId) }],
        ENTITIES: lead,
        PARENT_IDS: [2],
        PREVIOUS_IDS: [],
      },
    ]);
    await context.close();
  });

  it('the same through fetch from the page: a JSON answer, and a filled honeypot writes nothing', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await arriveFromSearch(page, site, `${site.origin}/order?utm_source=newsletter`);
    const leadsBefore = ((await ok('crm.lead.list', {})) as unknown[]).length;
    const post = (fields: Record<string, string>) =>
      page.evaluate(async (extra) => {
        const w = globalThis as any;
        const form = w.document.querySelector('form');
        const body = new w.URLSearchParams({ trace: w.b24Tracker.guest.getTrace(), name: 'Vera', phone: '+7 900 111-22-33', ...extra });
        const response = await w.fetch(form.action, { method: 'POST', headers: { accept: 'application/json' }, body });
        return { status: response.status, body: await response.json() };
      }, fields);
    const spam = await post({ salestrace_hp: 'http://spam.example' });
    expect(spam.status).toBe(400);
    expect(((await ok('crm.lead.list', {})) as unknown[]).length).toBe(leadsBefore);
    const answer = await post({});
    expect(answer.status).toBe(200);
    expect(answer.body.result).toMatchObject({ LEAD_ID: expect.any(Number), CONTACT_ID: null, TRACE_ID: expect.any(Number) });
    const trace = (await ok('salestrace.trace.get', { id: answer.body.result.TRACE_ID })) as any;
    expect(trace).toMatchObject({
      SOURCE: { ID: sources.newsletter },
      TAGS: { UTM_SOURCE: 'newsletter' },
      CHANNELS: [
        { CODE: 'site', VALUE: String(siteId) },
        { CODE: 'form', VALUE: String(formId) },
        { CODE: 'rest', VALUE: null },
      ],
      ENTITIES: [{ TYPE: 'LEAD', ENTITY_TYPE_ID: 1, ID: answer.body.result.LEAD_ID }],
    });
    await context.close();
  });
});
