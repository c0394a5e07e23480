// The request examples of the docs pages, sent unmodified to a fresh server: the cURL body byte
// for byte (shell substitutions such as `$(date …)` computed as the shell would), and the JS SDK
// examples' `params` as the JSON body the SDK posts. Each must succeed and store what it sends.
// A fresh server has none of the items and users the examples link to: a portal stores such
// links and drops dates it cannot read, and so does Salestrace (`--strict-fields` refuses them).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { request, startTestServer, type HttpAnswer, type TestServer } from '../helpers/server.js';

// Dates below are compared as the server formats them, in its zone.
process.env.TZ = 'UTC';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const DAY = 86_400_000;

/** What `curl -X POST -H "Content-Type: application/json" -H "Accept: application/json" -d BODY URL` sends. */
function curl(method: string, body: string): Promise<HttpAnswer> {
  return request(server.webhookUrl + method, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
    body,
  });
}

/** What the JS SDK's `call.make({ method, params })` posts. */
function sdk(method: string, params: unknown): Promise<HttpAnswer> {
  return curl(method, JSON.stringify(params));
}

async function expectCreated(answer: HttpAnswer): Promise<number> {
  expect(answer.status, answer.text).toBe(200);
  expect(answer.body.error).toBeUndefined();
  const id = typeof answer.body.result === 'number' ? answer.body.result : answer.body.result?.item?.id;
  expect(Number.isInteger(id) && id > 0, answer.text).toBe(true);
  return id;
}

/** `date --iso-8601=seconds` (the test runs in UTC): 2026-03-13T10:00:00+00:00. */
function isoSeconds(at: Date): string {
  return at.toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

async function stored(method: string, id: number): Promise<any> {
  const answer = await curl(method, JSON.stringify({ id }));
  expect(answer.status, answer.text).toBe(200);
  return answer.body.result;
}

async function storedItem(entityTypeId: number, id: number): Promise<any> {
  const answer = await curl('crm.item.get', JSON.stringify({ entityTypeId, id }));
  expect(answer.status, answer.text).toBe(200);
  return answer.body.result.item;
}

/** A date-only field as the server answers it (UTC here). */
function dateOnly(at: Date): string {
  return `${at.toISOString().slice(0, 10)}T00:00:00+00:00`;
}

describe('crm-deal-add.md', () => {
  it('the cURL example', async () => {
    const now = new Date();
    const later = new Date(now.getTime() + 10 * DAY);
    const body =
      '{"FIELDS":{"TITLE":"New Deal #1","TYPE_ID":"COMPLEX","CATEGORY_ID":0,"STAGE_ID":"PREPARATION","IS_RECURRING":"N","IS_RETURN_CUSTOMER":"Y","IS_REPEATED_APPROACH":"Y","PROBABILITY":99,"CURRENCY_ID":"EUR","OPPORTUNITY":1000000,"IS_MANUAL_OPPORTUNITY":"Y","TAX_VALUE":0.10,"COMPANY_ID":9,"CONTACT_IDS":[84,83],"BEGINDATE":"' +
      isoSeconds(now) +
      '","CLOSEDATE":"' +
      isoSeconds(later) +
      '", "OPENED":"Y","CLOSED":"N","COMMENTS":"Example comment","SOURCE_ID":"CALLBACK","SOURCE_DESCRIPTION":"Additional information about the source","ADDITIONAL_INFO":"Additional information","UTM_SOURCE":"google","UTM_MEDIUM":"CPC","PARENT_ID_1220":22,"UF_CRM_1721244482250":"Hello World!"},"PARAMS":{"REGISTER_SONET_EVENT":"N"}}';
    const id = await expectCreated(await curl('crm.deal.add', body));
    expect(await stored('crm.deal.get', id)).toMatchObject({
      TITLE: 'New Deal #1',
      TYPE_ID: 'COMPLEX',
      CATEGORY_ID: '0',
      STAGE_ID: 'PREPARATION',
      PROBABILITY: '99',
      CURRENCY_ID: 'EUR',
      OPPORTUNITY: '1000000.00',
      IS_MANUAL_OPPORTUNITY: 'Y',
      TAX_VALUE: '0.10',
      COMPANY_ID: '9',
      CONTACT_ID: '84',
      BEGINDATE: dateOnly(now),
      CLOSEDATE: dateOnly(later),
      COMMENTS: 'Example comment',
      SOURCE_ID: 'CALLBACK',
      UTM_SOURCE: 'google',
      UTM_MEDIUM: 'CPC',
    });
    expect((await storedItem(2, id)).contactIds).toEqual([84, 83]);
  });

  it('the JS example', async () => {
    const now = new Date();
    const after10Days = new Date(now.getTime() + 10 * DAY);
    const params = {
      fields: {
        TITLE: 'New deal #1',
        TYPE_ID: 'COMPLEX',
        CATEGORY_ID: 0,
        STAGE_ID: 'PREPARATION',
        IS_RECURRING: 'N',
        IS_RETURN_CUSTOMER: 'Y',
        IS_REPEATED_APPROACH: 'Y',
        PROBABILITY: 99,
        CURRENCY_ID: 'EUR',
        OPPORTUNITY: 1000000,
        IS_MANUAL_OPPORTUNITY: 'Y',
        TAX_VALUE: 0.1,
        COMPANY_ID: 9,
        CONTACT_IDS: [84, 83],
        BEGINDATE: now.toISOString(),
        CLOSEDATE: after10Days.toISOString(),
        OPENED: 'Y',
        CLOSED: 'N',
        COMMENTS: '[B]Sample comment[/B]',
        SOURCE_ID: 'CALLBACK',
        SOURCE_DESCRIPTION: 'Additional information about the source',
        ADDITIONAL_INFO: 'Additional information',
        UTM_SOURCE: 'google',
        UTM_MEDIUM: 'CPC',
        PARENT_ID_1220: 22,
        UF_CRM_1721244482250: 'Hello world!',
      },
      params: {
        REGISTER_SONET_EVENT: 'N',
      },
    };
    const id = await expectCreated(await sdk('crm.deal.add', params));
    expect(await stored('crm.deal.get', id)).toMatchObject({ TITLE: 'New deal #1', COMPANY_ID: '9', CONTACT_ID: '84', BEGINDATE: dateOnly(now), CLOSEDATE: dateOnly(after10Days) });
  });
});

describe('crm-contact-add.md', () => {
  it('the cURL example', async () => {
    const body =
      '{"FIELDS":{"HONORIFIC":"HNR_RU_1","NAME":"John","SECOND_NAME":"Doe","LAST_NAME":"Smith","PHOTO":{"fileData":"**put_photo_data_here**"},"BIRTHDATE":"11.11.2001","TYPE_ID":"PARTNER","SOURCE_ID":"WEB","SOURCE_DESCRIPTION":"*Additional information about the source*","POST":"Administrator","COMMENTS":"**put_comment_here**","OPENED":"Y","EXPORT":"N","ASSIGNED_BY_ID":6,"COMPANY_ID":12,"COMPANY_IDS":[12,13,15],"UTM_SOURCE":"google","UTM_MEDIUM":"CPC","UTM_CAMPAIGN":"summer_sale","UTM_CONTENT":"header_banner","UTM_TERM":"discount","PHONE":[{"VALUE":"+1333333555","VALUE_TYPE":"WORK"},{"VALUE":"+15599888666","VALUE_TYPE":"HOME"}],"EMAIL":[{"VALUE":"john.smith@example.mailing","VALUE_TYPE":"MAILING"},{"VALUE":"john.smith@example.work","VALUE_TYPE":"WORK"}],"UF_CRM_1720697698689":"Example value of a custom field with type \\"String\\"","PARENT_ID_1224":12}}';
    const id = await expectCreated(await curl('crm.contact.add', body));
    const contact = await stored('crm.contact.get', id);
    expect(contact).toMatchObject({
      HONORIFIC: 'HNR_RU_1',
      NAME: 'John',
      SECOND_NAME: 'Doe',
      LAST_NAME: 'Smith',
      BIRTHDATE: '2001-11-11T00:00:00+00:00',
      TYPE_ID: 'PARTNER',
      POST: 'Administrator',
      EXPORT: 'N',
      ASSIGNED_BY_ID: '6',
      COMPANY_ID: '12',
      UTM_SOURCE: 'google',
      UTM_TERM: 'discount',
      HAS_PHONE: 'Y',
      HAS_EMAIL: 'Y',
    });
    expect(contact.PHONE.map((p: any) => [p.VALUE_TYPE, p.VALUE])).toEqual([['WORK', '+1333333555'], ['HOME', '+15599888666']]);
    expect(contact.EMAIL.map((e: any) => [e.VALUE_TYPE, e.VALUE])).toEqual([['MAILING', 'john.smith@example.mailing'], ['WORK', 'john.smith@example.work']]);
    expect((await storedItem(3, id)).companyIds).toEqual([12, 13, 15]);
  });
});

describe('crm-quote-add.md', () => {
  it('the cURL example', async () => {
    const body =
      '{"fields":{"TITLE":"Estimate for Furniture Supply","STATUS_ID":"DRAFT","OPENED":"Y","ASSIGNED_BY_ID":1,"CURRENCY_ID":"USD","OPPORTUNITY":150000,"COMPANY_ID":1,"MYCOMPANY_ID":3,"COMMENTS":"Prepared upon client request","BEGINDATE":"2026-03-13T10:00:00+01:00","CLOSEDATE":"2026-03-20T18:00:00+01:00"},"params":{"IMPORT":"N"}}';
    const id = await expectCreated(await curl('crm.quote.add', body));
    expect(await stored('crm.quote.get', id)).toMatchObject({
      TITLE: 'Estimate for Furniture Supply',
      STATUS_ID: 'DRAFT',
      ASSIGNED_BY_ID: '1',
      CURRENCY_ID: 'USD',
      OPPORTUNITY: '150000.00',
      COMPANY_ID: '1',
      MYCOMPANY_ID: '3',
      COMMENTS: 'Prepared upon client request',
      BEGINDATE: '2026-03-13T00:00:00+00:00',
      CLOSEDATE: '2026-03-20T00:00:00+00:00',
    });
  });

  it('the JS example', async () => {
    const params = {
      fields: {
        TITLE: 'Furniture supply quote',
        STATUS_ID: 'DRAFT',
        OPENED: 'Y',
        ASSIGNED_BY_ID: 1,
        CURRENCY_ID: 'USD',
        OPPORTUNITY: 150000,
        COMPANY_ID: 1,
        MYCOMPANY_ID: 3,
        COMMENTS: 'Prepared at client request',
        BEGINDATE: '2026-03-13T10:00:00+03:00',
        CLOSEDATE: '2026-03-20T18:00:00+03:00',
      },
      params: {
        IMPORT: 'N',
      },
    };
    const id = await expectCreated(await sdk('crm.quote.add', params));
    expect(await stored('crm.quote.get', id)).toMatchObject({ TITLE: 'Furniture supply quote', COMPANY_ID: '1', MYCOMPANY_ID: '3', BEGINDATE: '2026-03-13T00:00:00+00:00' });
  });
});

describe('crm-item-add.md (the deal example; the smart-process example needs a type Salestrace does not have)', () => {
  it('the cURL example', async () => {
    const body =
      '{"entityTypeId":2,"fields":{"title":"New deal (specifically for REST method examples)","typeId":"SERVICE","categoryId":9,"stageId":"C9:UC_KN8KFI","isReccurring":"Y","probability":50,"currencyId":"EUR","isManualOpportunity":"Y","opportunity":999.99,"taxValue":99.9,"companyId":5,"contactId":4,"contactIds":[4,5],"quoteId":7,"begindate":"formatDate(monthAgo)","closedate":"formatDate(twelveDaysInAdvance)","opened":"N","comments":"commentsExample","assignedById":6,"sourceId":"WEB","sourceDescription":"There should be an additional description about the source","leadId":102,"additionalInfo":"There should be additional information","observers":[2,3],"utmSource":"google","utmMedium":"CPC","ufCrm_1721244707107":1111.1,"parentId1220":2}}';
    const answer = await curl('crm.item.add', body);
    const id = await expectCreated(answer);
    const expected = {
      title: 'New deal (specifically for REST method examples)',
      typeId: 'SERVICE',
      // No pipeline 9 here: the general one, and its first stage (COMPATIBILITY.md).
      categoryId: 0,
      stageId: 'NEW',
      probability: 50,
      currencyId: 'EUR',
      isManualOpportunity: 'Y',
      opportunity: 999.99,
      taxValue: 99.9,
      companyId: 5,
      contactId: 4,
      contactIds: [4, 5],
      quoteId: 7,
      opened: 'N',
      comments: 'commentsExample',
      assignedById: 6,
      sourceId: 'WEB',
      leadId: 102,
      utmSource: 'google',
      utmMedium: 'CPC',
    };
    expect(answer.body.result.item).toMatchObject(expected);
    // The placeholder dates were dropped: the add's defaults stand (today, a week on).
    const today = new Date();
    expect(answer.body.result.item).toMatchObject({ begindate: dateOnly(today), closedate: dateOnly(new Date(today.getTime() + 7 * DAY)) });
    expect(await storedItem(2, id)).toMatchObject(expected);
  });

  it('the JS example', async () => {
    const formatDate = (date: Date): string => date.toISOString().slice(0, 10);
    const now = new Date();
    const twelveDaysInAdvance = new Date(now.getTime() + 12 * DAY);
    const monthAgo = new Date(now.getTime() - 30 * DAY);
    const commentsExample = [
      'Example comment inside a deal',
      '',
      '[B]Bold text[/B]',
      '[I]Italic[/I]',
      '[U]Underlined[/U]',
      '[S]Strikethrough[/S]',
      '[B][I][U][S]Mix[/S][/U][/I][/B]',
      '',
      '[LIST]',
      '[*]List item #1',
      '[*]List item #2',
      '[*]List item #3',
      '[/LIST]',
    ].join('\n');
    const params = {
      entityTypeId: 2,
      fields: {
        title: 'New deal (specifically for the REST methods example)',
        typeId: 'SERVICE',
        categoryId: 9,
        stageId: 'C9:UC_KN8KFI',
        isReccurring: 'Y',
        probability: 50,
        currencyId: 'EUR',
        isManualOpportunity: 'Y',
        opportunity: 999.99,
        taxValue: 99.9,
        companyId: 5,
        contactId: 4,
        contactIds: [4, 5],
        quoteId: 7,
        begindate: formatDate(monthAgo),
        closedate: formatDate(twelveDaysInAdvance),
        opened: 'N',
        comments: commentsExample,
        assignedById: 6,
        sourceId: 'WEB',
        sourceDescription: 'Additional description about the source goes here',
        leadId: 102,
        additionalInfo: 'Additional information goes here',
        observers: [2, 3],
        utmSource: 'google',
        utmMedium: 'CPC',
        ufCrm_1721244707107: 1111.1,
        parentId1220: 2,
      },
    };
    const id = await expectCreated(await sdk('crm.item.add', params));
    expect(await storedItem(2, id)).toMatchObject({
      title: 'New deal (specifically for the REST methods example)',
      comments: commentsExample,
      begindate: dateOnly(monthAgo),
      closedate: dateOnly(twelveDaysInAdvance),
      contactIds: [4, 5],
    });
  });
});

describe('crm-company-list.md', () => {
  it('the cURL example answers the page’s shape: the named fields, ID, then PHONE', async () => {
    const added = await expectCreated(
      await sdk('crm.company.add', { fields: { TITLE: 'Crossroads', COMPANY_TYPE: 'CUSTOMER', PHONE: [{ VALUE: '+19998887766', VALUE_TYPE: 'WORK' }] } }),
    );
    await expectCreated(await sdk('crm.company.add', { fields: { TITLE: 'Supplier', COMPANY_TYPE: 'SUPPLIER' } }));
    const body = '{"ORDER":{"DATE_CREATE":"ASC"},"FILTER":{"COMPANY_TYPE":"CUSTOMER",">=DATE_CREATE":"2025-01-01"},"SELECT":["TITLE","ASSIGNED_BY_ID","PHONE"]}';
    const answer = await curl('crm.company.list', body);
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.result).toEqual([
      { TITLE: 'Crossroads', ASSIGNED_BY_ID: '1', ID: String(added), PHONE: [{ ID: expect.any(String), VALUE_TYPE: 'WORK', VALUE: '+19998887766', TYPE_ID: 'PHONE' }] },
    ]);
    expect(Object.keys(answer.body.result[0])).toEqual(['TITLE', 'ASSIGNED_BY_ID', 'ID', 'PHONE']);
    expect(answer.body.total).toBe(1);
  });
});
