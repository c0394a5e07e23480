// Who may read traces back (salestrace.trace.get / .list; COMPATIBILITY.md "Salestrace's own
// methods"): administrators everything; others a trace they created that is bound to nothing,
// one bound to an item they may READ, or a previous trace of one they see; bound items they may
// not read are left out. Checked over sockets for a user without a role, an OWN user and an ALL user.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callGet, callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { ok, userWithGrants, type TestUser } from '../crm/helpers.js';
import { addTrace, getTrace } from './helpers.js';

let server: TestServer;
let noRole: TestUser;
let own: TestUser;
let all: TestUser;

/** Items: deals d1 (the OWN user's), d2, d3, d4 (the OWN user's), d5; contact c1. */
const item = { d1: 0, d2: 0, d3: 0, d4: 0, d5: 0, c1: 0 };
/**
 * Traces; p* are previous traces of the t* of the same letter. The administrator adds them,
 * except tOwnFree (with pOwnFree) and tOwnLater, which the OWN user adds, and tNoRole, which the
 * user without a role adds; all three are left unbound, until tOwnLater is bound to d5.
 */
const trace = { tFree: 0, pFree: 0, tD1: 0, pD1: 0, tD2: 0, tBoth: 0, tC1: 0, tX: 0, pX: 0, tOwnFree: 0, pOwnFree: 0, tNoRole: 0, tOwnLater: 0 };

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

  const addAs = async (user: TestUser, value: unknown) => {
    const answer = await callJson(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify(value) }, user.base);
    expect(answer.status, answer.text).toBe(200);
    return answer.body.result as number;
  };
  trace.tOwnFree = await addAs(own, withPrevious('own-free'));
  trace.pOwnFree = (await getTrace(server, trace.tOwnFree)).PREVIOUS_IDS[0];
  trace.tNoRole = await addAs(noRole, { url: 'https://no-role.example/' });
  trace.tOwnLater = await addAs(own, { url: 'https://own-later.example/' });
  // Once bound, the bound rule applies to its creator too: d5 is the administrator's.
  item.d5 = await ok(server, 'crm.deal.add', { fields: { TITLE: 'd5', TRACE: String(trace.tOwnLater) } });
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
    expect(answer.total).toBe(13);
  });

  it('shows a user without a role only the unbound traces they created, with a total to match', async () => {
    const answer = await list(noRole);
    expect(answer.ids).toEqual([trace.tNoRole]);
    expect(answer.total).toBe(1);
  });

  it('shows an OWN user the traces of the items they are responsible for, and their own unbound ones', async () => {
    const answer = await list(own);
    expect(answer.ids).toEqual(sorted([trace.tD1, trace.pD1, trace.tBoth, trace.pX, trace.tOwnFree, trace.pOwnFree]));
    expect(answer.total).toBe(6);
    const byId = new Map(answer.rows.map((row) => [row.ID, row]));
    expect(byId.get(trace.tBoth).ENTITIES).toEqual([DEAL(item.d1)]);
    expect(byId.get(trace.pD1).ENTITIES).toEqual([DEAL(item.d1)]);
    // pX is seen through deal d4; its parent tX (deal d2 only) is not, so it is not named.
    expect(byId.get(trace.pX).ENTITIES).toEqual([DEAL(item.d4)]);
    expect(byId.get(trace.pX).PARENT_IDS).toEqual([]);
    expect(byId.get(trace.pD1).PARENT_IDS).toEqual([trace.tD1]);
    expect(byId.get(trace.pOwnFree).PARENT_IDS).toEqual([trace.tOwnFree]);
  });

  it('shows an ALL user every trace of the type, without the items of other types or others\' unbound traces', async () => {
    const answer = await list(all);
    expect(answer.ids).toEqual(sorted([trace.pFree, trace.tD1, trace.pD1, trace.tD2, trace.tBoth, trace.tX, trace.pX, trace.tOwnLater]));
    expect(answer.total).toBe(8);
    expect(answer.rows.find((row) => row.ID === trace.tBoth).ENTITIES).toEqual([DEAL(item.d1)]);
    expect(answer.rows.find((row) => row.ID === trace.pFree).ENTITIES).toEqual([DEAL(item.d3)]);
    // Its parent tFree is unbound and the administrator's: not named.
    expect(answer.rows.find((row) => row.ID === trace.pFree).PARENT_IDS).toEqual([]);
  });

  it('counts only visible traces when paging', async () => {
    const first = await callJson(server, 'salestrace.trace.list', { start: 0 }, own.base);
    expect(first.body.total).toBe(6);
    expect(first.body.next).toBeUndefined();
    const fast = await callJson(server, 'salestrace.trace.list', { start: -1 }, own.base);
    expect(fast.body.result.map((row: any) => row.ID)).toEqual(sorted([trace.tD1, trace.pD1, trace.tBoth, trace.pX, trace.tOwnFree, trace.pOwnFree]));
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
      [noRole, trace.tFree],
      [noRole, trace.pFree],
      [own, trace.tFree],
      [all, trace.tFree],
      [noRole, trace.tOwnFree],
      [all, trace.tOwnFree],
      [all, trace.pOwnFree],
      [own, trace.tNoRole],
      [own, trace.tOwnLater],
    ] as const) {
      const answer = await callJson(server, 'salestrace.trace.get', { id }, user.base);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual(traceDenied(id));
    }
    const missing = await callJson(server, 'salestrace.trace.get', { id: 999_999 }, noRole.base);
    expect(missing.body).toEqual({ error: 'TRACE_NOT_FOUND', error_description: 'Trace with ID `999999` not found.' });
  });

  it('gives an unbound trace to its creator, with its previous traces', async () => {
    const free = await get(own, trace.tOwnFree);
    expect(free.ENTITIES).toEqual([]);
    expect(free.PREVIOUS_IDS).toEqual([trace.pOwnFree]);
    expect(free.PREVIOUS.map((previous: any) => [previous.ID, previous.ENTITIES])).toEqual([[trace.pOwnFree, []]]);
    // A previous trace is visible with the trace that carries it, also on its own.
    expect((await get(own, trace.pOwnFree)).PARENT_IDS).toEqual([trace.tOwnFree]);
    expect((await get(noRole, trace.tNoRole)).ID).toBe(trace.tNoRole);
    // A bound previous trace is visible through its item without its unbound parent.
    const pFree = await get(all, trace.pFree);
    expect([pFree.ENTITIES, pFree.PARENT_IDS]).toEqual([[DEAL(item.d3)], []]);
    // The administrator reads every unbound trace, whoever created it.
    expect((await getTrace(server, trace.tOwnFree)).PREVIOUS_IDS).toEqual([trace.pOwnFree]);
    expect((await getTrace(server, trace.tNoRole)).ID).toBe(trace.tNoRole);
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
