// Who may read traces back (salestrace.trace.get / .list; COMPATIBILITY.md "Salestrace's own
// methods"): administrators everything; others a trace that is bound to nothing, bound to an
// item they may READ, or a previous trace of one they see; bound items they may not read are
// left out. Checked over sockets for a user without a role, an OWN user and an ALL user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callGet, callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { ok, userWithGrants, type TestUser } from '../crm/helpers.js';
import { addTrace, getTrace } from './helpers.js';

let server: TestServer;
let noRole: TestUser;
let own: TestUser;
let all: TestUser;

/** Items: deals d1 (the OWN user's), d2, d3, d4 (the OWN user's); contact c1. */
const item = { d1: 0, d2: 0, d3: 0, d4: 0, c1: 0 };
/** Traces; p* are previous traces of the t* of the same letter. */
const trace = { tFree: 0, pFree: 0, tD1: 0, pD1: 0, tD2: 0, tBoth: 0, tC1: 0, tX: 0, pX: 0 };

const withPrevious = (name: string) => ({ url: `https://${name}.example/`, previous: { list: [{ url: `https://${name}-before.example/` }] } });
const DEAL = (id: number) => ({ TYPE: 'DEAL', ENTITY_TYPE_ID: 2, ID: id });
const CONTACT = (id: number) => ({ TYPE: 'CONTACT', ENTITY_TYPE_ID: 3, ID: id });

beforeAll(async () => {
  server = await startTestServer();
  noRole = await userWithGrants(server, null);
  own = await userWithGrants(server, { DEAL: { READ: 'OWN' } });
  all = await userWithGrants(server, { DEAL: { READ: 'ALL' } });

  // crm.item.add creates no trace of its own, so the traces below are all there is.
  const deal = async (assignedById: number) => (await ok(server, 'crm.item.add', { entityTypeId: 2, fields: { title: 'Deal', assignedById } })).item.id;
  item.d1 = await deal(own.id);
  item.d2 = await deal(1);
  item.c1 = (await ok(server, 'crm.item.add', { entityTypeId: 3, fields: { name: 'Jane' } })).item.id;

  const rootAndPrevious = async (name: string, entities?: unknown) => {
    const root = await addTrace(server, withPrevious(name), entities);
    return [root, (await getTrace(server, root)).PREVIOUS_IDS[0] as number];
  };
  [trace.tFree, trace.pFree] = await rootAndPrevious('free');
  [trace.tD1, trace.pD1] = await rootAndPrevious('d1', [{ TYPE: 'DEAL', ID: item.d1 }]);
  trace.tD2 = await addTrace(server, { url: 'https://d2.example/' }, [{ TYPE: 'DEAL', ID: item.d2 }]);
  trace.tBoth = await addTrace(server, { url: 'https://both.example/' }, [{ TYPE: 'DEAL', ID: item.d1 }, { TYPE: 'CONTACT', ID: item.c1 }]);
  trace.tC1 = await addTrace(server, { url: 'https://c1.example/' }, [{ TYPE: 'CONTACT', ID: item.c1 }]);
  [trace.tX, trace.pX] = await rootAndPrevious('x', [{ TYPE: 'DEAL', ID: item.d2 }]);
  // A numeric TRACE on crm.deal.add binds that trace alone (with its own previous traces):
  // pFree gets a deal of the administrator's, pX one of the OWN user's.
  item.d3 = await ok(server, 'crm.deal.add', { fields: { TITLE: 'd3', TRACE: String(trace.pFree) } });
  item.d4 = await ok(server, 'crm.deal.add', { fields: { TITLE: 'd4', TRACE: String(trace.pX), ASSIGNED_BY_ID: own.id } });
});
afterAll(async () => {
  await server.close();
});

async function list(user: TestUser | null, filter?: unknown): Promise<{ ids: number[]; total: number; rows: any[] }> {
  const answer = await callJson(server, 'salestrace.trace.list', filter === undefined ? {} : { filter }, user?.base);
  expect(answer.status, answer.text).toBe(200);
  return { ids: answer.body.result.map((row: any) => row.ID), total: answer.body.total, rows: answer.body.result };
}

async function get(user: TestUser, id: number): Promise<any> {
  const answer = await callJson(server, 'salestrace.trace.get', { id }, user.base);
  expect(answer.status, answer.text).toBe(200);
  return answer.body.result;
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);
const traceDenied = (id: number) => ({ error: 'ACCESS_DENIED', error_description: `You do not have permission to view trace \`${id}\`.` });
const itemDenied = (type: string, id: number) => ({
  error: 'ACCESS_DENIED',
  error_description: `You do not have permission to view the traces of ${type} with ID \`${id}\`.`,
});

describe('salestrace.trace.list without a filter', () => {
  it('shows the administrator every trace', async () => {
    const answer = await list(null);
    expect(answer.ids).toEqual(sorted(Object.values(trace)));
    expect(answer.total).toBe(9);
  });

  it('shows a user without a role only unbound traces and their previous traces, with a total to match', async () => {
    const answer = await list(noRole);
    expect(answer.ids).toEqual(sorted([trace.tFree, trace.pFree]));
    expect(answer.total).toBe(2);
    // pFree is visible with its parent; its deal is not the user's to read.
    expect(answer.rows.find((row) => row.ID === trace.pFree).ENTITIES).toEqual([]);
  });

  it('shows an OWN user the traces of the items they are responsible for', async () => {
    const answer = await list(own);
    expect(answer.ids).toEqual(sorted([trace.tFree, trace.pFree, trace.tD1, trace.pD1, trace.tBoth, trace.pX]));
    expect(answer.total).toBe(6);
    const byId = new Map(answer.rows.map((row) => [row.ID, row]));
    expect(byId.get(trace.tBoth).ENTITIES).toEqual([DEAL(item.d1)]);
    expect(byId.get(trace.pD1).ENTITIES).toEqual([DEAL(item.d1)]);
    // pX is seen through deal d4; its parent tX (deal d2 only) is not, so it is not named.
    expect(byId.get(trace.pX).ENTITIES).toEqual([DEAL(item.d4)]);
    expect(byId.get(trace.pX).PARENT_IDS).toEqual([]);
    expect(byId.get(trace.pD1).PARENT_IDS).toEqual([trace.tD1]);
  });

  it('shows an ALL user every trace of the type, without the items of other types', async () => {
    const answer = await list(all);
    expect(answer.ids).toEqual(sorted([trace.tFree, trace.pFree, trace.tD1, trace.pD1, trace.tD2, trace.tBoth, trace.tX, trace.pX]));
    expect(answer.total).toBe(8);
    expect(answer.rows.find((row) => row.ID === trace.tBoth).ENTITIES).toEqual([DEAL(item.d1)]);
    expect(answer.rows.find((row) => row.ID === trace.pFree).ENTITIES).toEqual([DEAL(item.d3)]);
  });

  it('counts only visible traces when paging', async () => {
    const first = await callJson(server, 'salestrace.trace.list', { start: 0 }, own.base);
    expect(first.body.total).toBe(6);
    expect(first.body.next).toBeUndefined();
    const fast = await callJson(server, 'salestrace.trace.list', { start: -1 }, own.base);
    expect(fast.body.result.map((row: any) => row.ID)).toEqual(sorted([trace.tFree, trace.pFree, trace.tD1, trace.pD1, trace.tBoth, trace.pX]));
  });
});

describe('salestrace.trace.list by item', () => {
  it('needs READ on the item, as crm.*.get does', async () => {
    for (const [user, type, id] of [
      [noRole, 'DEAL', item.d1],
      [own, 'DEAL', item.d2],
      [own, 'CONTACT', item.c1],
      [all, 'CONTACT', item.c1],
      [own, 'DEAL', 999_999],
    ] as const) {
      const answer = await callJson(server, 'salestrace.trace.list', { filter: { ENTITY_TYPE: type, ENTITY_ID: id } }, user.base);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual(itemDenied(type, id));
    }
    // A form-encoded filter is refused the same way.
    const form = await callGet(server, 'salestrace.trace.list', `filter[ENTITY_TYPE]=DEAL&filter[ENTITY_ID]=${item.d2}`, own.base);
    expect(form.body).toEqual(itemDenied('DEAL', item.d2));
  });

  it('lists the item’s traces for a user who may read it, leaving out items they may not', async () => {
    const mine = await list(own, { ENTITY_TYPE: 'DEAL', ENTITY_ID: item.d1 });
    expect(mine.ids).toEqual([trace.tBoth, trace.tD1, trace.pD1].sort((a, b) => b - a));
    expect(mine.total).toBe(3);
    expect(mine.rows[0].ENTITIES).toEqual([DEAL(item.d1)]);
    const other = await list(all, { ENTITY_TYPE: 'DEAL', ENTITY_ID: item.d2 });
    // Binding tX to d2 reached its previous trace pX too.
    expect(other.ids).toEqual([trace.tX, trace.pX, trace.tD2]);
    expect(other.rows[1].ENTITIES).toEqual([DEAL(item.d2), DEAL(item.d4)]);
    // ALL on deals covers a deal that does not exist: nothing to list.
    expect(await list(all, { ENTITY_TYPE: 'DEAL', ENTITY_ID: 999_999 })).toMatchObject({ ids: [], total: 0 });
  });
});

describe('salestrace.trace.get', () => {
  it('refuses a trace the caller may not see, and still says when there is none', async () => {
    for (const [user, id] of [
      [noRole, trace.tD1],
      [noRole, trace.pX],
      [own, trace.tD2],
      [own, trace.tX],
      [own, trace.tC1],
      [all, trace.tC1],
    ] as const) {
      const answer = await callJson(server, 'salestrace.trace.get', { id }, user.base);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual(traceDenied(id));
    }
    const missing = await callJson(server, 'salestrace.trace.get', { id: 999_999 }, noRole.base);
    expect(missing.body).toEqual({ error: 'TRACE_NOT_FOUND', error_description: 'Trace with ID `999999` not found.' });
  });

  it('gives an unbound trace to anyone, with its previous traces and none of their unreadable items', async () => {
    const free = await get(noRole, trace.tFree);
    expect(free.ENTITIES).toEqual([]);
    expect(free.PREVIOUS_IDS).toEqual([trace.pFree]);
    expect(free.PREVIOUS.map((previous: any) => [previous.ID, previous.ENTITIES])).toEqual([[trace.pFree, []]]);
    // A previous trace is visible with the trace that carries it, also on its own.
    expect((await get(noRole, trace.pFree)).PARENT_IDS).toEqual([trace.tFree]);
    expect((await get(all, trace.pFree)).ENTITIES).toEqual([DEAL(item.d3)]);
  });

  it('shows an OWN user the readable part of a trace bound to several items', async () => {
    expect((await get(own, trace.tBoth)).ENTITIES).toEqual([DEAL(item.d1)]);
    const d1 = await get(own, trace.tD1);
    expect(d1.ENTITIES).toEqual([DEAL(item.d1)]);
    expect(d1.PREVIOUS.map((previous: any) => previous.ID)).toEqual([trace.pD1]);
    const x = await get(own, trace.pX);
    expect([x.ENTITIES, x.PARENT_IDS]).toEqual([[DEAL(item.d4)], []]);
    // The administrator sees it all.
    const full = await getTrace(server, trace.tBoth);
    expect(full.ENTITIES).toEqual([DEAL(item.d1), CONTACT(item.c1)]);
    expect((await getTrace(server, trace.pX)).PARENT_IDS).toEqual([trace.tX]);
  });
});
