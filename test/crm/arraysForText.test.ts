// A map where a method expects text: `filter[LOGIC][0]=1`, an `order` direction a batch
// reference turns into an array, a multi-field VALUE given as a map. Each is read as PHP reads
// an array as text ("Array") or refused with the field's own error, never a 500.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { multipartBody } from '../fuzz/arbitraries.js';
import { callForm, callGet, callJson, request, startTestServer, type TestServer } from '../helpers/server.js';
import { crmSnapshot, minimalFields, ok, TYPE_METHODS } from './helpers.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  // Per type: item 1 "Alpha", item 2 "Beta".
  for (const [, method] of TYPE_METHODS) {
    await ok(server, `crm.${method}.add`, { fields: minimalFields(method, 'Alpha') });
    await ok(server, `crm.${method}.add`, { fields: minimalFields(method, 'Beta') });
  }
  await ok(server, 'crm.contact.update', { id: 1, fields: { PHONE: [{ VALUE: '+7 900 111' }] } });
});
afterAll(async () => {
  await server.close();
});

function callMultipart(method: string, pairs: [string, string][]) {
  const { body, type } = multipartBody(pairs);
  return request(server.webhookUrl + method, { method: 'POST', headers: { 'content-type': type }, body });
}

describe('filter[LOGIC] given as an array', () => {
  // The two items match one condition each: AND finds neither, OR would find both.
  const nameKey = (method: string) => (method === 'contact' ? 'NAME' : 'TITLE');

  it.each(TYPE_METHODS)('crm.%s.list reads it as "Array", which joins with AND', async (_type, method) => {
    const query = `filter[LOGIC][0]=1&filter[0][LOGIC][x]=OR&filter[0][${nameKey(method)}]=Alpha&filter[0][ID]=2&select[]=ID`;
    for (const answer of [
      await callGet(server, `crm.${method}.list`, query),
      await callForm(server, `crm.${method}.list`, query),
      await callMultipart(`crm.${method}.list`, query.split('&').map((pair) => pair.split('=') as [string, string])),
    ]) {
      expect([answer.status, answer.body.result, answer.body.total]).toEqual([200, [], 0]);
    }
    // A text OR still joins with OR.
    const or = await callGet(server, `crm.${method}.list`, `filter[0][LOGIC]=OR&filter[0][${nameKey(method)}]=Alpha&filter[0][ID]=2&select[]=ID`);
    expect([or.status, or.body.result]).toEqual([200, [{ ID: '1' }, { ID: '2' }]]);
  });

  it('crm.item.list reads filter[logic] the same way', async () => {
    const answer = await callGet(server, 'crm.item.list', 'entityTypeId=2&filter[0][logic][0]=OR&filter[0][title]=Alpha&filter[0][id]=2&select[]=id');
    expect([answer.status, answer.body.result, answer.body.total]).toEqual([200, { items: [] }, 0]);
    const top = await callGet(server, 'crm.item.list', 'entityTypeId=2&filter[logic][a]=1&filter[title]=Alpha&select[]=id');
    expect([top.status, top.body.result]).toEqual([200, { items: [{ id: 1 }] }]);
  });
});

describe('an order direction given as an array', () => {
  it('crm.item.list names it "Array" in its error; legacy lists sort ascending', async () => {
    const item = await callGet(server, 'crm.item.list', 'entityTypeId=2&order[title][0]=DESC');
    expect([item.status, item.body]).toEqual([
      400,
      { error: 'INVALID_ARG_VALUE', error_description: "Invalid order: allowed sort directions are ASC, DESC. But got 'Array' for field 'title'" },
    ]);
    const nothing = await callJson(server, 'crm.item.list', { entityTypeId: 2, order: { title: null } });
    expect(nothing.body).toEqual({
      error: 'INVALID_ARG_VALUE',
      error_description: "Invalid order: allowed sort directions are ASC, DESC. But got '' for field 'title'",
    });
    const legacy = await callGet(server, 'crm.deal.list', 'order[TITLE][0]=DESC&select[]=ID');
    expect([legacy.status, legacy.body.result]).toEqual([200, [{ ID: '1' }, { ID: '2' }]]);
  });

  it('a batch row whose order refers to its own row (an empty map) gets its own error', async () => {
    const answer = await callJson(server, 'batch', {
      cmd: {
        item: 'crm.item.list?entityTypeId=2&order[title]=$result[item]',
        legacy: 'crm.deal.list?order[TITLE]=$result[legacy]&select[]=ID',
        logic: 'crm.deal.list?filter[LOGIC]=$result[logic]&filter[TITLE]=Alpha&filter[ID]=2&select[]=ID',
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.result.result).toEqual({ legacy: [{ ID: '1' }, { ID: '2' }], logic: [] });
    expect(answer.body.result.result_error).toEqual({
      item: { error: 'INVALID_ARG_VALUE', error_description: "Invalid order: allowed sort directions are ASC, DESC. But got 'Array' for field 'title'" },
    });
  });
});

describe('multi-field values given as arrays', () => {
  it('a legacy VALUE or VALUE_TYPE that is a map is an invalid value of the field', async () => {
    const before = await crmSnapshot(server);
    for (const form of [
      'fields[NAME]=Mapped&fields[PHONE][0][VALUE][a]=1',
      'fields[NAME]=Mapped&fields[PHONE][0][VALUE]=1&fields[PHONE][0][VALUE_TYPE][]=WORK',
    ]) {
      const answer = await callForm(server, 'crm.contact.add', form);
      expect([answer.status, answer.body]).toEqual([400, { error: '', error_description: 'Invalid value for the "Phone" field' }]);
    }
    expect(await crmSnapshot(server)).toEqual(before);
  });

  it('a legacy DELETE that is a map is not "Y": the value is changed, not deleted', async () => {
    const form = 'id=1&fields[PHONE][0][ID]=1&fields[PHONE][0][VALUE]=%2B7%20900%20222&fields[PHONE][0][DELETE][x]=Y';
    const answer = await callForm(server, 'crm.contact.update', form);
    expect([answer.status, answer.body.result]).toEqual([200, true]);
    const contact = await ok(server, 'crm.contact.get', { id: 1 });
    expect(contact.PHONE).toEqual([{ ID: '1', VALUE_TYPE: 'WORK', VALUE: '+7 900 222', TYPE_ID: 'PHONE' }]);
  });

  it('a crm.item fm typeId or value that is a map is an invalid value', async () => {
    const before = await crmSnapshot(server);
    for (const form of ['entityTypeId=3&fields[name]=Mapped&fields[fm][0][typeId][x]=PHONE&fields[fm][0][value]=1', 'entityTypeId=3&fields[name]=Mapped&fields[fm][0][typeId]=PHONE&fields[fm][0][value][]=1']) {
      const answer = await callForm(server, 'crm.item.add', form);
      expect([answer.status, answer.body]).toEqual([
        400,
        { error: 'CRM_FIELD_ERROR_VALUE_NOT_VALID', error_description: 'Invalid value for field "Multi-fields"' },
      ]);
    }
    expect(await crmSnapshot(server)).toEqual(before);
  });
});
