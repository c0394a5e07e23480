// What a portal stores and what `serve --strict-fields` refuses: links to items or users that do
// not exist, dates that cannot be read, pipelines and stages that do not exist. By default a
// link is stored as given and an unreadable value is dropped; with the option each is refused
// with the field's error and nothing changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveConfig } from '../../src/config.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { crmSnapshot, fails, ok } from './helpers.js';

let portal: TestServer;
let strict: TestServer;

beforeAll(async () => {
  [portal, strict] = await Promise.all([startTestServer(), startTestServer({ config: { strictFields: true } })]);
});
afterAll(async () => {
  await Promise.all([portal.close(), strict.close()]);
});

/** Legacy fields a portal takes, the field title the strict error names. */
const LEGACY_CASES: [Record<string, unknown>, string][] = [
  [{ COMPANY_ID: 999999 }, 'Company'],
  [{ CONTACT_IDS: [999999] }, 'Contacts'],
  [{ STAGE_ID: 'NOPE' }, 'Deal Stage'],
  [{ CATEGORY_ID: 5 }, 'Sales Funnel'],
  [{ BEGINDATE: '31.02.2026' }, 'Start Date'],
  [{ ASSIGNED_BY_ID: 999 }, 'Responsible'],
];

describe('--strict-fields', () => {
  it('refuses links to items and users that do not exist, impossible dates and unknown stages', async () => {
    const before = await crmSnapshot(strict);
    for (const [fields, title] of LEGACY_CASES) {
      const answer = await fails(strict, 'crm.deal.add', { fields: { TITLE: 'Bad', ...fields } });
      expect(answer.status, JSON.stringify(fields)).toBe(400);
      expect(answer.body, JSON.stringify(fields)).toEqual({ error: '', error_description: `Invalid value for the "${title}" field` });
    }
    const item = await fails(strict, 'crm.item.add', { entityTypeId: 2, fields: { companyId: 424242 } });
    expect(item.body).toEqual({ error: 'CRM_FIELD_ERROR_VALUE_NOT_VALID', error_description: 'Invalid value for field "Company"' });
    expect(await crmSnapshot(strict)).toEqual(before);
  });

  it('is read from the flag or SALESTRACE_STRICT_FIELDS, off by default', () => {
    expect(resolveConfig({}).strictFields).toBe(false);
    expect(resolveConfig({}, { SALESTRACE_STRICT_FIELDS: 'true' }).strictFields).toBe(true);
    expect(resolveConfig({ strictFields: true }, { SALESTRACE_STRICT_FIELDS: '0' }).strictFields).toBe(true);
    expect(() => resolveConfig({}, { SALESTRACE_STRICT_FIELDS: 'maybe' })).toThrow('SALESTRACE_STRICT_FIELDS must be true or false, got "maybe"');
  });
});

describe('by default, as a portal', () => {
  it('stores links to missing items and users as given', async () => {
    const id = await ok(portal, 'crm.deal.add', { fields: { TITLE: 'Links', COMPANY_ID: 999999, CONTACT_IDS: [999998, 999999], ASSIGNED_BY_ID: 999 } });
    const deal = await ok(portal, 'crm.deal.get', { id });
    expect([deal.COMPANY_ID, deal.CONTACT_ID, deal.ASSIGNED_BY_ID]).toEqual(['999999', '999998', '999']);
    const { item } = await ok(portal, 'crm.item.get', { entityTypeId: 2, id });
    expect(item.contactIds).toEqual([999998, 999999]);
    const quote = await ok(portal, 'crm.item.add', { entityTypeId: 7, fields: { title: 'Q', companyId: 424242, mycompanyId: 3 } });
    expect([quote.item.companyId, quote.item.mycompanyId]).toEqual([424242, 3]);
  });

  it('drops dates it cannot read, and puts an unknown pipeline or stage on the general one', async () => {
    const id = await ok(portal, 'crm.deal.add', { fields: { TITLE: 'Dates', BEGINDATE: '31.02.2026', CLOSEDATE: 'formatDate(x)', CATEGORY_ID: 5, STAGE_ID: 'NOPE' } });
    const deal = await ok(portal, 'crm.deal.get', { id });
    expect([deal.CATEGORY_ID, deal.STAGE_ID]).toEqual(['0', 'NEW']);
    // Dropped, so the add's defaults stand: BEGINDATE today, CLOSEDATE a week on (defaults.ts).
    const plain = await ok(portal, 'crm.deal.get', { id: await ok(portal, 'crm.deal.add', { fields: { TITLE: 'Plain' } }) });
    expect([deal.BEGINDATE, deal.CLOSEDATE]).toEqual([plain.BEGINDATE, plain.CLOSEDATE]);
    // On update a dropped value leaves the field as it was.
    expect(await ok(portal, 'crm.deal.update', { id, fields: { BEGINDATE: 'soon', STAGE_ID: 'NOPE' } })).toBe(true);
    const after = await ok(portal, 'crm.deal.get', { id });
    expect([after.BEGINDATE, after.STAGE_ID]).toEqual([deal.BEGINDATE, 'NEW']);
  });

  it('still refuses values of the wrong type', async () => {
    const answer = await callJson(portal, 'crm.deal.add', { fields: { TITLE: 'Bad', COMPANY_ID: 'acme' } });
    expect(answer.body).toEqual({ error: '', error_description: 'Invalid value for the "Company" field' });
  });
});
