// The request examples of the docs pages, sent as the pages write them (the cURL body byte for
// byte, the JS SDK's params as JSON) to a fresh server: each must succeed and store what it says.
// A fresh portal has none of the items and users the examples link to; a portal stores such links
// and drops dates it cannot read, and so does Salestrace unless `--strict-links` is on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type HttpAnswer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

/** What `curl -X POST -H "Content-Type: application/json" -H "Accept: application/json" -d BODY URL` sends. */
function curl(method: string, body: string): Promise<HttpAnswer> {
  return request(server.webhookUrl + method, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body,
  });
}

/** `date --iso-8601=seconds`, in UTC: 2026-03-13T10:00:00+00:00. */
function isoSeconds(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

async function get(method: string, id: number): Promise<any> {
  const answer = await curl(method, JSON.stringify({ id }));
  expect(answer.status, answer.text).toBe(200);
  return answer.body.result;
}

describe('crm-deal-add.md', () => {
  it('the cURL example', async () => {
    const now = new Date();
    const later = new Date(now.getTime() + 10 * 86_400_000);
    const body =
      '{"FIELDS":{"TITLE":"New Deal #1","TYPE_ID":"COMPLEX","CATEGORY_ID":0,"STAGE_ID":"PREPARATION","IS_RECURRING":"N","IS_RETURN_CUSTOMER":"Y","IS_REPEATED_APPROACH":"Y","PROBABILITY":99,"CURRENCY_ID":"EUR","OPPORTUNITY":1000000,"IS_MANUAL_OPPORTUNITY":"Y","TAX_VALUE":0.10,"COMPANY_ID":9,"CONTACT_IDS":[84,83],"BEGINDATE":"' +
      isoSeconds(now) +
      '","CLOSEDATE":"' +
      isoSeconds(later) +
      '", "OPENED":"Y","CLOSED":"N","COMMENTS":"Example comment","SOURCE_ID":"CALLBACK","SOURCE_DESCRIPTION":"Additional information about the source","ADDITIONAL_INFO":"Additional information","UTM_SOURCE":"google","UTM_MEDIUM":"CPC","PARENT_ID_1220":22,"UF_CRM_1721244482250":"Hello World!"},"PARAMS":{"REGISTER_SONET_EVENT":"N"}}';
    const answer = await curl('crm.deal.add', body);
    expect(answer.status, answer.text).toBe(200);
    expect(Number.isInteger(answer.body.result)).toBe(true);
    const deal = await get('crm.deal.get', answer.body.result);
    expect(deal).toMatchObject({ TITLE: 'New Deal #1', TYPE_ID: 'COMPLEX', STAGE_ID: 'PREPARATION', COMPANY_ID: '9', CONTACT_ID: '84', CURRENCY_ID: 'EUR', OPPORTUNITY: '1000000.00', UTM_SOURCE: 'google', UTM_MEDIUM: 'CPC' });
  });
});

describe('crm-contact-add.md', () => {
  it('the cURL example', async () => {
    const body =
      '{"FIELDS":{"HONORIFIC":"HNR_RU_1","NAME":"John","SECOND_NAME":"Doe","LAST_NAME":"Smith","PHOTO":{"fileData":"**put_photo_data_here**"},"BIRTHDATE":"11.11.2001","TYPE_ID":"PARTNER","SOURCE_ID":"WEB","SOURCE_DESCRIPTION":"*Additional information about the source*","POST":"Administrator","COMMENTS":"**put_comment_here**","OPENED":"Y","EXPORT":"N","ASSIGNED_BY_ID":6,"COMPANY_ID":12,"COMPANY_IDS":[12,13,15],"UTM_SOURCE":"google","UTM_MEDIUM":"CPC","UTM_CAMPAIGN":"summer_sale","UTM_CONTENT":"header_banner","UTM_TERM":"discount","PHONE":[{"VALUE":"+1333333555","VALUE_TYPE":"WORK"},{"VALUE":"+15599888666","VALUE_TYPE":"HOME"}],"EMAIL":[{"VALUE":"john.smith@example.mailing","VALUE_TYPE":"MAILING"},{"VALUE":"john.smith@example.work","VALUE_TYPE":"WORK"}],"UF_CRM_1720697698689":"Example value of a custom field with type \\"String\\"","PARENT_ID_1224":12}}';
    const answer = await curl('crm.contact.add', body);
    expect(answer.status, answer.text).toBe(200);
    const contact = await get('crm.contact.get', answer.body.result);
    expect(contact).toMatchObject({ NAME: 'John', LAST_NAME: 'Smith', ASSIGNED_BY_ID: '6', COMPANY_ID: '12' });
  });
});

describe('crm-quote-add.md', () => {
  it('the cURL example', async () => {
    const body =
      '{"fields":{"TITLE":"Estimate for Furniture Supply","STATUS_ID":"DRAFT","OPENED":"Y","ASSIGNED_BY_ID":1,"CURRENCY_ID":"USD","OPPORTUNITY":150000,"COMPANY_ID":1,"MYCOMPANY_ID":3,"COMMENTS":"Prepared upon client request","BEGINDATE":"2026-03-13T10:00:00+01:00","CLOSEDATE":"2026-03-20T18:00:00+01:00"},"params":{"IMPORT":"N"}}';
    const answer = await curl('crm.quote.add', body);
    expect(answer.status, answer.text).toBe(200);
    const quote = await get('crm.quote.get', answer.body.result);
    expect(quote).toMatchObject({ TITLE: 'Estimate for Furniture Supply', COMPANY_ID: '1', MYCOMPANY_ID: '3' });
  });
});

describe('crm-item-add.md', () => {
  it('the cURL example (a deal)', async () => {
    const body =
      '{"entityTypeId":2,"fields":{"title":"New deal (specifically for REST method examples)","typeId":"SERVICE","categoryId":9,"stageId":"C9:UC_KN8KFI","isReccurring":"Y","probability":50,"currencyId":"EUR","isManualOpportunity":"Y","opportunity":999.99,"taxValue":99.9,"companyId":5,"contactId":4,"contactIds":[4,5],"quoteId":7,"begindate":"formatDate(monthAgo)","closedate":"formatDate(twelveDaysInAdvance)","opened":"N","comments":"commentsExample","assignedById":6,"sourceId":"WEB","sourceDescription":"There should be an additional description about the source","leadId":102,"additionalInfo":"There should be additional information","observers":[2,3],"utmSource":"google","utmMedium":"CPC","ufCrm_1721244707107":1111.1,"parentId1220":2}}';
    const answer = await curl('crm.item.add', body);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.result.item).toMatchObject({ title: 'New deal (specifically for REST method examples)', companyId: 5, contactId: 4, contactIds: [4, 5], quoteId: 7, leadId: 102, assignedById: 6 });
  });
});

describe('crm-company-list.md', () => {
  it('the cURL example', async () => {
    const body = '{"ORDER":{"DATE_CREATE":"ASC"},"FILTER":{"COMPANY_TYPE":"CUSTOMER",">=DATE_CREATE":"2025-01-01"},"SELECT":["TITLE","ASSIGNED_BY_ID","PHONE"]}';
    const added = await curl('crm.company.add', JSON.stringify({ fields: { TITLE: 'Crossroads', COMPANY_TYPE: 'CUSTOMER', PHONE: [{ VALUE: '+19998887766', VALUE_TYPE: 'WORK' }] } }));
    expect(added.status, added.text).toBe(200);
    await curl('crm.company.add', JSON.stringify({ fields: { TITLE: 'Supplier', COMPANY_TYPE: 'SUPPLIER' } }));
    const answer = await curl('crm.company.list', body);
    expect(answer.status, answer.text).toBe(200);
    const id = String(added.body.result);
    // The page's answer: the named fields, then ID although not named, then the multi-field.
    expect(answer.body.result).toEqual([
      { TITLE: 'Crossroads', ASSIGNED_BY_ID: '1', ID: id, PHONE: [{ ID: expect.any(String), VALUE_TYPE: 'WORK', VALUE: '+19998887766', TYPE_ID: 'PHONE' }] },
    ]);
    expect(Object.keys(answer.body.result[0])).toEqual(['TITLE', 'ASSIGNED_BY_ID', 'ID', 'PHONE']);
    expect(answer.body.total).toBe(1);
  });
});
