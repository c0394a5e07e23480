// crm.{lead,deal,contact,company,quote}.* over real sockets: field lists, the add / get /
// update / delete round trip with string values, and the legacy error answers.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { formatDateC } from '../../src/rest/time.js';
import { callForm, callGet, callJson, expectTimeBlock, startTestServer, type TestServer } from '../helpers/server.js';
import { TYPE_METHODS, crmSnapshot, fails, minimalFields, ok } from './helpers.js';

const NOW = Date.UTC(2026, 2, 10, 9, 30, 0);
let server: TestServer;
let clock: ManualClock;

beforeAll(async () => {
  clock = new ManualClock(NOW);
  server = await startTestServer({ manualClock: clock });
});
afterAll(async () => {
  await server.close();
});
beforeEach(() => {
  clock.set(NOW);
});

/** The names each *.fields page documents, less the ones COMPATIBILITY.md lists as left out. */
const DOCUMENTED_FIELDS: Record<string, string[]> = {
  lead: ['ID', 'TITLE', 'HONORIFIC', 'NAME', 'SECOND_NAME', 'LAST_NAME', 'BIRTHDATE', 'COMPANY_TITLE', 'SOURCE_ID', 'SOURCE_DESCRIPTION', 'STATUS_ID', 'STATUS_DESCRIPTION', 'STATUS_SEMANTIC_ID', 'POST', 'ADDRESS', 'ADDRESS_2', 'ADDRESS_CITY', 'ADDRESS_POSTAL_CODE', 'ADDRESS_REGION', 'ADDRESS_PROVINCE', 'ADDRESS_COUNTRY', 'ADDRESS_COUNTRY_CODE', 'ADDRESS_LOC_ADDR_ID', 'CURRENCY_ID', 'OPPORTUNITY', 'IS_MANUAL_OPPORTUNITY', 'OPENED', 'COMMENTS', 'HAS_PHONE', 'HAS_EMAIL', 'HAS_IMOL', 'ASSIGNED_BY_ID', 'CREATED_BY_ID', 'MODIFY_BY_ID', 'MOVED_BY_ID', 'DATE_CREATE', 'DATE_MODIFY', 'MOVED_TIME', 'COMPANY_ID', 'CONTACT_ID', 'CONTACT_IDS', 'IS_RETURN_CUSTOMER', 'DATE_CLOSED', 'ORIGINATOR_ID', 'ORIGIN_ID', 'UTM_SOURCE', 'UTM_MEDIUM', 'UTM_CAMPAIGN', 'UTM_CONTENT', 'UTM_TERM', 'LAST_ACTIVITY_TIME', 'LAST_ACTIVITY_BY', 'PHONE', 'EMAIL', 'WEB', 'IM', 'LINK'],
  deal: ['ID', 'TITLE', 'TYPE_ID', 'CATEGORY_ID', 'STAGE_ID', 'STAGE_SEMANTIC_ID', 'IS_NEW', 'IS_RECURRING', 'IS_RETURN_CUSTOMER', 'IS_REPEATED_APPROACH', 'PROBABILITY', 'CURRENCY_ID', 'OPPORTUNITY', 'IS_MANUAL_OPPORTUNITY', 'TAX_VALUE', 'COMPANY_ID', 'CONTACT_ID', 'CONTACT_IDS', 'QUOTE_ID', 'BEGINDATE', 'CLOSEDATE', 'OPENED', 'CLOSED', 'COMMENTS', 'ASSIGNED_BY_ID', 'CREATED_BY_ID', 'MODIFY_BY_ID', 'MOVED_BY_ID', 'DATE_CREATE', 'DATE_MODIFY', 'MOVED_TIME', 'SOURCE_ID', 'SOURCE_DESCRIPTION', 'LEAD_ID', 'ADDITIONAL_INFO', 'LOCATION_ID', 'ORIGINATOR_ID', 'ORIGIN_ID', 'UTM_SOURCE', 'UTM_MEDIUM', 'UTM_CAMPAIGN', 'UTM_CONTENT', 'UTM_TERM', 'LAST_ACTIVITY_TIME', 'LAST_ACTIVITY_BY'],
  contact: ['ID', 'HONORIFIC', 'NAME', 'SECOND_NAME', 'LAST_NAME', 'BIRTHDATE', 'TYPE_ID', 'SOURCE_ID', 'SOURCE_DESCRIPTION', 'POST', 'ADDRESS', 'ADDRESS_2', 'ADDRESS_CITY', 'ADDRESS_POSTAL_CODE', 'ADDRESS_REGION', 'ADDRESS_PROVINCE', 'ADDRESS_COUNTRY', 'ADDRESS_COUNTRY_CODE', 'ADDRESS_LOC_ADDR_ID', 'COMMENTS', 'OPENED', 'EXPORT', 'HAS_PHONE', 'HAS_EMAIL', 'HAS_IMOL', 'ASSIGNED_BY_ID', 'CREATED_BY_ID', 'MODIFY_BY_ID', 'DATE_CREATE', 'DATE_MODIFY', 'COMPANY_ID', 'COMPANY_IDS', 'LEAD_ID', 'ORIGINATOR_ID', 'ORIGIN_ID', 'ORIGIN_VERSION', 'UTM_SOURCE', 'UTM_MEDIUM', 'UTM_CAMPAIGN', 'UTM_CONTENT', 'UTM_TERM', 'LAST_ACTIVITY_TIME', 'LAST_ACTIVITY_BY', 'PHONE', 'EMAIL', 'WEB', 'IM', 'LINK'],
  company: ['ID', 'TITLE', 'COMPANY_TYPE', 'ADDRESS', 'ADDRESS_2', 'ADDRESS_CITY', 'ADDRESS_POSTAL_CODE', 'ADDRESS_REGION', 'ADDRESS_PROVINCE', 'ADDRESS_COUNTRY', 'ADDRESS_COUNTRY_CODE', 'ADDRESS_LOC_ADDR_ID', 'ADDRESS_LEGAL', 'REG_ADDRESS', 'REG_ADDRESS_2', 'REG_ADDRESS_CITY', 'REG_ADDRESS_POSTAL_CODE', 'REG_ADDRESS_REGION', 'REG_ADDRESS_PROVINCE', 'REG_ADDRESS_COUNTRY', 'REG_ADDRESS_COUNTRY_CODE', 'REG_ADDRESS_LOC_ADDR_ID', 'BANKING_DETAILS', 'INDUSTRY', 'EMPLOYEES', 'CURRENCY_ID', 'REVENUE', 'OPENED', 'COMMENTS', 'HAS_PHONE', 'HAS_EMAIL', 'HAS_IMOL', 'IS_MY_COMPANY', 'ASSIGNED_BY_ID', 'CREATED_BY_ID', 'MODIFY_BY_ID', 'DATE_CREATE', 'DATE_MODIFY', 'CONTACT_ID', 'LEAD_ID', 'ORIGINATOR_ID', 'ORIGIN_ID', 'ORIGIN_VERSION', 'UTM_SOURCE', 'UTM_MEDIUM', 'UTM_CAMPAIGN', 'UTM_CONTENT', 'UTM_TERM', 'LAST_ACTIVITY_TIME', 'LAST_ACTIVITY_BY', 'LAST_COMMUNICATION_TIME', 'PHONE', 'EMAIL', 'WEB', 'IM', 'LINK'],
  quote: ['ID', 'QUOTE_NUMBER', 'TITLE', 'STATUS_ID', 'CURRENCY_ID', 'OPPORTUNITY', 'TAX_VALUE', 'COMPANY_ID', 'MYCOMPANY_ID', 'CONTACT_ID', 'CONTACT_IDS', 'BEGINDATE', 'CLOSEDATE', 'ACTUAL_DATE', 'OPENED', 'CLOSED', 'COMMENTS', 'CONTENT', 'TERMS', 'CLIENT_TITLE', 'CLIENT_ADDR', 'CLIENT_CONTACT', 'CLIENT_EMAIL', 'CLIENT_PHONE', 'CLIENT_TP_ID', 'CLIENT_TPA_ID', 'ASSIGNED_BY_ID', 'CREATED_BY_ID', 'MODIFY_BY_ID', 'DATE_CREATE', 'DATE_MODIFY', 'LEAD_ID', 'DEAL_ID', 'PERSON_TYPE_ID', 'LOCATION_ID', 'UTM_SOURCE', 'UTM_MEDIUM', 'UTM_CAMPAIGN', 'UTM_CONTENT', 'UTM_TERM', 'LAST_ACTIVITY_TIME', 'LAST_ACTIVITY_BY', 'LAST_COMMUNICATION_TIME'],
};

const created = formatDateC(NOW / 1000);

describe.each(TYPE_METHODS)('crm.%s.*', (_name, method) => {
  it('fields lists the documented fields in the documented shape', async () => {
    const answer = await callJson(server, `crm.${method}.fields`);
    expect(answer.status).toBe(200);
    expectTimeBlock(answer.body.time);
    expect(Object.keys(answer.body.result)).toEqual(DOCUMENTED_FIELDS[method]);
    expect(answer.body.result.ID).toEqual({
      type: 'integer', isRequired: false, isReadOnly: true, isImmutable: false, isMultiple: false, isDynamic: false, title: 'ID',
    });
    expect(answer.body.result.UTM_SOURCE).toEqual({
      type: 'string', isRequired: false, isReadOnly: false, isImmutable: false, isMultiple: false, isDynamic: false, title: 'Advertising System',
    });
    expect(answer.body.result.ASSIGNED_BY_ID.type).toBe('user');
    expect(answer.body.result.DATE_CREATE).toMatchObject({ type: 'datetime', isReadOnly: true });
  });

  it('add, get, update and delete round-trip with string values', async () => {
    const fields = { ...minimalFields(method, 'First'), COMMENTS: 'note', UTM_SOURCE: 'google', UTM_CAMPAIGN: 'spring' };
    const id = await ok(server, `crm.${method}.add`, { fields });
    expect(Number.isInteger(id)).toBe(true);

    const item = await ok(server, `crm.${method}.get`, { id });
    expect(item.ID).toBe(String(id));
    expect(item.COMMENTS).toBe('note');
    expect(item.ASSIGNED_BY_ID).toBe('1');
    expect(item.CREATED_BY_ID).toBe('1');
    expect(item.DATE_CREATE).toBe(created);
    expect(item.DATE_MODIFY).toBe(created);
    expect(item.UTM_SOURCE).toBe('google');
    expect(item.UTM_CAMPAIGN).toBe('spring');
    expect(item.UTM_MEDIUM).toBeNull();
    expect(item.OPENED).toBe('Y');
    for (const name of DOCUMENTED_FIELDS[method]) {
      // Multiple links and empty multi-fields are not part of a legacy get (crm-deal-fields.md note).
      if (['CONTACT_IDS', 'COMPANY_IDS', 'PHONE', 'EMAIL', 'WEB', 'IM', 'LINK'].includes(name)) continue;
      if (method === 'company' && name === 'CONTACT_ID') continue;
      expect(item, name).toHaveProperty(name);
    }
    for (const value of Object.values(item)) expect(value === null || typeof value === 'string').toBe(true);

    clock.advance(60_000);
    const update = await callJson(server, `crm.${method}.update`, {
      id,
      fields: { ...minimalFields(method, 'Second'), UTM_SOURCE: '', DATE_CREATE: '2020-01-01T00:00:00+00:00', NO_SUCH_FIELD: 'x', TRACE: '{"x":1}' },
    });
    expect(update.status).toBe(200);
    expect(update.body.result).toBe(true);
    const after = await ok(server, `crm.${method}.get`, { ID: String(id) });
    expect(after[method === 'contact' ? 'NAME' : 'TITLE']).toBe('Second');
    expect(after.UTM_SOURCE).toBeNull();
    expect(after.UTM_CAMPAIGN).toBe('spring');
    expect(after.DATE_CREATE).toBe(created);
    expect(after.DATE_MODIFY).toBe(formatDateC(NOW / 1000 + 60));
    expect(after).not.toHaveProperty('NO_SUCH_FIELD');
    expect(after).not.toHaveProperty('TRACE');

    const removed = await callJson(server, `crm.${method}.delete`, { id });
    expect(removed.status).toBe(200);
    expect(removed.body.result).toBe(true);
    const gone = await callJson(server, `crm.${method}.get`, { id });
    expect(gone.status).toBe(400);
    expect(gone.body).toEqual({ error: '', error_description: 'Not found' });
  });

  it('answers the legacy errors and changes nothing', async () => {
    const before = await crmSnapshot(server);
    const notDefined = { error: '', error_description: 'ID is not defined or invalid.' };
    for (const id of [undefined, 0, -3, 'abc', '']) {
      const answer = await callJson(server, `crm.${method}.get`, id === undefined ? {} : { id });
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual(notDefined);
    }
    expect((await fails(server, `crm.${method}.update`, { id: 'x', fields: {} })).body).toEqual(notDefined);
    expect((await fails(server, `crm.${method}.delete`, { id: 0 })).body).toEqual(notDefined);
    expect((await fails(server, `crm.${method}.get`, { id: 999999 })).body).toEqual({ error: '', error_description: 'Not found' });
    // IDs beyond the 32-bit columns exist nowhere, on SQLite and PostgreSQL alike.
    expect((await fails(server, `crm.${method}.get`, { id: '99999999999' })).body).toEqual({ error: '', error_description: 'Not found' });

    const updateMissing = { lead: 'Lead is not found', deal: 'Not found', contact: 'Contact is not found', company: 'Company is not found', quote: 'Quote is not found' }[method];
    const deleteMissing = { lead: 'Not found', deal: 'Not found', contact: 'Contact is not found', company: 'Company is not found', quote: 'Element not found' }[method];
    expect((await fails(server, `crm.${method}.update`, { id: 999999, fields: { COMMENTS: 'x' } })).body).toEqual({ error: '', error_description: updateMissing });
    expect((await fails(server, `crm.${method}.delete`, { id: 999999 })).body).toEqual({ error: '', error_description: deleteMissing });

    expect((await fails(server, `crm.${method}.add`, { fields: 'text' })).body).toEqual({ error: '', error_description: "Parameter 'fields' must be array." });
    expect((await fails(server, `crm.${method}.add`, { fields: {}, params: 'x' })).body).toEqual({ error: '', error_description: "Parameter 'params' must be array." });
    expect((await fails(server, `crm.${method}.update`, { id: 'x', fields: 'y' })).body).toEqual({ error: '', error_description: "Parameter 'fields' must be array." });
    expect((await fails(server, `crm.${method}.list`, { filter: 'x' })).body).toEqual({ error: '', error_description: "Parameter 'filter' must be array." });
    expect((await fails(server, `crm.${method}.list`, { order: 'x' })).body).toEqual({ error: '', error_description: "Parameter 'order' must be array." });
    expect(await crmSnapshot(server)).toEqual(before);
  });

  it('accepts form encoding, GET and upper-case parameter names', async () => {
    const title = method === 'contact' ? 'NAME' : 'TITLE';
    const add = await callForm(server, `crm.${method}.add`, `FIELDS[${title}]=Form+made&FIELDS[UTM_MEDIUM]=cpc`);
    expect(add.status).toBe(200);
    const id = add.body.result;
    const get = await callGet(server, `crm.${method}.get`, `ID=${id}`);
    expect(get.body.result[title]).toBe('Form made');
    expect(get.body.result.UTM_MEDIUM).toBe('cpc');
    const list = await callJson(server, `crm.${method}.list`, { FILTER: { ID: id }, SELECT: ['ID', title] });
    expect(list.body.result).toEqual([{ ID: String(id), [title]: 'Form made' }]);
  });
});

describe('type specifics', () => {
  it('a deal carries its stage semantic, amounts with two decimals and default dates', async () => {
    const id = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Big', OPPORTUNITY: 1000000, CURRENCY_ID: 'EUR', PROBABILITY: '40' } });
    let deal = await ok(server, 'crm.deal.get', { id });
    expect(deal).toMatchObject({
      TITLE: 'Big',
      STAGE_ID: 'NEW',
      STAGE_SEMANTIC_ID: 'P',
      IS_NEW: 'Y',
      CLOSED: 'N',
      CATEGORY_ID: '0',
      OPPORTUNITY: '1000000.00',
      TAX_VALUE: '0.00',
      CURRENCY_ID: 'EUR',
      PROBABILITY: '40',
      CONTACT_ID: null,
      COMPANY_ID: null,
      MOVED_BY_ID: '1',
      MOVED_TIME: created,
    });
    expect(deal.BEGINDATE).toMatch(/^2026-03-10T00:00:00[+-]\d\d:\d\d$/);
    expect(deal.CLOSEDATE).toMatch(/^2026-03-17T00:00:00[+-]\d\d:\d\d$/);
    for (const [stage, semantic] of [['WON', 'S'], ['LOSE', 'F'], ['EXECUTING', 'P']]) {
      await ok(server, 'crm.deal.update', { id, fields: { STAGE_ID: stage } });
      deal = await ok(server, 'crm.deal.get', { id });
      expect(deal.STAGE_SEMANTIC_ID).toBe(semantic);
      expect(deal.CLOSED).toBe(semantic === 'P' ? 'N' : 'Y');
      expect(deal.IS_NEW).toBe('N');
    }
  });

  it('a lead and a quote follow their status lists; a quote is numbered by its ID', async () => {
    const lead = await ok(server, 'crm.lead.add', { fields: { TITLE: 'L', STATUS_ID: 'CONVERTED' } });
    expect(await ok(server, 'crm.lead.get', { id: lead })).toMatchObject({ STATUS_ID: 'CONVERTED', STATUS_SEMANTIC_ID: 'S', DATE_CLOSED: created });
    const quote = await ok(server, 'crm.quote.add', { fields: { TITLE: 'Q' } });
    expect(await ok(server, 'crm.quote.get', { id: quote })).toMatchObject({ STATUS_ID: 'DRAFT', QUOTE_NUMBER: String(quote), CLOSED: 'N' });
  });

  it('a lead and a deal without TITLE are titled after their ID; companies and quotes need one', async () => {
    const lead = await ok(server, 'crm.lead.add', { fields: { NAME: 'No title' } });
    expect((await ok(server, 'crm.lead.get', { id: lead })).TITLE).toBe(`Lead #${lead}`);
    const deal = await ok(server, 'crm.deal.add', { fields: {} });
    expect((await ok(server, 'crm.deal.get', { id: deal })).TITLE).toBe(`Deal #${deal}`);
    const before = await crmSnapshot(server);
    expect((await fails(server, 'crm.company.add', { fields: { COMMENTS: 'x' } })).body).toEqual({ error: '', error_description: 'Field "Company Name" is required.' });
    expect((await fails(server, 'crm.quote.add', { fields: { TITLE: '' } })).body).toEqual({ error: '', error_description: 'Field "Subject" is required.' });
    expect((await fails(server, 'crm.contact.add', { fields: { POST: 'CEO' } })).body).toEqual({
      error: '',
      error_description: 'One of the fields must be filled in: "First Name", "Middle Name", "Last Name".',
    });
    expect(await crmSnapshot(server)).toEqual(before);
  });

  it('PHONE and EMAIL are multi-fields: added, changed by ID, deleted by DELETE=Y', async () => {
    const id = await ok(server, 'crm.contact.add', {
      fields: {
        NAME: 'Multi',
        PHONE: [{ VALUE: '+100', VALUE_TYPE: 'WORK' }, { VALUE: '+200', VALUE_TYPE: 'MOBILE' }],
        EMAIL: [{ VALUE: 'a@example.com' }],
      },
    });
    const contact = await ok(server, 'crm.contact.get', { id });
    expect(contact.HAS_PHONE).toBe('Y');
    expect(contact.HAS_EMAIL).toBe('Y');
    expect(contact.PHONE.map((p: any) => [p.VALUE_TYPE, p.VALUE, p.TYPE_ID])).toEqual([['WORK', '+100', 'PHONE'], ['MOBILE', '+200', 'PHONE']]);
    expect(contact.EMAIL).toEqual([{ ID: expect.stringMatching(/^\d+$/), VALUE_TYPE: 'WORK', VALUE: 'a@example.com', TYPE_ID: 'EMAIL' }]);
    expect(contact).not.toHaveProperty('WEB');

    const [first, second] = contact.PHONE;
    await ok(server, 'crm.contact.update', {
      id,
      fields: { PHONE: [{ ID: first.ID, VALUE: '+101', VALUE_TYPE: 'HOME' }, { ID: second.ID, DELETE: 'Y' }, { VALUE: '+300' }], EMAIL: [{ ID: contact.EMAIL[0].ID, VALUE: '' }] },
    });
    const after = await ok(server, 'crm.contact.get', { id });
    expect(after.PHONE.map((p: any) => [p.ID, p.VALUE_TYPE, p.VALUE])).toEqual([[first.ID, 'HOME', '+101'], [expect.any(String), 'WORK', '+300']]);
    expect(after).not.toHaveProperty('EMAIL');
    expect(after.HAS_EMAIL).toBe('N');
  });

  it('links: a deal keeps CONTACT_IDS in order, CONTACT_ID is the first; a contact its companies', async () => {
    const c1 = await ok(server, 'crm.contact.add', { fields: { NAME: 'C1' } });
    const c2 = await ok(server, 'crm.contact.add', { fields: { NAME: 'C2' } });
    const co = await ok(server, 'crm.company.add', { fields: { TITLE: 'Co' } });
    const deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Linked', CONTACT_IDS: [c2, c1], COMPANY_ID: co } });
    const got = await ok(server, 'crm.deal.get', { id: deal });
    expect(got.CONTACT_ID).toBe(String(c2));
    expect(got.COMPANY_ID).toBe(String(co));
    expect(got).not.toHaveProperty('CONTACT_IDS');
    const item = await ok(server, 'crm.item.get', { entityTypeId: 2, id: deal });
    expect(item.item.contactIds).toEqual([c2, c1]);

    // CONTACT_ID alone makes that contact the first and keeps the others.
    await ok(server, 'crm.deal.update', { id: deal, fields: { CONTACT_ID: c1 } });
    expect((await ok(server, 'crm.item.get', { entityTypeId: 2, id: deal })).item.contactIds).toEqual([c1, c2]);

    await ok(server, 'crm.contact.update', { id: c1, fields: { COMPANY_IDS: [co] } });
    expect((await ok(server, 'crm.contact.get', { id: c1 })).COMPANY_ID).toBe(String(co));
    expect((await ok(server, 'crm.item.get', { entityTypeId: 4, id: co })).item.contactIds).toEqual([c1]);

    // A lead with a client is a returning customer.
    const lead = await ok(server, 'crm.lead.add', { fields: { TITLE: 'Back', CONTACT_ID: c1 } });
    expect((await ok(server, 'crm.lead.get', { id: lead })).IS_RETURN_CUSTOMER).toBe('Y');
  });

  // Links to missing items, impossible dates and unknown stages: test/crm/strictFields.test.ts.
  it('refuses values of the wrong type', async () => {
    const before = await crmSnapshot(server);
    const cases: [string, Record<string, unknown>, string][] = [
      ['crm.deal.add', { OPPORTUNITY: 'a lot' }, 'Amount'],
      ['crm.deal.add', { CURRENCY_ID: 'euro' }, 'Currency'],
      ['crm.deal.add', { ASSIGNED_BY_ID: 'boss' }, 'Responsible'],
      ['crm.deal.add', { OPENED: 'maybe' }, 'Available to All'],
      ['crm.deal.add', { PROBABILITY: 99999999999 }, 'Probability'],
      ['crm.deal.add', { CONTACT_IDS: ['4294967296'] }, 'Contacts'],
      ['crm.deal.add', { TITLE: ['array'] }, 'Title'],
      ['crm.deal.add', { TITLE: 'x'.repeat(256) }, 'Title'],
      ['crm.lead.add', { PHONE: 'not a list' }, 'Phone'],
      ['crm.lead.add', { PHONE: [{ VALUE: '+1', VALUE_TYPE: 'SATELLITE' }] }, 'Phone'],
      ['crm.lead.add', { UTM_SOURCE: 'u'.repeat(601) }, 'Advertising System'],
    ];
    for (const [method, fields, title] of cases) {
      const answer = await fails(server, method, { fields: { TITLE: 'Bad', ...fields } });
      expect(answer.status, JSON.stringify(fields)).toBe(400);
      expect(answer.body, JSON.stringify(fields)).toEqual({ error: '', error_description: `Invalid value for the "${title}" field` });
    }
    expect(await crmSnapshot(server)).toEqual(before);
  });

  it('refuses an EMAIL value that is not an address with the pages’ ERROR_CORE text, and changes nothing', async () => {
    const contact = await ok(server, 'crm.contact.add', { fields: { NAME: 'Mail' } });
    const before = await crmSnapshot(server);
    const cases: [string, string, string][] = [
      ['not-an-address', 'WORK', 'Work e-mail'],
      ['a@b', 'HOME', 'Personal e-mail'],
      ['@example.com', 'MAILING', 'Newsletter e-mail'],
      ['a b@example.com', 'OTHER', 'Other e-mail'],
      ['a@example..com', 'WORK', 'Work e-mail'],
      ['a@example.c', 'WORK', 'Work e-mail'],
    ];
    for (const [value, valueType, caption] of cases) {
      const expected = { error: 'ERROR_CORE', error_description: `The field \`${caption}\` contains an invalid address` };
      for (const [method, params] of [
        ['crm.contact.add', { fields: { NAME: 'Bad', EMAIL: [{ VALUE: value, VALUE_TYPE: valueType }] } }],
        ['crm.company.add', { fields: { TITLE: 'Bad', EMAIL: [{ VALUE: 'ok@example.com' }, { VALUE: value, VALUE_TYPE: valueType }] } }],
        ['crm.contact.update', { id: contact, fields: { EMAIL: [{ VALUE: value, VALUE_TYPE: valueType }] } }],
      ] as const) {
        const answer = await fails(server, method, params);
        expect(answer.status, `${method} ${value}`).toBe(400);
        expect(answer.body, `${method} ${value}`).toEqual(expected);
      }
    }
    expect(await crmSnapshot(server)).toEqual(before);
    for (const value of ['john.smith@example.mailing', 'ivanov@example.work', "o'neil+tag@sub.example.co.uk", 'иван@пример.рф']) {
      const id = await ok(server, 'crm.lead.add', { fields: { TITLE: 'Mail', EMAIL: [{ VALUE: value, VALUE_TYPE: 'WORK' }] } });
      expect((await ok(server, 'crm.lead.get', { id })).EMAIL[0].VALUE).toBe(value);
    }
  });

  it('accepts TRACE on add without storing it as a field', async () => {
    const id = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Traced', TRACE: '{"url":"https://example.com"}' } });
    expect(await ok(server, 'crm.deal.get', { id })).not.toHaveProperty('TRACE');
  });
});
