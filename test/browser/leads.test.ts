// A lead with its visitor's complete trace, through the documented flow: the page's own script
// puts b24Tracker.guest.getTrace() into the form's hidden TRACE field on load, the site's back
// end calls crm.lead.add with TRACE through b24jssdk (bitrix24-docs: tutorials/crm/
// how-to-use-analitycs/use-analitics-for-add-lead.md; sales-intelligence.md §5).
import { B24Hook } from '@bitrix24/b24jssdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { arriveFromSearch, hasChromium, launchChromium, screenshot, startSite, waitForTracker, type TestSite, newContext } from './harness.js';

// The documentation's form and script, unmodified.
const FEEDBACK = `
<h1>Feedback</h1>
<form method="post" action="/">
    <input type="hidden" id="FORM_TRACE" name="TRACE">
    <input type="text" name="NAME" required>
    <input type="text" name="LAST_NAME" required>
    <input type="text" name="PHONE" required>
    <input type="submit" name="SAVE" value="Send">
</form>
<script>
    window.onload = function(e){
        var traceInput = document.getElementById('FORM_TRACE');
        if(
            traceInput
            && typeof b24Tracker !== 'undefined'
            && b24Tracker.guest
            && typeof b24Tracker.guest.getTrace === 'function'
        )
        {
            traceInput.value = b24Tracker.guest.getTrace();
        }
    }
</script>`;

const FAST = { rateLimit: { burstLimit: 10_000, drainRate: 1_000, adaptiveEnabled: false } };

describe.skipIf(!hasChromium)('a lead from a website form with the visitor trace', { timeout: 180_000 }, () => {
  let server: TestServer;
  let site: TestSite;
  let browser: Browser;
  const sources: Record<string, number> = {};

  const ok = async (method: string, params: unknown) => {
    const answer = await callJson(server, method, params);
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    return (answer.body as { result: unknown }).result;
  };

  beforeAll(async () => {
    server = await startTestServer();
    site = await startSite(() => server.services.ports.tracker.loader(server.httpUrl).loader);
    site.pages.set('/', { title: 'Shop', body: '<h1>Welcome</h1>' });
    site.pages.set('/catalog', { title: 'Catalog', body: '<h1>Catalog</h1>' });
    site.pages.set('/feedback', { title: 'Feedback', body: FEEDBACK });
    sources.partner = (await ok('salestrace.source.add', { fields: { NAME: 'Partner', UTM_SOURCE: ['partner'] } })) as number;
    sources.newsletter = (await ok('salestrace.source.add', { fields: { NAME: 'Newsletter', UTM_SOURCE: ['newsletter'] } })) as number;
    await ok('salestrace.site.add', { fields: { ADDRESS: `http://shop.test:${site.port}/` } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await site?.close();
    await server?.close();
  });

  it('crm.lead.add with TRACE from the form binds the trace with its source, pages, tags and previous trace', async () => {
    // The site's back end, as the documentation writes it (b24jssdk on Node.js).
    const $b24 = B24Hook.fromWebhookUrl(server.webhookHttpsUrl, { restrictionParams: FAST });
    let leadId = 0;
    site.posts.set('/', async (form) => {
      const answer = await $b24.actions.v2.call.make({
        method: 'crm.lead.add',
        requestId: 'lead-add',
        params: {
          fields: {
            TITLE: `Feedback page: ${form.get('NAME')} ${form.get('LAST_NAME')}`,
            NAME: form.get('NAME'),
            LAST_NAME: form.get('LAST_NAME'),
            PHONE: [{ VALUE: form.get('PHONE'), VALUE_TYPE: 'WORK' }],
            TRACE: form.get('TRACE'),
          },
        },
      });
      if (!answer.isSuccess) throw new Error(answer.getErrorMessages().join('; '));
      leadId = answer.getData()!.result as number;
      return { title: 'Thank you', body: `<h1>Thank you</h1><p id="lead">${leadId}</p>` };
    });

    const context = await newContext(browser);
    const page = await context.newPage();
    await arriveFromSearch(page, site, `${site.origin}/?utm_source=partner`);
    await page.goto(`${site.origin}/?utm_source=newsletter&utm_medium=email&utm_campaign=may`);
    await waitForTracker(page);
    await page.goto(`${site.origin}/catalog`);
    await waitForTracker(page);
    await page.goto(`${site.origin}/feedback`);
    await waitForTracker(page);
    await page.waitForFunction(() => (globalThis as any).document.getElementById('FORM_TRACE').value !== '');
    await page.fill('input[name=NAME]', 'Anna');
    await page.fill('input[name=LAST_NAME]', 'Petrova');
    await page.fill('input[name=PHONE]', '+7 999 123-45-67');
    await screenshot(page, 'lead-form');
    await Promise.all([page.waitForSelector('#lead'), page.click('input[name=SAVE]')]);
    await screenshot(page, 'lead-thanks');
    expect(leadId).toBeGreaterThan(0);

    const list = (await ok('salestrace.trace.list', { filter: { ENTITY_TYPE: 'LEAD', ENTITY_ID: leadId } })) as any[];
    const lead = [{ TYPE: 'LEAD', ENTITY_TYPE_ID: 1, ID: leadId }];
    const ref = { URL: `${site.searchOrigin}/`, DATE_INSERT: expect.any(Number), TITLE: 'search.test', IS_REF: 'Y' };
    const visited = (path: string, title: string) => ({ URL: `${site.origin}${path}`, DATE_INSERT: expect.any(Number), TITLE: title, IS_REF: 'N' });
    expect(list).toEqual([
      {
        ID: 2,
        DATE_CREATE: expect.any(String),
        SOURCE_ID: sources.newsletter,
        SOURCE: { ID: sources.newsletter, CODE: null, NAME: 'Newsletter' },
        IS_MOBILE: 'N',
        TAGS: { UTM_SOURCE: 'newsletter', UTM_MEDIUM: 'email', UTM_CAMPAIGN: 'may' },
        PAGES: [ref, visited('/?utm_source=newsletter&utm_medium=email&utm_campaign=may', 'Welcome'), visited('/catalog', 'Catalog'), visited('/feedback', 'Feedback')],
        CHANNELS: [
          { CODE: 'site', VALUE: '1' },
          { CODE: 'rest', VALUE: null },
        ],
        ENTITIES: lead,
        PARENT_IDS: [],
        PREVIOUS_IDS: [1],
      },
      {
        // The first campaign visit, kept by the browser as a previous trace.
        ID: 1,
        DATE_CREATE: expect.any(String),
        SOURCE_ID: sources.partner,
        SOURCE: { ID: sources.partner, CODE: null, NAME: 'Partner' },
        IS_MOBILE: 'N',
        TAGS: { UTM_SOURCE: 'partner' },
        PAGES: [ref, visited('/?utm_source=partner', 'Welcome')],
        CHANNELS: [{ CODE: 'site', VALUE: '1' }],
        ENTITIES: lead,
        PARENT_IDS: [2],
        PREVIOUS_IDS: [],
      },
    ]);
    // getTrace() on load cleared the previous traces in the browser; the visit itself is still there.
    const after = await page.evaluate(() => {
      const storage = (globalThis as any).localStorage;
      return { traces: storage.getItem('b24_crm_guest_traces'), tags: JSON.parse(storage.getItem('b24_crm_guest_utm')) };
    });
    expect(after.traces).toBeNull();
    expect(after.tags.list).toEqual({ utm_source: 'newsletter', utm_medium: 'email', utm_campaign: 'may' });
    await context.close();
  });
});
