// Links between items and the lifecycle hooks: deleting an item lets go of every link to it and
// of its UTM rows and multi-fields, and the add / delete hooks run inside the item's own
// transaction with the fields as the caller sent them.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ItemAddedEvent } from '../../src/crm/contract.js';
import { legacyError } from '../../src/rest/errors.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { crmSnapshot, ok } from './helpers.js';

let server: TestServer;
const added: ItemAddedEvent[] = [];
const deleted: { entityTypeId: number; id: number; rowSeen: boolean; utmSeen: number }[] = [];
let refuseDelete = false;

beforeAll(async () => {
  server = await startTestServer();
  server.services.crm.onItemAdded(async (trx, event) => {
    // The row and its UTM values are already written, in this transaction.
    const row = await (trx as any).selectFrom(`crm_${{ 1: 'lead', 2: 'deal', 3: 'contact', 4: 'company', 7: 'quote' }[event.entityTypeId]}`).select('id').where('id', '=', event.id).executeTakeFirst();
    if (!row) throw new Error('the add hook must see the new row');
    if (event.fields.TRACE === 'reject') throw legacyError('Trace rejected');
    added.push(event);
  });
  server.services.crm.onItemDeleted(async (trx, entityTypeId, id) => {
    const row = await (trx as any).selectFrom('crm_deal').select('id').where('id', '=', id).executeTakeFirst();
    const utm = await trx.selectFrom('crm_utm').select('code').where('entity_type_id', '=', entityTypeId).where('entity_id', '=', id).execute();
    deleted.push({ entityTypeId, id, rowSeen: entityTypeId !== 2 || row !== undefined, utmSeen: utm.length });
    if (refuseDelete) throw legacyError('Bindings locked');
  });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  added.length = 0;
  deleted.length = 0;
  refuseDelete = false;
});

const item = async (entityTypeId: number, id: number) => (await ok(server, 'crm.item.get', { entityTypeId, id })).item;

describe('deleting an item removes its links', () => {
  it('a contact leaves the deals, leads, quotes and companies it was bound to', async () => {
    const c1 = await ok(server, 'crm.contact.add', { fields: { NAME: 'One', PHONE: [{ VALUE: '+1' }], UTM_SOURCE: 'google' } });
    const c2 = await ok(server, 'crm.contact.add', { fields: { NAME: 'Two' } });
    const deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'D', CONTACT_IDS: [c1, c2] } });
    const lead = await ok(server, 'crm.lead.add', { fields: { TITLE: 'L', CONTACT_ID: c1 } });
    const quote = await ok(server, 'crm.quote.add', { fields: { TITLE: 'Q', CONTACT_IDS: [c1] } });
    const company = await ok(server, 'crm.company.add', { fields: { TITLE: 'Co', CONTACT_ID: [c1, c2] } });

    expect(await ok(server, 'crm.contact.delete', { id: c1 })).toBe(true);
    expect(await item(2, deal)).toMatchObject({ contactIds: [c2], contactId: c2 });
    expect(await item(1, lead)).toMatchObject({ contactIds: [], contactId: 0 });
    expect(await item(7, quote)).toMatchObject({ contactIds: [], contactId: 0 });
    expect((await item(4, company)).contactIds).toEqual([c2]);
    const db = server.services.db;
    expect(await db.selectFrom('crm_contact_binding').selectAll().where('contact_id', '=', c1).execute()).toEqual([]);
    expect(await db.selectFrom('crm_multifield').selectAll().where('entity_type_id', '=', 3).where('entity_id', '=', c1).execute()).toEqual([]);
    expect(await db.selectFrom('crm_utm').selectAll().where('entity_type_id', '=', 3).where('entity_id', '=', c1).execute()).toEqual([]);
    expect(deleted).toEqual([{ entityTypeId: 3, id: c1, rowSeen: true, utmSeen: 1 }]);
  });

  it('a company leaves deals, leads, quotes and its contacts, whose COMPANY_ID moves on', async () => {
    const co1 = await ok(server, 'crm.company.add', { fields: { TITLE: 'First' } });
    const co2 = await ok(server, 'crm.company.add', { fields: { TITLE: 'Second' } });
    const contact = await ok(server, 'crm.contact.add', { fields: { NAME: 'Worker', COMPANY_IDS: [co1, co2] } });
    const deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'D', COMPANY_ID: co1 } });
    const lead = await ok(server, 'crm.lead.add', { fields: { TITLE: 'L', COMPANY_ID: co1 } });
    const quote = await ok(server, 'crm.quote.add', { fields: { TITLE: 'Q', COMPANY_ID: co1, MYCOMPANY_ID: co1 } });
    expect((await ok(server, 'crm.contact.get', { id: contact })).COMPANY_ID).toBe(String(co1));

    await ok(server, 'crm.item.delete', { entityTypeId: 4, id: co1 });
    expect((await item(2, deal)).companyId).toBe(0);
    expect((await item(1, lead)).companyId).toBe(0);
    expect(await item(7, quote)).toMatchObject({ companyId: 0, mycompanyId: null });
    expect(await item(3, contact)).toMatchObject({ companyId: co2, companyIds: [co2] });
    expect((await ok(server, 'crm.contact.get', { id: contact })).COMPANY_ID).toBe(String(co2));
  });

  it('a lead, a deal and a quote leave the items created from them', async () => {
    const lead = await ok(server, 'crm.lead.add', { fields: { TITLE: 'Source lead' } });
    const quote = (await ok(server, 'crm.item.add', { entityTypeId: 7, fields: { title: 'Q', leadId: lead } })).item.id;
    const deal = (await ok(server, 'crm.item.add', { entityTypeId: 2, fields: { title: 'D', leadId: lead, quoteId: quote } })).item.id;
    await ok(server, 'crm.quote.update', { id: quote, fields: { DEAL_ID: deal } });
    const contact = (await ok(server, 'crm.item.add', { entityTypeId: 3, fields: { name: 'C', leadId: lead } })).item.id;

    await ok(server, 'crm.lead.delete', { id: lead });
    expect((await item(2, deal)).leadId).toBeNull();
    expect((await item(7, quote)).leadId).toBeNull();
    expect((await item(3, contact)).leadId).toBeNull();
    await ok(server, 'crm.quote.delete', { id: quote });
    expect((await item(2, deal)).quoteId).toBeNull();
    const quote2 = await ok(server, 'crm.quote.add', { fields: { TITLE: 'Q2', DEAL_ID: deal } });
    await ok(server, 'crm.deal.delete', { id: deal });
    expect((await ok(server, 'crm.quote.get', { id: quote2 })).DEAL_ID).toBeNull();
  });
});

describe('lifecycle hooks', () => {
  it('typed add hands the raw fields, TRACE and UTM included, to the hooks', async () => {
    const fields = { TITLE: 'Traced', TRACE: '{"url":"https://shop.example/?utm_source=google"}', UTM_SOURCE: 'google', UTM_MEDIUM: 'cpc' };
    const id = await ok(server, 'crm.deal.add', { fields });
    expect(added).toHaveLength(1);
    expect(added[0]).toMatchObject({ entityTypeId: 2, id, viaTypedMethod: true, fields });
    expect(added[0].caller.userId).toBe(1);
    expect((await ok(server, 'crm.deal.get', { id })).UTM_MEDIUM).toBe('cpc');
  });

  it('tells the hooks the primary contact and company the add stored', async () => {
    const c1 = await ok(server, 'crm.contact.add', { fields: { NAME: 'One' } });
    const c2 = await ok(server, 'crm.contact.add', { fields: { NAME: 'Two' } });
    const company = await ok(server, 'crm.company.add', { fields: { TITLE: 'Co' } });
    added.length = 0;
    const deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'D', CONTACT_IDS: [c2, c1], COMPANY_ID: String(company) } });
    const byId = await ok(server, 'crm.deal.add', { fields: { TITLE: 'E', CONTACT_ID: c1 } });
    const contact = await ok(server, 'crm.contact.add', { fields: { NAME: 'Three', COMPANY_ID: company } });
    const lonely = await ok(server, 'crm.lead.add', { fields: { TITLE: 'L' } });
    expect(added.map((event) => [event.id, event.contactId, event.companyId])).toEqual([
      [deal, c2, company],
      [byId, c1, null],
      [contact, null, company],
      [lonely, null, null],
    ]);
  });

  it('crm.item.add tells the hooks it is not a typed method', async () => {
    const result = await ok(server, 'crm.item.add', { entityTypeId: 1, fields: { title: 'Universal', utmSource: 'yandex' } });
    expect(added).toEqual([
      expect.objectContaining({ entityTypeId: 1, id: result.item.id, viaTypedMethod: false, fields: { title: 'Universal', utmSource: 'yandex' } }),
    ]);
  });

  it('a failing add hook rolls the whole add back', async () => {
    const before = await crmSnapshot(server);
    const answer = await callJson(server, 'crm.contact.add', { fields: { NAME: 'Nope', TRACE: 'reject', UTM_SOURCE: 'x', PHONE: [{ VALUE: '+9' }] } });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: '', error_description: 'Trace rejected' });
    expect(await crmSnapshot(server)).toEqual(before);
  });

  it('update runs no add hook and drops TRACE', async () => {
    const id = await ok(server, 'crm.lead.add', { fields: { TITLE: 'x' } });
    added.length = 0;
    await ok(server, 'crm.lead.update', { id, fields: { TRACE: 'reject', TITLE: 'y' } });
    expect(added).toEqual([]);
  });

  it('delete hooks run before the row goes, and a failing one keeps everything', async () => {
    const id = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Keep', UTM_SOURCE: 'google', UTM_TERM: 'shoes' } });
    refuseDelete = true;
    const before = await crmSnapshot(server);
    const answer = await callJson(server, 'crm.deal.delete', { id });
    expect(answer.body).toEqual({ error: '', error_description: 'Bindings locked' });
    expect(await crmSnapshot(server)).toEqual(before);
    refuseDelete = false;
    deleted.length = 0;
    expect(await ok(server, 'crm.item.delete', { entityTypeId: 2, id })).toEqual([]);
    expect(deleted).toEqual([{ entityTypeId: 2, id, rowSeen: true, utmSeen: 2 }]);
  });
});
