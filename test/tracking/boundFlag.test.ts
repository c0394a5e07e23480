// tracking_traces.bound says whether any item is bound to a trace (trace visibility reads it).
// trace.add now writes it with the trace rows instead of updating them after the bindings
// (issue 17), so it must still match the bindings for every way a call can end: existing items,
// missing items only, no items, and deletes that leave some bindings or none.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { addTrace } from './helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

/** Traces whose flag disagrees with their bindings: there must never be any. */
async function mismatches(): Promise<number[]> {
  const rows = await sql<{ id: number }>`
    select id from tracking_traces t
    where bound <> case when exists (select 1 from tracking_trace_items i where i.trace_id = t.id) then 1 else 0 end
  `.execute(server.services.db);
  return rows.rows.map((row) => Number(row.id));
}

const withPrevious = (label: string) => ({ url: `https://${label}.example/`, previous: { list: [{ url: `https://${label}-before.example/`, previous: { list: [{ url: `https://${label}-first.example/` }] } }] } });

describe('the bound flag', () => {
  it('matches the bindings after adds with existing, missing and no items, and after deletes', async () => {
    const added = await callJson(server, 'crm.item.add', { entityTypeId: 2, fields: { title: 'Bound flag' } });
    const dealId = added.body.result.item.id as number;
    const existing = await addTrace(server, withPrevious('existing'), [{ TYPE: 'DEAL', ID: dealId }]);
    const missing = await addTrace(server, withPrevious('missing'), [{ TYPE: 'DEAL', ID: dealId + 1000 }]);
    const mixed = await addTrace(server, withPrevious('mixed'), [
      { TYPE: 'CONTACT', ID: 999_999 },
      { TYPE: 'DEAL', ID: dealId },
    ]);
    await addTrace(server, withPrevious('none'));
    const flags = await server.services.db.selectFrom('tracking_traces').select(['id', 'bound']).where('id', 'in', [existing, missing, mixed]).orderBy('id').execute();
    expect(flags.map((row) => row.bound)).toEqual([1, 0, 1]);
    expect(await mismatches()).toEqual([]);
    for (const id of [existing, mixed]) {
      const answer = await callJson(server, 'crm.tracking.trace.delete', { id });
      expect(answer.status, answer.text).toBe(200);
    }
    expect(await mismatches()).toEqual([]);
  });
});
