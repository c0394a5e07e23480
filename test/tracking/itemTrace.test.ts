// TRACE and UTM_* on crm.{lead,deal,contact,company,quote}.add (sales-intelligence.md §5), and
// what deleting an item does to its traces (§1.13), over real sockets with real CRM items.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CRM_ENTITY_TYPES, type CrmEntityTypeName } from '../../src/crm/contract.js';
import { TRACE_MAX_BYTES } from '../../src/tracking/parseTrace.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { crmSnapshot, minimalFields, ok, TYPE_METHODS, userWithGrants, type Grants } from '../crm/helpers.js';
import { addTrace, bindingRows, expectIntegrity, getTrace, trackingCounts } from './helpers.js';

const { DEAL, CONTACT, COMPANY } = CRM_ENTITY_TYPES;
let server: TestServer;
let mailSource: number;

beforeAll(async () => {
  server = await startTestServer();
  await ok(server, 'salestrace.source.update', { id: 1, fields: { UTM_SOURCE: ['google'] } });
  mailSource = await ok(server, 'salestrace.source.add', { fields: { NAME: 'Mail', UTM_SOURCE: ['mail'] } });
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await expectIntegrity(server.services.db);
});

/** The traces bound to an item, newest first, as salestrace.trace.list reads them. */
async function tracesOf(type: CrmEntityTypeName, id: number): Promise<any[]> {
  const answer = await callJson(server, 'salestrace.trace.list', { filter: { ENTITY_TYPE: type, ENTITY_ID: id } });
  expect(answer.status, answer.text).toBe(200);
  return answer.body.result;
}

async function itemWithoutTrace(type: CrmEntityTypeName, title = 'Plain'): Promise<number> {
  const fields = type === 'CONTACT' ? { name: title } : { title };
  return (await ok(server, 'crm.item.add', { entityTypeId: CRM_ENTITY_TYPES[type], fields })).item.id;
}

const REST = { CODE: 'rest', VALUE: null };

describe.each(TYPE_METHODS)('TRACE on crm.%s.add', (typeName, method) => {
  const type = typeName as CrmEntityTypeName;
  const entityTypeId = CRM_ENTITY_TYPES[type];
  const entity = (id: number) => ({ TYPE: type, ENTITY_TYPE_ID: entityTypeId, ID: id });

  it('a numeric TRACE binds that existing trace with its previous traces, adding a rest channel', async () => {
    const existing = await addTrace(server, { url: `https://${method}-numeric.example/`, previous: { list: [{ url: 'https://before.example/' }] } });
    const before = await trackingCounts(server);
    const id = await ok(server, `crm.${method}.add`, { fields: { ...minimalFields(method), TRACE: String(existing) } });
    expect(await trackingCounts(server)).toEqual({ ...before, items: before.items + 2, channels: before.channels + 1 });
    const trace = await getTrace(server, existing);
    expect(trace.ENTITIES).toEqual([entity(id)]);
    expect(trace.PREVIOUS[0].ENTITIES).toEqual([entity(id)]);
    expect(trace.CHANNELS).toEqual([{ CODE: 'site-domain', VALUE: `${method}-numeric.example` }, REST]);
    expect((await tracesOf(type, id)).map((t) => t.ID)).toEqual([existing, existing - 1]);
  });

  it('a numeric TRACE naming a trace the caller may not read is treated like one that does not exist', async () => {
    const user = await userWithGrants(server, { [type]: { ADD: 'ALL', READ: 'OWN', WRITE: 'OWN' } });
    // The administrator's: unbound, and one bound to the administrator's item.
    const hidden = await addTrace(server, { url: `https://${method}-hidden.example/` });
    const hiddenBound = await addTrace(server, { url: `https://${method}-hidden-bound.example/` }, [{ TYPE: type, ID: await itemWithoutTrace(type, 'Theirs') }]);
    const untouched = [await getTrace(server, hidden), await getTrace(server, hiddenBound)];
    const shapeOfNewTrace = async (trace: string) => {
      const before = await trackingCounts(server);
      const id = await ok(server, `crm.${method}.add`, { fields: { ...minimalFields(method), TRACE: trace } }, user.base);
      const counts = await trackingCounts(server);
      const [created] = await tracesOf(type, id);
      const { ID, DATE_CREATE, ENTITIES, ...shape } = created;
      expect(ENTITIES).toEqual([entity(id)]);
      return { counts: { traces: counts.traces - before.traces, items: counts.items - before.items, channels: counts.channels - before.channels }, id: ID, shape };
    };
    const missing = await shapeOfNewTrace('987654');
    expect(missing.counts).toEqual({ traces: 1, items: 1, channels: 1 });
    for (const named of [hidden, hiddenBound]) {
      const answer = await shapeOfNewTrace(String(named));
      expect(answer.id).not.toBe(named);
      expect([answer.counts, answer.shape]).toEqual([missing.counts, missing.shape]);
      const denied = await callJson(server, 'salestrace.trace.get', { id: named }, user.base);
      expect(denied.body).toEqual({ error: 'ACCESS_DENIED', error_description: `You do not have permission to view trace \`${named}\`.` });
    }
    expect([await getTrace(server, hidden), await getTrace(server, hiddenBound)]).toEqual(untouched);
    // Their own unbound trace they may name.
    const added = await callJson(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify({ url: `https://${method}-own.example/` }) }, user.base);
    const own = await ok(server, `crm.${method}.add`, { fields: { ...minimalFields(method), TRACE: String(added.body.result) } }, user.base);
    expect((await tracesOf(type, own)).map((t) => t.ID)).toEqual([added.body.result]);
  });

  it('a JSON TRACE creates a trace; the item’s UTM_* fields override its tags, and choose the source only if the JSON did not', async () => {
    const json = JSON.stringify({
      url: `https://${method}-json.example/landing`,
      pages: { list: [[`https://${method}-json.example/landing`, 1767000000, 'Landing']] },
      tags: { list: { utm_source: 'newsletter', utm_medium: 'cpc', utm_term: 'shoes' } },
    });
    const before = await trackingCounts(server);
    const id = await ok(server, `crm.${method}.add`, { fields: { ...minimalFields(method), TRACE: json, UTM_SOURCE: 'google', UTM_CAMPAIGN: 'spring', UTM_TERM: '' } });
    expect(await trackingCounts(server)).toEqual({ ...before, traces: before.traces + 1, items: before.items + 1, channels: before.channels + 2 });
    const [trace] = await tracesOf(type, id);
    expect(trace).toMatchObject({
      SOURCE_ID: 1,
      SOURCE: { ID: 1, CODE: 'google', NAME: 'Google Ads' },
      TAGS: { UTM_SOURCE: 'google', UTM_MEDIUM: 'cpc', UTM_TERM: 'shoes', UTM_CAMPAIGN: 'spring' },
      PAGES: [{ URL: `https://${method}-json.example/landing`, DATE_INSERT: 1767000000, TITLE: 'Landing', IS_REF: 'N' }],
      CHANNELS: [{ CODE: 'site-domain', VALUE: `${method}-json.example` }, REST],
      ENTITIES: [entity(id)],
    });
    // The item keeps its own UTM values: it had some, so nothing is copied from the trace.
    const item = await ok(server, `crm.${method}.get`, { id });
    expect([item.UTM_SOURCE, item.UTM_MEDIUM, item.UTM_CAMPAIGN, item.UTM_CONTENT, item.UTM_TERM]).toEqual(['google', null, 'spring', null, null]);

    const jsonSource = await ok(server, `crm.${method}.add`, {
      fields: { ...minimalFields(method), TRACE: '{"tags":{"list":{"utm_source":"mail"}}}', UTM_SOURCE: 'google' },
    });
    expect(await tracesOf(type, jsonSource)).toMatchObject([{ SOURCE_ID: mailSource, TAGS: { UTM_SOURCE: 'google' }, CHANNELS: [REST] }]);
  });

  it('UTM fields alone still give the item a source; with neither, an empty organic trace', async () => {
    const id = await ok(server, `crm.${method}.add`, { fields: { ...minimalFields(method), UTM_SOURCE: 'google', UTM_MEDIUM: 'email' } });
    expect(await tracesOf(type, id)).toMatchObject([{ SOURCE_ID: 1, TAGS: { UTM_SOURCE: 'google', UTM_MEDIUM: 'email' }, PAGES: [], CHANNELS: [REST], ENTITIES: [entity(id)] }]);
    const bare = await ok(server, `crm.${method}.add`, { fields: minimalFields(method) });
    expect(await tracesOf(type, bare)).toMatchObject([{ SOURCE_ID: 0, SOURCE: { CODE: 'organic' }, TAGS: [], PAGES: [], CHANNELS: [REST], ENTITIES: [entity(bare)] }]);
  });

  it('copies the JSON tags into an item sent without UTM values', async () => {
    const id = await ok(server, `crm.${method}.add`, { fields: { ...minimalFields(method), TRACE: '{"tags":{"list":{"utm_source":"mail","utm_content":"banner"}}}' } });
    const item = await ok(server, `crm.${method}.get`, { id });
    expect([item.UTM_SOURCE, item.UTM_MEDIUM, item.UTM_CONTENT]).toEqual(['mail', null, 'banner']);
    const { item: universal } = await ok(server, 'crm.item.get', { entityTypeId, id });
    expect([universal.utmSource, universal.utmContent]).toEqual(['mail', 'banner']);
  });

  it('a TRACE that is not JSON still gives an empty trace; one over the size limit fails the add and writes nothing', async () => {
    const id = await ok(server, `crm.${method}.add`, { fields: { ...minimalFields(method), TRACE: '{not json' } });
    expect(await tracesOf(type, id)).toMatchObject([{ SOURCE_ID: 0, TAGS: [], CHANNELS: [REST] }]);

    const crmBefore = await crmSnapshot(server);
    const before = await trackingCounts(server);
    const huge = JSON.stringify({ url: 'https://a.example/', pages: { list: [['https://a.example/' + 'x'.repeat(TRACE_MAX_BYTES), 1, 'big']] } });
    const answer = await callJson(server, `crm.${method}.add`, { fields: { ...minimalFields(method), TRACE: huge } });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'ERROR_CORE', error_description: `Parameter \`TRACE\` is too large: the limit is ${TRACE_MAX_BYTES} bytes.` });
    expect(await crmSnapshot(server)).toEqual(crmBefore);
    expect(await trackingCounts(server)).toEqual(before);
  });

  it('TRACE and UTM_* on update create no trace', async () => {
    const id = await ok(server, `crm.${method}.add`, { fields: minimalFields(method) });
    const before = await trackingCounts(server);
    expect(await ok(server, `crm.${method}.update`, { id, fields: { TRACE: '{"tags":{"list":{"utm_source":"google"}}}', UTM_SOURCE: 'mail' } })).toBe(true);
    expect(await trackingCounts(server)).toEqual(before);
    expect((await ok(server, `crm.${method}.get`, { id })).UTM_SOURCE).toBe('mail');
  });

  it('crm.item.add creates no trace, whatever it is sent', async () => {
    const before = await trackingCounts(server);
    const fields = { ...(type === 'CONTACT' ? { name: 'Universal' } : { title: 'Universal' }), utmSource: 'google', TRACE: '{"url":"https://x.example/"}' };
    const { item } = await ok(server, 'crm.item.add', { entityTypeId, fields });
    expect(await trackingCounts(server)).toEqual(before);
    expect(await tracesOf(type, item.id)).toEqual([]);
    expect(item.utmSource).toBe('google');
  });
});

describe('a deal’s client', () => {
  it('binds the deal’s contact and company, each with its own type', async () => {
    const contact = await itemWithoutTrace('CONTACT');
    const company = await itemWithoutTrace('COMPANY');
    const deal = await ok(server, 'crm.deal.add', {
      fields: { TITLE: 'With client', CONTACT_ID: String(contact), COMPANY_ID: company, TRACE: '{"tags":{"list":{"utm_source":"google","utm_medium":"cpc"}}}' },
    });
    const [trace] = await tracesOf('DEAL', deal);
    expect(await bindingRows(server.services.db, [trace.ID])).toEqual([
      [trace.ID, DEAL, deal],
      [trace.ID, CONTACT, contact],
      [trace.ID, COMPANY, company],
    ]);
    // The client items had no UTM values, so they get the trace's tags too.
    const { item } = await ok(server, 'crm.item.get', { entityTypeId: COMPANY, id: company });
    expect([item.utmSource, item.utmMedium]).toEqual(['google', 'cpc']);
  });

  it('binds the first of CONTACT_IDS when CONTACT_ID is not sent', async () => {
    const first = await itemWithoutTrace('CONTACT', 'First');
    const second = await itemWithoutTrace('CONTACT', 'Second');
    const deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Two contacts', CONTACT_IDS: [first, second] } });
    const [trace] = await tracesOf('DEAL', deal);
    expect(trace.ENTITIES).toEqual([
      { TYPE: 'DEAL', ENTITY_TYPE_ID: DEAL, ID: deal },
      { TYPE: 'CONTACT', ENTITY_TYPE_ID: CONTACT, ID: first },
    ]);
  });

  it('binds a contact that already has traces to the deal’s trace as well', async () => {
    const contact = await ok(server, 'crm.contact.add', { fields: { NAME: 'Returning', UTM_SOURCE: 'mail' } });
    const [own] = await tracesOf('CONTACT', contact);
    const deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Second visit', CONTACT_ID: contact, UTM_SOURCE: 'google' } });
    const [dealTrace] = await tracesOf('DEAL', deal);
    expect((await tracesOf('CONTACT', contact)).map((t) => t.ID)).toEqual([dealTrace.ID, own.ID]);
    // The contact keeps its own UTM values.
    expect((await ok(server, 'crm.contact.get', { id: contact })).UTM_SOURCE).toBe('mail');
  });
});

describe('another user’s client (permissions)', () => {
  /** Read everything, add and edit only one's own items. */
  const OWN_WRITE: Grants = Object.fromEntries(TYPE_METHODS.map(([type]) => [type, { READ: 'ALL', ADD: 'OWN', WRITE: 'OWN' }]));
  const ALL_WRITE: Grants = Object.fromEntries(TYPE_METHODS.map(([type]) => [type, { READ: 'ALL', ADD: 'OWN', WRITE: 'ALL' }]));

  async function itemOf(userId: number, type: CrmEntityTypeName, extra: Record<string, unknown> = {}): Promise<number> {
    const fields = { ...(type === 'CONTACT' ? { name: 'Theirs' } : { title: 'Theirs' }), assignedById: userId, ...extra };
    return (await ok(server, 'crm.item.add', { entityTypeId: CRM_ENTITY_TYPES[type], fields })).item.id;
  }

  async function rowsOf(table: 'crm_contact' | 'crm_company', id: number) {
    const db = server.services.db as any;
    return {
      row: await db.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst(),
      utm: await db.selectFrom('crm_utm').selectAll().where('entity_type_id', '=', table === 'crm_contact' ? CONTACT : COMPANY).where('entity_id', '=', id).execute(),
      traces: await db.selectFrom('tracking_trace_items').selectAll().where('entity_type_id', '=', table === 'crm_contact' ? CONTACT : COMPANY).where('entity_id', '=', id).execute(),
    };
  }

  it('a deal links another user’s contact and company but binds its trace and copies UTM only where the caller may edit', async () => {
    const bob = await userWithGrants(server, OWN_WRITE);
    const alice = await userWithGrants(server, OWN_WRITE);
    const contact = await itemOf(bob.id, 'CONTACT');
    const company = await itemOf(bob.id, 'COMPANY');
    const before = { contact: await rowsOf('crm_contact', contact), company: await rowsOf('crm_company', company) };

    const deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Alice’s', CONTACT_ID: contact, COMPANY_ID: company, UTM_SOURCE: 'google' } }, alice.base);
    // The link on the new deal is stored, as on a portal.
    const stored = (await ok(server, 'crm.item.get', { entityTypeId: DEAL, id: deal })).item;
    expect([stored.contactId, stored.companyId, stored.contactIds]).toEqual([contact, company, [contact]]);
    // Bob's items are untouched: no binding, no UTM values, same row.
    const [trace] = await tracesOf('DEAL', deal);
    expect(await bindingRows(server.services.db, [trace.ID])).toEqual([[trace.ID, DEAL, deal]]);
    expect({ contact: await rowsOf('crm_contact', contact), company: await rowsOf('crm_company', company) }).toEqual(before);

    // Someone who may edit every item binds and copies as before.
    const carol = await userWithGrants(server, ALL_WRITE);
    const second = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Carol’s', CONTACT_ID: contact, COMPANY_ID: company, UTM_SOURCE: 'google' } }, carol.base);
    const [carolTrace] = await tracesOf('DEAL', second);
    expect(await bindingRows(server.services.db, [carolTrace.ID])).toEqual([
      [carolTrace.ID, DEAL, second],
      [carolTrace.ID, CONTACT, contact],
      [carolTrace.ID, COMPANY, company],
    ]);
    expect((await ok(server, 'crm.contact.get', { id: contact })).UTM_SOURCE).toBe('google');
  });

  it('a company that lists another user’s contact does not rewrite that contact’s COMPANY_ID', async () => {
    const bob = await userWithGrants(server, OWN_WRITE);
    const alice = await userWithGrants(server, OWN_WRITE);
    const bobsCompany = await itemOf(bob.id, 'COMPANY');
    const contact = await itemOf(bob.id, 'CONTACT', { companyIds: [bobsCompany] });
    const mine = await ok(server, 'crm.company.add', { fields: { TITLE: 'Alice’s', CONTACT_ID: [contact] } }, alice.base);
    const read = await ok(server, 'crm.contact.get', { id: contact });
    expect(read.COMPANY_ID).toBe(String(bobsCompany));
    expect((await ok(server, 'crm.item.get', { entityTypeId: CONTACT, id: contact })).item.companyIds).toEqual([bobsCompany, mine]);
    // Alice's own company lists the contact (the link on her item is stored).
    expect((await ok(server, 'crm.item.get', { entityTypeId: COMPANY, id: mine })).item.contactIds).toEqual([contact]);
    // Unlisting it again leaves the contact's field alone too.
    await ok(server, 'crm.company.update', { id: mine, fields: { CONTACT_ID: [] } }, alice.base);
    expect((await ok(server, 'crm.contact.get', { id: contact })).COMPANY_ID).toBe(String(bobsCompany));

    // A contact without a company: Alice's company does not become its COMPANY_ID; Bob's does.
    const loose = await itemOf(bob.id, 'CONTACT');
    const alices = await ok(server, 'crm.company.add', { fields: { TITLE: 'Alice’s second', CONTACT_ID: [loose] } }, alice.base);
    expect((await ok(server, 'crm.contact.get', { id: loose })).COMPANY_ID).toBeNull();
    // Bob may edit it: his company's add brings the field in line with the bindings (the first company).
    await ok(server, 'crm.company.add', { fields: { TITLE: 'Bob’s second', CONTACT_ID: [loose] } }, bob.base);
    expect((await ok(server, 'crm.contact.get', { id: loose })).COMPANY_ID).toBe(String(alices));
  });
});

describe('deleting an item', () => {
  it('removes its bindings and the traces nothing else needs, previous traces and channels included', async () => {
    const tree = JSON.stringify({ url: 'https://lead.example/', channels: [{ code: 'form', value: '3' }], previous: { list: [{ url: 'https://a.example/' }, { url: 'https://b.example/' }] } });
    const before = await trackingCounts(server);
    const lead = await ok(server, 'crm.lead.add', { fields: { TITLE: 'Doomed', TRACE: tree } });
    const [own] = await tracesOf('LEAD', lead);
    const contact = await itemWithoutTrace('CONTACT');
    const shared = await addTrace(server, { url: 'https://shared.example/', previous: { list: [{ url: 'https://shared-a.example/' }] } }, [
      { TYPE: 'LEAD', ID: lead },
      { TYPE: 'CONTACT', ID: contact },
    ]);
    const unbound = await addTrace(server, { url: 'https://unbound.example/' });
    // 3 traces of the lead + 2 shared + 1 unbound; channels: 3 site-domain + form + rest, 2, 1.
    expect(await trackingCounts(server)).toEqual({ traces: before.traces + 6, items: before.items + 3 + 4, channels: before.channels + 8, tree: before.tree + 3 });

    expect(await ok(server, 'crm.lead.delete', { id: lead })).toBe(true);
    expect(await tracesOf('LEAD', lead)).toEqual([]);
    expect((await callJson(server, 'salestrace.trace.get', { id: own.ID })).body.error).toBe('TRACE_NOT_FOUND');
    expect((await callJson(server, 'salestrace.trace.get', { id: own.PREVIOUS_IDS[0] })).body.error).toBe('TRACE_NOT_FOUND');
    expect((await getTrace(server, shared)).ENTITIES).toEqual([{ TYPE: 'CONTACT', ENTITY_TYPE_ID: CONTACT, ID: contact }]);
    expect((await getTrace(server, unbound)).ENTITIES).toEqual([]);
    expect(await trackingCounts(server)).toEqual({ traces: before.traces + 3, items: before.items + 2, channels: before.channels + 3, tree: before.tree + 1 });

    // The contact goes through crm.item.delete: the shared trace and its previous trace go too.
    expect(await ok(server, 'crm.item.delete', { entityTypeId: CONTACT, id: contact })).toEqual([]);
    expect(await trackingCounts(server)).toEqual({ traces: before.traces + 1, items: before.items, channels: before.channels + 1, tree: before.tree });
  });

  it('keeps a trace still bound to another item, and a trace bound to a deleted deal’s contact', async () => {
    const contact = await itemWithoutTrace('CONTACT');
    const deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Deal', CONTACT_ID: contact, TRACE: '{"url":"https://deal.example/"}' } });
    const [trace] = await tracesOf('DEAL', deal);
    expect(await ok(server, 'crm.deal.delete', { id: deal })).toBe(true);
    expect((await getTrace(server, trace.ID)).ENTITIES).toEqual([{ TYPE: 'CONTACT', ENTITY_TYPE_ID: CONTACT, ID: contact }]);
    expect((await getTrace(server, trace.ID)).CHANNELS).toEqual([{ CODE: 'site-domain', VALUE: 'deal.example' }, REST]);
  });

  it('leaves a previous trace that only it was bound to unbound, and its creator’s again', async () => {
    const user = await userWithGrants(server, { DEAL: { ADD: 'ALL', READ: 'OWN', WRITE: 'OWN', DELETE: 'OWN' } });
    const added = await callJson(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify({ url: 'https://visit.example/', previous: { list: [{ url: 'https://earlier.example/' }] } }) }, user.base);
    const parent = added.body.result as number;
    const [earlier] = (await getTrace(server, parent)).PREVIOUS_IDS;
    // A deal of the administrator's binds the earlier visit alone; the user may not read it then.
    const deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Theirs', TRACE: String(earlier) } });
    const asUser = async () => (await callJson(server, 'salestrace.trace.list', {}, user.base)).body;
    expect(await asUser()).toMatchObject({ total: 2 });
    expect(await ok(server, 'crm.deal.delete', { id: deal })).toBe(true);
    // Carried by its parent, it stays, bound to nothing (the integrity check after each test
    // holds its bound flag to that), and visible to the user through the parent.
    const after = await getTrace(server, earlier);
    expect([after.ENTITIES, after.PARENT_IDS]).toEqual([[], [parent]]);
    expect((await asUser()).result.map((row: any) => row.ID)).toEqual([earlier, parent]);
  });

  it('a refused delete keeps the bindings', async () => {
    const quote = await ok(server, 'crm.quote.add', { fields: { TITLE: 'Kept', TRACE: '{"url":"https://quote.example/"}' } });
    const before = await trackingCounts(server);
    const answer = await callJson(server, 'crm.quote.delete', { id: quote + 1000 });
    expect(answer.status).toBe(400);
    expect(await trackingCounts(server)).toEqual(before);
    expect(await tracesOf('QUOTE', quote)).toHaveLength(1);
  });
});
