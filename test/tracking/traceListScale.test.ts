// salestrace.trace.list for users who are not administrators must cost what they may see, not
// what the portal holds (issue 18, finding 3): the list starts from the caller's items and own
// unbound traces through indexes and walks down to their previous traces. Checked two ways: an
// OWN user's answer stays exact among thousands of unrelated traces, and on SQLite the plan of
// every statement the list runs reads no table of traces from end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Caller } from '../../src/auth/caller.js';
import { CrmReadScopes } from '../../src/crm/services/readScope.js';
import { listVisibleTraceIds, traceReader } from '../../src/tracking/traceVisibility.js';
import { planOf, StatementRecorder } from '../helpers/queryPlans.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { ok, userWithGrants, type TestUser } from '../crm/helpers.js';
import { addTrace, getTrace } from './helpers.js';

let server: TestServer;
let own: TestUser;
let allDeals: TestUser;
let allItems: TestUser;
/** The OWN user's traces: two bound to their deal (one with a previous trace), one unbound of their own. */
const mine: number[] = [];
const UNRELATED = 4000;

/** Rows written straight into the tables: thousands of traces through the API would take minutes. */
async function addUnrelatedTraces(count: number, dealId: number): Promise<void> {
  const db = server.services.db;
  for (let done = 0; done < count; done += 250) {
    const rows = Array.from({ length: Math.min(250, count - done) }, (_, i) => ({ created_at: 1767225600 + done + i, created_by: 1, bound: i % 2 === 0 ? 1 : 0 }));
    const ids = await db.insertInto('tracking_traces').values(rows).returning('id').execute();
    // Half bound to the administrator's deal, half left unbound.
    const bound = ids.filter((_, i) => i % 2 === 0).map((row) => ({ trace_id: row.id, entity_type_id: 2, entity_id: dealId }));
    await db.insertInto('tracking_trace_items').values(bound).execute();
  }
}

beforeAll(async () => {
  server = await startTestServer();
  own = await userWithGrants(server, { DEAL: { READ: 'OWN', WRITE: 'OWN' } });
  allDeals = await userWithGrants(server, { DEAL: { READ: 'ALL' } });
  allItems = await userWithGrants(server, Object.fromEntries(['LEAD', 'DEAL', 'CONTACT', 'COMPANY', 'QUOTE'].map((type) => [type, { READ: 'ALL' }])));
  const theirs = (await ok(server, 'crm.item.add', { entityTypeId: 2, fields: { title: 'Admin deal' } })).item.id;
  await addUnrelatedTraces(UNRELATED / 2, theirs);
  const ownDeal = (await ok(server, 'crm.item.add', { entityTypeId: 2, fields: { title: 'Own deal', assignedById: own.id } })).item.id;
  const withPrevious = await addTrace(server, { url: 'https://own-a.example/', previous: { list: [{ url: 'https://own-a0.example/' }] } }, [{ TYPE: 'DEAL', ID: ownDeal }]);
  mine.push((await getTrace(server, withPrevious)).PREVIOUS_IDS[0], withPrevious);
  mine.push(await addTrace(server, { url: 'https://own-b.example/' }, [{ TYPE: 'DEAL', ID: ownDeal }]));
  const unbound = await callJson(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify({ url: 'https://own-c.example/' }) }, own.base);
  mine.push(unbound.body.result);
  await addUnrelatedTraces(UNRELATED / 2, theirs);
}, 120_000);
afterAll(async () => {
  await server.close();
});

describe('salestrace.trace.list among many unrelated traces', () => {
  it('gives an OWN user exactly their traces with the right total, on every page', async () => {
    const first = await callJson(server, 'salestrace.trace.list', {}, own.base);
    expect(first.status, first.text).toBe(200);
    expect(first.body.result.map((row: any) => row.ID)).toEqual(mine);
    expect(first.body.total).toBe(4);
    const beyond = await callJson(server, 'salestrace.trace.list', { start: 50 }, own.base);
    expect([beyond.body.result, beyond.body.total]).toEqual([[], 4]);
  });

  it('gives an ALL user every bound trace and their own unbound ones, and nothing else', async () => {
    const answer = await callJson(server, 'salestrace.trace.list', { start: 1950 }, allDeals.base);
    // Half of the unrelated traces are bound to a deal, and all of the OWN user's bound ones.
    expect(answer.body.total).toBe(UNRELATED / 2 + 3);
    expect(answer.body.result).toHaveLength(50);
  });

  it('gives a user who reads every item the same as one who reads every deal here, also on the last page', async () => {
    for (const start of [0, 1950, 2000]) {
      const every = await callJson(server, 'salestrace.trace.list', { start }, allItems.base);
      const deals = await callJson(server, 'salestrace.trace.list', { start }, allDeals.base);
      expect(every.status, every.text).toBe(200);
      expect(every.body).toEqual({ ...deals.body, time: every.body.time });
    }
    const first = await callJson(server, 'salestrace.trace.list', {}, allItems.base);
    expect(first.body.total).toBe(UNRELATED / 2 + 3);
    expect(first.body.result.map((row: any) => row.ID)).toEqual(Array.from({ length: 50 }, (_, i) => 1 + 2 * i));
    expect((await callJson(server, 'salestrace.trace.list', { start: -1, filter: { SOURCE_ID: 0 } }, allItems.base)).body.result).toHaveLength(50);
  });

  it('shows an unbound previous trace of a visible trace to every reader who sees its parent', async () => {
    // Binding always reaches previous traces, so this state is made by hand: the previous trace
    // of the OWN user's trace loses its binding (as after a partial unbinding of older data).
    const [previous, parent] = mine;
    const db = server.services.db;
    const bindings = await db.selectFrom('tracking_trace_items').selectAll().where('trace_id', '=', previous).execute();
    await db.deleteFrom('tracking_trace_items').where('trace_id', '=', previous).execute();
    await db.updateTable('tracking_traces').set({ bound: 0 }).where('id', '=', previous).execute();
    try {
      for (const user of [own, allDeals, allItems]) {
        const answer = await callJson(server, 'salestrace.trace.get', { id: previous }, user.base);
        expect([answer.status, answer.body.result?.PARENT_IDS]).toEqual([200, [parent]]);
      }
      expect((await callJson(server, 'salestrace.trace.list', {}, own.base)).body.total).toBe(4);
      expect((await callJson(server, 'salestrace.trace.list', {}, allItems.base)).body.total).toBe(UNRELATED / 2 + 3);
    } finally {
      await db.insertInto('tracking_trace_items').values(bindings).execute();
      await db.updateTable('tracking_traces').set({ bound: 1 }).where('id', '=', previous).execute();
    }
  });
});

function caller(user: TestUser): Caller {
  return { userId: user.id, isAdmin: false, authType: 'webhook', credentialId: user.id, scopes: new Set(['crm']) };
}

describe.runIf(process.env.TEST_DB !== 'postgres')('the plan of the list on SQLite', () => {
  it('reads no trace table from end to end for OWN and ALL users, with or without filters', async () => {
    const db = server.services.db;
    for (const user of [own, allDeals, allItems]) {
      const reader = await traceReader(new CrmReadScopes(db), caller(user));
      for (const filter of [{}, { sourceId: 0 }, { createdFrom: 1767225600 }]) {
        const recorder = new StatementRecorder();
        await listVisibleTraceIds(db.withPlugin(recorder), reader, filter, { offset: 0, limit: 50, countTotal: true });
        expect(recorder.nodes.length).toBeGreaterThanOrEqual(1);
        const plans: string[] = [];
        for (const node of recorder.nodes) {
          const { sql, details } = await planOf(db, node);
          plans.push(...details);
          // SCAN (with or without an index) visits every row; only the walk's own rows may be scanned.
          const fullScans = details.filter((detail) => /^SCAN /.test(detail) && !/^SCAN (visible_traces|above|roots|counted)\b/.test(detail));
          // A reader of every item gets the administrator's page and count, less the unbound
          // traces they may not see, which come from the partial index of unbound traces alone.
          const allowed = user === allItems ? fullScans.filter((detail) => !/^SCAN (t|tracking_traces)( USING COVERING INDEX \w+)?$|^SCAN hidden USING COVERING INDEX tracking_traces_unbound$/.test(detail)) : fullScans;
          expect(allowed, `${sql}\n${details.join('\n')}`).toEqual([]);
        }
        if (user === allItems) expect(plans.join('\n')).toMatch(/tracking_traces_unbound/);
      }
    }
  });
});
