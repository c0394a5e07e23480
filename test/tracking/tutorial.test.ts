// The docs' tutorial "How to Link a Contact and a Deal to Sales Intelligence"
// (tutorials/crm/how-to-use-analitycs/use-analitics-for-add-contact.md) end to end with the
// official JS SDK over HTTPS: a contact and a deal made with crm.item.add, one trace bound to
// both, read back, then deleted, leaving nothing behind.
import { AjaxError, B24Hook } from '@bitrix24/b24jssdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { expectIntegrity, trackingCounts } from './helpers.js';

const FAST = { rateLimit: { burstLimit: 10_000, drainRate: 1_000, adaptiveEnabled: false } };

let server: TestServer;
let $b24: B24Hook;
beforeAll(async () => {
  server = await startTestServer();
  $b24 = B24Hook.fromWebhookUrl(server.webhookHttpsUrl, { restrictionParams: FAST });
  // The site's ads use utm_source=google-maps (the value the crm.tracking.trace.add page uses).
  await $b24.actions.v2.call.make({ method: 'salestrace.source.update', params: { id: 1, fields: { UTM_SOURCE: ['google-maps'] } } });
});
afterAll(async () => {
  await server.close();
});

/** What b24Tracker.guest.getTrace() hands the form (sales-intelligence.md §2.1). */
const trace = JSON.stringify({
  url: 'https://shop.example.com/contact-us',
  ref: 'https://www.google.com/maps',
  device: { isMobile: false },
  tags: { ts: 1767000000, list: { utm_source: 'google-maps', utm_medium: 'cpc', utm_campaign: 'spring' }, gclid: null },
  client: { gaId: 'GA1.1.1' },
  pages: { list: [['https://shop.example.com/', 1767000010, 'Shop'], ['https://shop.example.com/contact-us', 1767000060, 'Contact us']] },
  gid: 'guest-7',
  previous: { list: [{ url: 'https://shop.example.com/blog', tags: { ts: 1766000000, list: { utm_source: 'newsletter' } }, pages: { list: [['https://shop.example.com/blog', 1766000005, 'Blog']] } }] },
});

describe('the tutorial with @bitrix24/b24jssdk over HTTPS', () => {
  it('creates a contact and a deal, binds both to one trace, reads it back and deletes it', async () => {
    const contactResponse = await $b24.actions.v2.call.make<{ item: { id: number } }>({
      method: 'crm.item.add',
      params: { entityTypeId: 3, fields: { name: 'Jane', lastName: 'Doe', fm: [{ typeId: 'PHONE', valueType: 'WORK', value: '+1 555 0100' }] } },
      requestId: 'contact-add',
    });
    expect(contactResponse.isSuccess).toBe(true);
    const contactId = contactResponse.getData()!.result.item.id;

    const dealResponse = await $b24.actions.v2.call.make<{ item: { id: number; contactIds: number[] } }>({
      method: 'crm.item.add',
      params: { entityTypeId: 2, fields: { title: 'Inquiry from website: Jane Doe', contactIds: [contactId] } },
      requestId: 'deal-add',
    });
    expect(dealResponse.isSuccess).toBe(true);
    const dealId = dealResponse.getData()!.result.item.id;
    expect(dealResponse.getData()!.result.item.contactIds).toEqual([contactId]);
    // crm.item.add creates no trace.
    expect(await trackingCounts(server)).toEqual({ traces: 0, items: 0, channels: 0, tree: 0 });

    const traceResponse = await $b24.actions.v2.call.make<number>({
      method: 'crm.tracking.trace.add',
      params: { TRACE: trace, ENTITIES: [{ TYPE: 'CONTACT', ID: contactId }, { TYPE: 'DEAL', ID: dealId }] },
      requestId: 'trace-add',
    });
    expect(traceResponse.isSuccess).toBe(true);
    const traceId = traceResponse.getData()!.result;
    expect(Number.isInteger(traceId)).toBe(true);

    const read = await $b24.actions.v2.call.make<any>({ method: 'salestrace.trace.get', params: { id: traceId } });
    const entities = [
      { TYPE: 'CONTACT', ENTITY_TYPE_ID: 3, ID: contactId },
      { TYPE: 'DEAL', ENTITY_TYPE_ID: 2, ID: dealId },
    ];
    expect(read.getData()!.result).toMatchObject({
      ID: traceId,
      SOURCE_ID: 1,
      SOURCE: { ID: 1, CODE: 'google', NAME: 'Google Ads' },
      IS_MOBILE: 'N',
      TAGS: { UTM_SOURCE: 'google-maps', UTM_MEDIUM: 'cpc', UTM_CAMPAIGN: 'spring' },
      PAGES: [
        { URL: 'https://www.google.com/maps', DATE_INSERT: 1767000010, TITLE: 'www.google.com', IS_REF: 'Y' },
        { URL: 'https://shop.example.com/', DATE_INSERT: 1767000010, TITLE: 'Shop', IS_REF: 'N' },
        { URL: 'https://shop.example.com/contact-us', DATE_INSERT: 1767000060, TITLE: 'Contact us', IS_REF: 'N' },
      ],
      CHANNELS: [{ CODE: 'site-domain', VALUE: 'shop.example.com' }],
      ENTITIES: entities,
      PREVIOUS_IDS: [traceId - 1],
      PREVIOUS: [{ ID: traceId - 1, SOURCE_ID: 0, TAGS: { UTM_SOURCE: 'newsletter' }, ENTITIES: entities, PREVIOUS: [] }],
    });
    // Both items had no UTM values: they now carry the trace's tags.
    const contact = await $b24.actions.v2.call.make<any>({ method: 'crm.contact.get', params: { id: contactId } });
    expect([contact.getData()!.result.UTM_SOURCE, contact.getData()!.result.UTM_CAMPAIGN]).toEqual(['google-maps', 'spring']);
    const byItem = await $b24.actions.v2.call.make<any[]>({ method: 'salestrace.trace.list', params: { filter: { ENTITY_TYPE: 'DEAL', ENTITY_ID: dealId } } });
    expect(byItem.getData()!.result.map((row) => row.ID)).toEqual([traceId, traceId - 1]);

    const deleted = await $b24.actions.v2.call.make<null>({ method: 'crm.tracking.trace.delete', params: { id: traceId } });
    expect(deleted.isSuccess).toBe(true);
    expect(deleted.getData()!.result).toBeNull();
    let error: unknown;
    try {
      await $b24.actions.v2.call.make({ method: 'salestrace.trace.get', params: { id: traceId } });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(AjaxError);
    expect((error as AjaxError).code).toBe('TRACE_NOT_FOUND');
    expect(await trackingCounts(server)).toEqual({ traces: 0, items: 0, channels: 0, tree: 0 });
    await expectIntegrity(server.services.db);
    // The items themselves stay, with the UTM values they were given.
    const after = await $b24.actions.v2.call.make<any>({ method: 'crm.item.get', params: { entityTypeId: 2, id: dealId } });
    expect(after.getData()!.result.item.utmSource).toBe('google-maps');
  });
});
