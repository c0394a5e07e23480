// Random input against the CRM methods: whatever arrives, the answer is a success or a
// Bitrix-style 400 error, never a 5xx, and a refused call leaves every CRM table as it was.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { crmSnapshot, ok } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  const contact = await ok(server, 'crm.contact.add', { fields: { NAME: 'Seed', PHONE: [{ VALUE: '+1' }] } });
  await ok(server, 'crm.deal.add', { fields: { TITLE: 'Seed', CONTACT_IDS: [contact], UTM_SOURCE: 'google' } });
});
afterAll(async () => {
  await server.close();
});

const NAMES = ['TITLE', 'NAME', 'OPPORTUNITY', 'STAGE_ID', 'STATUS_ID', 'CONTACT_IDS', 'COMPANY_ID', 'ASSIGNED_BY_ID', 'BEGINDATE', 'DATE_CREATE', 'PHONE', 'UTM_SOURCE', 'OPENED', 'CATEGORY_ID', 'title', 'opportunity', 'contactIds', 'fm', 'stageId', 'utmSource', 'createdTime', 'assignedById', 'bogus'];
const PREFIXES = ['', '=', '!', '!=', '>', '<', '>=', '<=', '@', '!@', '%', '=%', '%=', '!%', '!=%', '!%=', '~', '><', '?'];

const value = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.integer({ min: -5, max: 5 }),
  fc.double({ noNaN: true }),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('2026-01-01', '31.12.2025 10:00', 'NEW', 'WON', 'Y', 'N', 'USD', '1', '0', '', 99999999999, '99999999999', -2147483649),
  // LIKE edges: escapes (a lone trailing backslash failed on PostgreSQL), and values past the
  // column's size and past SQLite's 50 000-byte pattern limit.
  fc.constantFrom('a\\', '\\', '50%_\\', '\\%', 'x'.repeat(256), '%'.repeat(50_001)),
  fc.array(fc.oneof(fc.integer({ min: -1, max: 3 }), fc.string({ maxLength: 4 })), { maxLength: 3 }),
  fc.array(fc.record({ VALUE: fc.string({ maxLength: 6 }), VALUE_TYPE: fc.constantFrom('WORK', 'HOME', 'NOPE') }), { maxLength: 2 }),
);
const fieldMap = fc.dictionary(fc.constantFrom(...NAMES), value, { maxKeys: 4 });
const filterMap = fc.dictionary(
  fc.tuple(fc.constantFrom(...PREFIXES), fc.constantFrom(...NAMES)).map(([prefix, name]) => prefix + name),
  value,
  { maxKeys: 3 },
);
const id = fc.oneof(fc.integer({ min: -2, max: 4 }), fc.constantFrom('1', 'abc', '', '2.5', 99999999999, '4294967296'), fc.constant(undefined));
const entityTypeId = fc.oneof(fc.constantFrom(1, 2, 3, 4, 5, 7, 31, 128, 0), fc.constantFrom('2', 'deal'), fc.constant(undefined));

const call = fc.oneof(
  fc.record({ method: fc.constantFrom('crm.deal.add', 'crm.contact.add', 'crm.lead.add', 'crm.company.add', 'crm.quote.add'), params: fc.record({ fields: fc.oneof(fieldMap, value) }) }),
  fc.record({ method: fc.constantFrom('crm.deal.update', 'crm.contact.update'), params: fc.record({ id, fields: fc.oneof(fieldMap, value) }) }),
  fc.record({ method: fc.constantFrom('crm.deal.list', 'crm.contact.list'), params: fc.record({ filter: fc.oneof(filterMap, value), order: fc.oneof(fieldMap, value), select: value }) }),
  fc.record({ method: fc.constantFrom('crm.deal.get', 'crm.deal.delete', 'crm.contact.delete'), params: fc.record({ id }) }),
  fc.record({ method: fc.constantFrom('crm.item.add', 'crm.item.update'), params: fc.record({ entityTypeId, id, fields: fc.oneof(fieldMap, value) }) }),
  fc.record({ method: fc.constant('crm.item.list'), params: fc.record({ entityTypeId, filter: fc.oneof(filterMap, value), order: fc.oneof(fieldMap, value), select: value }) }),
  fc.record({ method: fc.constantFrom('crm.item.get', 'crm.item.delete', 'crm.item.fields'), params: fc.record({ entityTypeId, id }) }),
);

it('answers random input with a success or a clean error, and errors change nothing', async () => {
  await fc.assert(
    fc.asyncProperty(call, async ({ method, params }) => {
      const before = await crmSnapshot(server);
      const answer = await callJson(server, method, JSON.parse(JSON.stringify(params)));
      expect([200, 400], `${method} ${JSON.stringify(params)} → ${answer.text}`).toContain(answer.status);
      if (answer.status === 400) {
        expect(Object.keys(answer.body).sort()).toEqual(['error', 'error_description']);
        expect(typeof answer.body.error_description).toBe('string');
        expect(await crmSnapshot(server), `${method} ${JSON.stringify(params)}`).toEqual(before);
      }
    }),
    { numRuns: 250 },
  );
}, 120_000);
