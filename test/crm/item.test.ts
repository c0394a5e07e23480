// crm.item.* over real sockets for the five types, and reads across the two method families:
// an item written one way reads back the other way, because both use the same tables.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { formatDateC } from '../../src/rest/time.js';
import { callJson, expectTimeBlock, startTestServer, type TestServer } from '../helpers/server.js';
import { crmSnapshot, fails, minimalFields, ok } from './helpers.js';

const NOW = Date.UTC(2026, 4, 2, 12, 0, 0);
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

const TYPES: [string, number, string][] = [
  ['lead', 1, 'title'],
  ['deal', 2, 'title'],
  ['contact', 3, 'name'],
  ['company', 4, 'title'],
  ['quote', 7, 'title'],
];

describe.each(TYPES)('crm.item.* with %s (entityTypeId %i)', (method, entityTypeId, nameField) => {
  it('fields describes camelCase fields with their upper names', async () => {
    const answer = await callJson(server, 'crm.item.fields', { entityTypeId });
    expect(answer.status).toBe(200);
    expectTimeBlock(answer.body.time);
    const fields = answer.body.result.fields;
    expect(fields.id).toEqual({
      type: 'integer', isRequired: false, isReadOnly: true, isImmutable: false, isMultiple: false, isDynamic: false, title: 'ID', upperName: 'ID',
    });
    expect(fields.assignedById).toMatchObject({ type: 'user', upperName: 'ASSIGNED_BY_ID' });
    expect(fields.createdTime).toMatchObject({ type: 'datetime', isReadOnly: true, upperName: 'DATE_CREATE' });
    expect(fields.utmSource).toMatchObject({ type: 'string', upperName: 'UTM_SOURCE' });
    expect(fields.opened).toMatchObject({ type: 'boolean', upperName: 'OPENED' });
    expect(fields[nameField]).toBeDefined();
  });

  it('add, get, list, update and delete', async () => {
    const add = await callJson(server, 'crm.item.add', {
      entityTypeId,
      fields: { [nameField]: 'Universal', comments: 'via item', utmSource: 'newsletter', assignedById: 1, opened: 'N' },
    });
    expect(add.status).toBe(200);
    const item = add.body.result.item;
    const id = item.id;
    expect(item).toMatchObject({
      id: expect.any(Number),
      [nameField]: 'Universal',
      comments: 'via item',
      utmSource: 'newsletter',
      utmMedium: null,
      assignedById: 1,
      createdBy: 1,
      updatedBy: 1,
      opened: 'N',
      createdTime: formatDateC(NOW / 1000),
      updatedTime: formatDateC(NOW / 1000),
      entityTypeId,
    });

    expect((await ok(server, 'crm.item.get', { entityTypeId, id })).item).toEqual(item);

    const list = await ok(server, 'crm.item.list', { entityTypeId, filter: { id }, select: ['id', nameField, 'utmSource'] });
    expect(list).toEqual({ items: [{ id, [nameField]: 'Universal', utmSource: 'newsletter' }] });

    clock.advance(5000);
    const updated = await ok(server, 'crm.item.update', { entityTypeId, id, fields: { comments: 'changed', utmSource: null, createdTime: '2001-01-01', unknownThing: 1 } });
    expect(updated.item).toMatchObject({ id, comments: 'changed', utmSource: null, createdTime: formatDateC(NOW / 1000), updatedTime: formatDateC(NOW / 1000 + 5) });

    const removed = await callJson(server, 'crm.item.delete', { entityTypeId, id });
    expect(removed.status).toBe(200);
    expect(removed.text.startsWith('{"result":[],"time":')).toBe(true);
    const gone = await callJson(server, 'crm.item.get', { entityTypeId, id });
    expect(gone.status).toBe(400);
    expect(gone.body).toEqual({ error: 'NOT_FOUND', error_description: 'Element not found' });
  });

  it('reads back what crm.' + method + '.add wrote, and the other way round', async () => {
    const legacyId = await ok(server, `crm.${method}.add`, { fields: { ...minimalFields(method, 'Legacy made'), UTM_TERM: 'shoes', COMMENTS: 'old way' } });
    const viaItem = (await ok(server, 'crm.item.get', { entityTypeId, id: legacyId })).item;
    expect(viaItem).toMatchObject({ id: legacyId, [nameField]: 'Legacy made', utmTerm: 'shoes', comments: 'old way', assignedById: 1 });

    const itemId = (await ok(server, 'crm.item.add', { entityTypeId, fields: { [nameField]: 'Item made', utmContent: 'banner', comments: 'new way' } })).item.id;
    const viaLegacy = await ok(server, `crm.${method}.get`, { id: itemId });
    expect(viaLegacy).toMatchObject({ ID: String(itemId), [nameField.toUpperCase()]: 'Item made', UTM_CONTENT: 'banner', COMMENTS: 'new way', ASSIGNED_BY_ID: '1' });

    // Both families list both items, each in its own shape.
    const legacyList = await ok(server, `crm.${method}.list`, { filter: { '@ID': [legacyId, itemId] }, select: ['ID'], order: { ID: 'ASC' } });
    expect(legacyList).toEqual([{ ID: String(legacyId) }, { ID: String(itemId) }]);
    const itemList = await ok(server, 'crm.item.list', { entityTypeId, filter: { '@id': [legacyId, itemId] }, select: ['id'], order: { id: 'DESC' } });
    expect(itemList).toEqual({ items: [{ id: itemId }, { id: legacyId }] });
  });
});

describe('crm.item specifics', () => {
  it('writes multi-fields through fm and reads them back as PHONE / EMAIL', async () => {
    const added = await ok(server, 'crm.item.add', {
      entityTypeId: 3,
      fields: { name: 'Fm', fm: [{ typeId: 'PHONE', valueType: 'MOBILE', value: '+49 1' }, { typeId: 'EMAIL', valueType: 'WORK', value: 'fm@example.com' }] },
    });
    const id = added.item.id;
    expect(added.item.fm).toEqual([
      { id: expect.any(Number), valueType: 'MOBILE', value: '+49 1', typeId: 'PHONE' },
      { id: expect.any(Number), valueType: 'WORK', value: 'fm@example.com', typeId: 'EMAIL' },
    ]);
    expect(added.item.hasPhone).toBe('Y');
    const legacy = await ok(server, 'crm.contact.get', { id });
    expect(legacy.PHONE).toEqual([{ ID: String(added.item.fm[0].id), VALUE_TYPE: 'MOBILE', VALUE: '+49 1', TYPE_ID: 'PHONE' }]);

    // fm replaces the whole list: the phone keeps its id, the e-mail is gone.
    const updated = await ok(server, 'crm.item.update', { entityTypeId: 3, id, fields: { fm: [{ id: added.item.fm[0].id, typeId: 'PHONE', valueType: 'WORK', value: '+49 2' }] } });
    expect(updated.item.fm).toEqual([{ id: added.item.fm[0].id, valueType: 'WORK', value: '+49 2', typeId: 'PHONE' }]);
    expect(updated.item.hasEmail).toBe('N');
  });

  it('links contacts and companies with contactIds / companyIds', async () => {
    const c1 = (await ok(server, 'crm.item.add', { entityTypeId: 3, fields: { name: 'A' } })).item.id;
    const c2 = (await ok(server, 'crm.item.add', { entityTypeId: 3, fields: { name: 'B' } })).item.id;
    const deal = (await ok(server, 'crm.item.add', { entityTypeId: 2, fields: { title: 'D', contactIds: [c1, c2] } })).item;
    expect(deal).toMatchObject({ contactId: c1, contactIds: [c1, c2], companyId: 0 });
    const company = (await ok(server, 'crm.item.add', { entityTypeId: 4, fields: { title: 'Co', contactIds: [c2] } })).item;
    expect(company.contactIds).toEqual([c2]);
    expect((await ok(server, 'crm.item.get', { entityTypeId: 3, id: c2 })).item).toMatchObject({ companyId: company.id, companyIds: [company.id] });
    const lead = (await ok(server, 'crm.item.add', { entityTypeId: 1, fields: { title: 'L' } })).item.id;
    const linked = (await ok(server, 'crm.item.update', { entityTypeId: 2, id: deal.id, fields: { leadId: lead } })).item;
    expect(linked.leadId).toBe(lead);
  });

  it('answers D7 errors and changes nothing', async () => {
    const before = await crmSnapshot(server);
    const expectError = async (method: string, params: unknown, error: string, description: string) => {
      const answer = await fails(server, method, params);
      expect(answer.status, `${method} ${JSON.stringify(params)}`).toBe(400);
      expect(answer.body, `${method} ${JSON.stringify(params)}`).toEqual({ error, error_description: description });
    };
    for (const method of ['crm.item.fields', 'crm.item.get', 'crm.item.list', 'crm.item.add', 'crm.item.update', 'crm.item.delete']) {
      await expectError(method, {}, 'invalid_parameter', 'Could not find value for parameter {entityTypeId}');
      await expectError(method, { entityTypeId: 'deal', id: 1, fields: {} }, 'invalid_parameter', 'Invalid value {deal} to match with parameter {entityTypeId}. Should be value of type int.');
    }
    await expectError('crm.item.get', { entityTypeId: 999, id: 1 }, 'NOT_FOUND', 'Smart process not found');
    await expectError('crm.item.list', { entityTypeId: 31 }, 'NOT_FOUND', 'Smart process not found');
    await expectError('crm.item.fields', { entityTypeId: 5 }, 'ENTITY_TYPE_NOT_SUPPORTED', 'Entity type INVOICE is not supported');
    await expectError('crm.item.get', { entityTypeId: 2 }, 'invalid_parameter', 'Could not find value for parameter {id}');
    await expectError('crm.item.get', { entityTypeId: 2, id: 'seven' }, 'invalid_parameter', 'Invalid value {seven} to match with parameter {id}. Should be value of type int.');
    await expectError('crm.item.get', { entityTypeId: 2, id: 999999 }, 'NOT_FOUND', 'Element not found');
    await expectError('crm.item.get', { entityTypeId: 2, id: 99999999999 }, 'NOT_FOUND', 'Element not found');
    await expectError('crm.item.update', { entityTypeId: 2, id: 999999, fields: { title: 'x' } }, 'NOT_FOUND', 'Element not found');
    await expectError('crm.item.delete', { entityTypeId: 2, id: 999999 }, 'NOT_FOUND', 'Item not found');
    await expectError('crm.item.add', { entityTypeId: 2 }, 'invalid_parameter', 'Could not find value for parameter {fields}');
    await expectError('crm.item.add', { entityTypeId: 2, fields: 'title' }, 'invalid_parameter', 'Invalid value {title} to match with parameter {fields}. Should be value of type array.');
    await expectError('crm.item.add', { entityTypeId: 2, fields: { contactIds: 5 } }, '100', 'Expected iterable value for multiple field, but got integer instead');
    await expectError('crm.item.add', { entityTypeId: 2, fields: { opportunity: 'lots' } }, 'CRM_FIELD_ERROR_VALUE_NOT_VALID', 'Invalid value for field "Amount"');
    // A link to a missing item (refused only with --strict-fields): test/crm/strictFields.test.ts.
    await expectError('crm.item.add', { entityTypeId: 3, fields: { fm: [{ typeId: 'FAX', value: '1' }] } }, 'CRM_FIELD_ERROR_VALUE_NOT_VALID', 'Invalid value for field "Multi-fields"');
    await expectError('crm.item.list', { entityTypeId: 2, select: 'id' }, 'invalid_parameter', 'Invalid value {id} to match with parameter {select}. Should be value of type array.');
    expect(await crmSnapshot(server)).toEqual(before);
  });
});
