// Paging on both families at the boundaries (0, 49, 50, 51 and 120 items): pages of 50,
// `next` and `total`, start=-1 fast mode, keyset paging by ID, the b24jssdk list helpers and a
// batch that pages with $result references.
import { B24Hook } from '@bitrix24/b24jssdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { ok } from './helpers.js';

let server: TestServer;
const SIZES = [0, 49, 50, 51, 120];
/** Deal IDs of each group, tagged by SOURCE_DESCRIPTION = g{size}. */
const groups = new Map<number, number[]>();

beforeAll(async () => {
  server = await startTestServer();
  for (const size of SIZES) {
    const ids: number[] = [];
    for (let from = 0; from < size; from += 50) {
      const cmd: Record<string, string> = {};
      for (let i = from; i < Math.min(size, from + 50); i++) {
        cmd[`d${i}`] = `crm.deal.add?fields[TITLE]=Deal+${i}&fields[SOURCE_DESCRIPTION]=g${size}`;
      }
      const batch = await ok(server, 'batch', { halt: 1, cmd });
      ids.push(...Object.values(batch.result as Record<string, number>));
    }
    groups.set(size, ids);
  }
}, 120_000);
afterAll(async () => {
  await server.close();
});

describe.each(SIZES)('%i items', (size) => {
  const ids = () => groups.get(size)!;

  it('crm.deal.list pages of 50 with next and total', async () => {
    const seen: number[] = [];
    let start: number | undefined = 0;
    let pages = 0;
    while (start !== undefined) {
      const answer = await callJson(server, 'crm.deal.list', { filter: { SOURCE_DESCRIPTION: `g${size}` }, select: ['ID'], order: { ID: 'ASC' }, start });
      expect(answer.status).toBe(200);
      expect(answer.body.total).toBe(size);
      const rows = answer.body.result;
      expect(rows.length).toBe(Math.min(50, size - start));
      seen.push(...rows.map((row: any) => Number(row.ID)));
      const expectedNext = start + 50 < size ? start + 50 : undefined;
      expect(answer.body.next).toBe(expectedNext);
      start = answer.body.next;
      pages++;
    }
    expect(pages).toBe(Math.max(1, Math.ceil(size / 50)));
    expect(seen).toEqual(ids());
  });

  it('crm.item.list pages of 50 with next and total', async () => {
    const seen: number[] = [];
    let start: number | undefined = 0;
    while (start !== undefined) {
      const answer = await callJson(server, 'crm.item.list', { entityTypeId: 2, filter: { sourceDescription: `g${size}` }, select: ['id'], start });
      expect(answer.status).toBe(200);
      expect(answer.body.total).toBe(size);
      expect(answer.body.result.items.length).toBe(Math.min(50, size - start));
      seen.push(...answer.body.result.items.map((item: any) => item.id));
      expect(answer.body.next).toBe(start + 50 < size ? start + 50 : undefined);
      start = answer.body.next;
    }
    expect(seen).toEqual(ids());
  });

  it('start=-1 counts nothing: legacy says total 0, crm.item says neither; keyset paging gets everything', async () => {
    const legacySeen: number[] = [];
    const itemSeen: number[] = [];
    let last = 0;
    for (;;) {
      const answer = await callJson(server, 'crm.deal.list', { filter: { SOURCE_DESCRIPTION: `g${size}`, '>ID': last }, order: { ID: 'ASC' }, select: ['ID'], start: -1 });
      expect(answer.body.total).toBe(0);
      expect(answer.body).not.toHaveProperty('next');
      const rows = answer.body.result.map((row: any) => Number(row.ID));
      legacySeen.push(...rows);
      if (rows.length < 50) break;
      last = rows[rows.length - 1];
    }
    last = 0;
    for (;;) {
      const answer = await callJson(server, 'crm.item.list', { entityTypeId: 2, filter: { sourceDescription: `g${size}`, '>id': last }, order: { id: 'ASC' }, select: ['id'], start: -1 });
      expect(answer.body).not.toHaveProperty('total');
      expect(answer.body).not.toHaveProperty('next');
      const rows = answer.body.result.items.map((item: any) => item.id);
      itemSeen.push(...rows);
      if (rows.length < 50) break;
      last = rows[rows.length - 1];
    }
    expect(legacySeen).toEqual(ids());
    expect(itemSeen).toEqual(ids());
  });

  it('start snaps down to a page boundary', async () => {
    const answer = await callJson(server, 'crm.deal.list', { filter: { SOURCE_DESCRIPTION: `g${size}` }, select: ['ID'], start: 49 });
    expect(answer.body.result.map((row: any) => Number(row.ID))).toEqual(ids().slice(0, 50));
  });
});

describe('clients that page for you', () => {
  it('b24jssdk callList and fetchList get all 120 deals and items', async () => {
    const b24 = B24Hook.fromWebhookUrl(server.webhookHttpsUrl);
    const expected = groups.get(120)!;

    const legacy = await b24.actions.v2.callList.make<{ ID: string }>({
      method: 'crm.deal.list',
      params: { filter: { SOURCE_DESCRIPTION: 'g120' }, select: ['ID', 'TITLE'] },
      idKey: 'ID',
    });
    expect(legacy.isSuccess).toBe(true);
    expect(legacy.getData()!.map((row) => Number(row.ID))).toEqual(expected);

    const items = await b24.actions.v2.callList.make<{ id: number }>({
      method: 'crm.item.list',
      params: { entityTypeId: 2, filter: { sourceDescription: 'g120' }, select: ['id', 'title'] },
      idKey: 'id',
      customKeyForResult: 'items',
    });
    expect(items.isSuccess).toBe(true);
    expect(items.getData()!.map((item) => item.id)).toEqual(expected);

    const chunks: number[][] = [];
    for await (const chunk of b24.actions.v2.fetchList.make<{ id: number }>({
      method: 'crm.item.list',
      params: { entityTypeId: 2, filter: { sourceDescription: 'g120' }, select: ['id'] },
      idKey: 'id',
      customKeyForResult: 'items',
    })) {
      chunks.push(chunk.map((item) => item.id));
    }
    expect(chunks.map((chunk) => chunk.length)).toEqual([50, 50, 20]);
    expect(chunks.flat()).toEqual(expected);

    const fetched: number[] = [];
    for await (const chunk of b24.actions.v2.fetchList.make<{ ID: string }>({
      method: 'crm.deal.list',
      params: { filter: { SOURCE_DESCRIPTION: 'g120' }, select: ['ID'] },
    })) {
      fetched.push(...chunk.map((row) => Number(row.ID)));
    }
    expect(fetched).toEqual(expected);
  });

  it('a batch pages by keyset with $result references and by $next', async () => {
    const expected = groups.get(120)!;
    const list = (after: string) => `crm.deal.list?filter[SOURCE_DESCRIPTION]=g120&filter[>ID]=${after}&order[ID]=ASC&select[]=ID&start=-1`;
    const keyset = await ok(server, 'batch', {
      halt: 1,
      cmd: { p0: list('0'), p1: list('$result[p0][49][ID]'), p2: list('$result[p1][49][ID]') },
    });
    expect(keyset.result_error).toEqual([]);
    const legacyIds = ['p0', 'p1', 'p2'].flatMap((key) => keyset.result[key].map((row: any) => Number(row.ID)));
    expect(legacyIds).toEqual(expected);

    const item = (after: string) => `crm.item.list?entityTypeId=2&filter[sourceDescription]=g120&filter[>id]=${after}&order[id]=ASC&select[]=id&start=-1`;
    const items = await ok(server, 'batch', {
      halt: 1,
      cmd: { p0: item('0'), p1: item('$result[p0][items][49][id]'), p2: item('$result[p1][items][49][id]') },
    });
    expect(['p0', 'p1', 'p2'].flatMap((key) => items.result[key].items.map((row: any) => row.id))).toEqual(expected);

    const byNext = (start: string) => `crm.deal.list?filter[SOURCE_DESCRIPTION]=g120&order[ID]=ASC&select[]=ID&start=${start}`;
    const offsets = await ok(server, 'batch', { halt: 1, cmd: { p0: byNext('0'), p1: byNext('$next[p0]'), p2: byNext('$next[p1]') } });
    expect(offsets.result_next).toEqual({ p0: 50, p1: 100 });
    expect(offsets.result_total).toEqual({ p0: 120, p1: 120, p2: 120 });
    expect(['p0', 'p1', 'p2'].flatMap((key) => offsets.result[key].map((row: any) => Number(row.ID)))).toEqual(expected);
  });
});
