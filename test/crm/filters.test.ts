// Lists on both families: every filter prefix, OR groups, order and select. Legacy methods drop
// what they cannot use (as Bitrix does); crm.item.list refuses it with INVALID_ARG_VALUE.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { formatDateC } from '../../src/rest/time.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { fails, ok } from './helpers.js';

const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);
let server: TestServer;

/** Four deals created an hour apart: IDs 1-4. */
const DEALS = [
  { TITLE: 'Alpha deal', OPPORTUNITY: 100, STAGE_ID: 'NEW', SOURCE_ID: 'WEB', UTM_SOURCE: 'google', CLOSEDATE: '2026-01-10' },
  { TITLE: 'Beta deal', OPPORTUNITY: 250.5, STAGE_ID: 'WON', SOURCE_ID: 'CALL', UTM_SOURCE: 'yandex', CLOSEDATE: '2026-02-10' },
  { TITLE: 'Gamma_50%', OPPORTUNITY: 500, STAGE_ID: 'LOSE', COMMENTS: 'hello', CLOSEDATE: '2026-03-10' },
  { TITLE: 'alpha two', OPPORTUNITY: 0, STAGE_ID: 'NEW', SOURCE_ID: 'WEB', UTM_SOURCE: 'google', CLOSEDATE: '2026-04-10' },
];

beforeAll(async () => {
  const clock = new ManualClock(T0);
  server = await startTestServer({ manualClock: clock });
  for (const fields of DEALS) {
    await ok(server, 'crm.deal.add', { fields });
    clock.advance(3600_000);
  }
  await ok(server, 'crm.contact.add', { fields: { NAME: 'Phoned', PHONE: [{ VALUE: '+7 900 111' }], EMAIL: [{ VALUE: 'x@example.com' }] } });
  await ok(server, 'crm.contact.add', { fields: { NAME: 'Silent' } });
});
afterAll(async () => {
  await server.close();
});

async function legacyIds(filter: unknown, order: unknown = { ID: 'ASC' }): Promise<number[]> {
  const rows = await ok(server, 'crm.deal.list', { filter, order, select: ['ID'] });
  return rows.map((row: any) => Number(row.ID));
}

async function itemIds(filter: unknown, order: unknown = { id: 'ASC' }): Promise<number[]> {
  const result = await ok(server, 'crm.item.list', { entityTypeId: 2, filter, order, select: ['id'] });
  return result.items.map((item: any) => item.id);
}

const hour = (n: number) => formatDateC(T0 / 1000 + n * 3600);

describe('filter prefixes', () => {
  // [description, legacy filter, crm.item filter, expected IDs]
  const cases: [string, Record<string, unknown>, Record<string, unknown>, number[]][] = [
    ['no prefix: equal', { TITLE: 'Beta deal' }, { title: 'Beta deal' }, [2]],
    ['=', { '=OPPORTUNITY': 500 }, { '=opportunity': '500' }, [3]],
    ['!', { '!SOURCE_ID': 'WEB' }, { '!sourceId': 'WEB' }, [2, 3]],
    ['!=', { '!=STAGE_ID': 'NEW' }, { '!=stageId': 'NEW' }, [2, 3]],
    ['>', { '>OPPORTUNITY': 250.5 }, { '>opportunity': 250.5 }, [3]],
    ['<', { '<OPPORTUNITY': '250.5' }, { '<opportunity': 250.5 }, [1, 4]],
    ['>=', { '>=OPPORTUNITY': 250.5 }, { '>=opportunity': 250.5 }, [2, 3]],
    ['<=', { '<=OPPORTUNITY': 100 }, { '<=opportunity': 100 }, [1, 4]],
    ['>= and <= together', { '>=OPPORTUNITY': 100, '<=OPPORTUNITY': 250.5 }, { '>=opportunity': 100, '<=opportunity': 250.5 }, [1, 2]],
    ['@ (IN)', { '@STAGE_ID': ['WON', 'LOSE'] }, { '@stageId': ['WON', 'LOSE'] }, [2, 3]],
    ['!@ (NOT IN)', { '!@ID': [1, 4] }, { '!@id': [1, 4] }, [2, 3]],
    ['= with a list is IN', { ID: [1, 3] }, { id: [1, 3] }, [1, 3]],
    ['% substring, any case', { '%TITLE': 'ALPHA' }, { '%title': 'alpha' }, [1, 4]],
    ['% keeps % and _ literal', { '%TITLE': '_50%' }, { '%title': '_50%' }, [3]],
    ['=% pattern', { '=%TITLE': 'alpha%' }, { '=%title': 'Alpha%' }, [1, 4]],
    ['%= pattern', { '%=TITLE': '%deal' }, { '%=title': '%deal' }, [1, 2]],
    ['!% not substring', { '!%TITLE': 'deal' }, { '!%title': 'deal' }, [3, 4]],
    ['!=% not pattern', { '!=%TITLE': '%deal' }, { '!=%title': '%deal' }, [3, 4]],
    ['!%= not pattern', { '!%=TITLE': 'a%' }, { '!%=title': 'a%' }, [2, 3]],
    ['empty value: not filled in', { COMMENTS: '' }, { comments: '' }, [1, 2, 4]],
    ['!empty value: filled in', { '!COMMENTS': '' }, { '!=comments': '' }, [3]],
    ['UTM fields filter too', { UTM_SOURCE: 'google' }, { utmSource: 'google' }, [1, 4]],
    ['UTM substring', { '%UTM_SOURCE': 'ANDE' }, { '%utmSource': 'ande' }, [2]],
    ['keyset >ID', { '>ID': 2 }, { '>id': 2 }, [3, 4]],
    ['date field', { '<CLOSEDATE': '2026-03-01' }, { '<closedate': '2026-03-01T00:00:00+00:00' }, [1, 2]],
    ['datetime field', { '>DATE_CREATE': hour(1.5) }, { '>createdTime': hour(1.5) }, [3, 4]],
    ['datetime >= exact', { '>=DATE_CREATE': hour(1) }, { '>=createdTime': hour(1) }, [2, 3, 4]],
    // A range against an empty value asks for an empty field, like `=` (every deal has these).
    ['datetime >= empty', { '>=DATE_CREATE': '' }, { '>=createdTime': '' }, []],
    ['number < empty', { '<OPPORTUNITY': '' }, { '<opportunity': '' }, []],
    ['integer > empty', { '>ID': '' }, { '>id': '' }, []],
    [
      'OR group',
      { 0: { LOGIC: 'OR', 0: { TITLE: 'Beta deal' }, 1: { '>OPPORTUNITY': 400 } } },
      { 0: { logic: 'OR', 0: { title: 'Beta deal' }, 1: { '>opportunity': 400 } } },
      [2, 3],
    ],
    [
      'OR group and a condition',
      { '@STAGE_ID': ['NEW', 'WON'], 0: { LOGIC: 'OR', '%TITLE': 'two', '=SOURCE_ID': 'CALL' } },
      { '@stageId': ['NEW', 'WON'], 0: { logic: 'OR', '%title': 'two', '=sourceId': 'CALL' } },
      [2, 4],
    ],
  ];

  it.each(cases)('%s', async (_description, legacy, item, expected) => {
    expect(await legacyIds(legacy)).toEqual(expected);
    expect(await itemIds(item)).toEqual(expected);
  });

  it('legacy lists compare status fields instead of LIKE-searching them (restservice.php)', async () => {
    expect(await legacyIds({ '%STAGE_ID': 'WO' })).toEqual([]);
    expect(await legacyIds({ '%STAGE_ID': 'WON' })).toEqual([2]);
    expect(await itemIds({ '%stageId': 'WO' })).toEqual([2]);
  });

  it('legacy lists accept lower-case names and drop unknown fields and prefixes', async () => {
    expect(await legacyIds({ '%title': 'beta' })).toEqual([2]);
    expect(await legacyIds({ NO_SUCH_FIELD: 1 })).toEqual([1, 2, 3, 4]);
    expect(await legacyIds({ '~TITLE': 'Alpha deal' })).toEqual([1, 2, 3, 4]);
    expect(await legacyIds({ CONTACT_IDS: [1] })).toEqual([1, 2, 3, 4]);
    // intval of a number beyond the column is held to its range.
    expect(await legacyIds({ '>ID': '99999999999' })).toEqual([]);
    expect(await legacyIds({ '<ID': 99999999999 })).toEqual([1, 2, 3, 4]);
  });

  it('legacy lists search PHONE and EMAIL', async () => {
    const byPhone = await ok(server, 'crm.contact.list', { filter: { PHONE: '+7 900 111' }, select: ['ID', 'NAME', 'PHONE'] });
    expect(byPhone).toEqual([{ ID: '1', NAME: 'Phoned', PHONE: [{ ID: '1', VALUE_TYPE: 'WORK', VALUE: '+7 900 111', TYPE_ID: 'PHONE' }] }]);
    expect(await ok(server, 'crm.contact.list', { filter: { '%EMAIL': 'example' }, select: ['ID'] })).toEqual([{ ID: '1' }]);
    expect(await ok(server, 'crm.contact.list', { filter: { '!PHONE': '+7 900 111' }, select: ['ID'] })).toEqual([{ ID: '2' }]);
  });

  it('crm.item.list refuses unknown fields, prefixes and values', async () => {
    const expectInvalid = async (params: Record<string, unknown>, description: string) => {
      const answer = await fails(server, 'crm.item.list', { entityTypeId: 2, ...params });
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: 'INVALID_ARG_VALUE', error_description: description });
    };
    await expectInvalid({ filter: { noSuchField: 1 } }, "Invalid filter: field 'noSuchField' is not allowed in filter");
    await expectInvalid({ filter: { '~title': 'x' } }, "Invalid filter: field '~title' is not allowed in filter");
    await expectInvalid({ filter: { contactIds: [1] } }, "Invalid filter: field 'contactIds' is not allowed in filter");
    await expectInvalid({ filter: { 0: { logic: 'OR', bogus: 1 } } }, "Invalid filter: field 'bogus' is not allowed in filter");
    await expectInvalid({ filter: { '>opportunity': 'much' } }, "Invalid filter: field 'opportunity' has invalid value");
    await expectInvalid({ filter: { '@id': [1, 'two'] } }, "Invalid filter: field 'id' has invalid value");
    await expectInvalid({ filter: { '>id': 99999999999 } }, "Invalid filter: field 'id' has invalid value");
    await expectInvalid({ filter: { '>createdTime': 'yesterday' } }, "Invalid filter: field 'createdTime' has invalid value");
    await expectInvalid({ order: { noSuchField: 'ASC' } }, "Invalid order: field 'noSuchField' is not allowed in order");
    await expectInvalid({ order: { title: 'UP' } }, "Invalid order: allowed sort directions are ASC, DESC. But got 'UP' for field 'title'");
  });
});

describe('order and select', () => {
  it('orders ascending and descending, text without regard to case, ties by ID', async () => {
    expect(await legacyIds({}, { OPPORTUNITY: 'DESC' })).toEqual([3, 2, 1, 4]);
    expect(await itemIds({}, { opportunity: 'ASC' })).toEqual([4, 1, 2, 3]);
    expect(await legacyIds({}, { TITLE: 'ASC' })).toEqual([1, 4, 2, 3]);
    expect(await itemIds({}, { stageId: 'DESC', id: 'DESC' })).toEqual([2, 4, 1, 3]);
    expect(await legacyIds({}, { SOURCE_ID: 'asc' })).toEqual([3, 2, 1, 4]);
    expect(await legacyIds({}, { UTM_SOURCE: 'DESC' })).toEqual([2, 1, 4, 3]);
    // Legacy lists ignore names they do not know.
    expect(await legacyIds({}, { NOPE: 'DESC' })).toEqual([1, 2, 3, 4]);
  });

  it('legacy select: named fields and ID, * without multi-fields, PHONE when named', async () => {
    const named = await ok(server, 'crm.deal.list', { filter: { ID: 1 }, select: ['TITLE', 'UTM_SOURCE', 'OPPORTUNITY', 'unknown'] });
    expect(named).toEqual([{ TITLE: 'Alpha deal', OPPORTUNITY: '100.00', UTM_SOURCE: 'google', ID: '1' }]);
    // ID follows the named columns, as in crm-company-list.md's example; named first, it stays first.
    expect(Object.keys(named[0])).toEqual(['TITLE', 'OPPORTUNITY', 'UTM_SOURCE', 'ID']);
    const phoned = (await ok(server, 'crm.contact.list', { filter: { ID: 1 }, select: ['PHONE', 'NAME'] }))[0];
    expect(Object.keys(phoned)).toEqual(['NAME', 'ID', 'PHONE']);
    expect(Object.keys((await ok(server, 'crm.deal.list', { filter: { ID: 1 }, select: ['TITLE', 'ID'] }))[0])).toEqual(['ID', 'TITLE']);
    const star = (await ok(server, 'crm.contact.list', { filter: { ID: 1 }, select: ['*'] }))[0];
    expect(star.NAME).toBe('Phoned');
    expect(star).not.toHaveProperty('PHONE');
    expect(star).not.toHaveProperty('COMPANY_IDS');
    const withPhone = (await ok(server, 'crm.contact.list', { filter: { ID: 1 }, select: ['*', 'PHONE'] }))[0];
    expect(withPhone.PHONE).toHaveLength(1);
    expect(withPhone).not.toHaveProperty('EMAIL');
    const all = (await ok(server, 'crm.deal.list', { filter: { ID: 2 } }))[0];
    expect(all).toMatchObject({ ID: '2', TITLE: 'Beta deal', STAGE_SEMANTIC_ID: 'S', UTM_SOURCE: 'yandex', DATE_CREATE: hour(1) });
  });

  it('crm.item select: named fields, upper names too, * with fm', async () => {
    expect(await ok(server, 'crm.item.list', { entityTypeId: 2, filter: { id: 2 }, select: ['title', 'OPPORTUNITY', 'utmSource'] })).toEqual({
      items: [{ title: 'Beta deal', opportunity: 250.5, utmSource: 'yandex' }],
    });
    const star = (await ok(server, 'crm.item.list', { entityTypeId: 3, filter: { id: 1 }, select: ['*'] })).items[0];
    expect(star.fm).toHaveLength(2);
    expect(star.entityTypeId).toBe(3);
    const answer = await callJson(server, 'crm.item.list', { entityTypeId: 2, filter: { '>opportunity': 1000 } });
    expect(answer.body.result).toEqual({ items: [] });
    expect(answer.body.total).toBe(0);
  });
});
