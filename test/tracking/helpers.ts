// Shared pieces of the Sales Intelligence tests: extra users with their own webhooks, and
// database checks for the tracking tables and their links to CRM items.
import { sql } from 'kysely';
import { expect } from 'vitest';
import { addUser } from '../../src/auth/users.js';
import { addWebhook } from '../../src/auth/webhooks.js';
import type { Db } from '../../src/db/schema.js';
import { callJson, type TestServer } from '../helpers/server.js';

let userCounter = 0;

/** A new user with a `crm` webhook; returns the webhook base URL (HTTP). */
export async function userWebhook(server: TestServer, options: { admin: boolean; scopes?: string[] }): Promise<string> {
  userCounter++;
  const now = server.services.clock.now() / 1000;
  const user = await addUser(server.services.db, { login: `tracking-user-${userCounter}`, isAdmin: options.admin }, now);
  const { secret } = await addWebhook(server.services.db, { userId: user.id, scopes: options.scopes ?? ['crm'] }, now);
  return `${server.httpUrl}/rest/${user.id}/${secret}/`;
}

export interface TrackingCounts {
  traces: number;
  items: number;
  channels: number;
  tree: number;
}

export async function trackingCounts(server: TestServer): Promise<TrackingCounts> {
  const db = server.services.db;
  const count = async (table: 'tracking_traces' | 'tracking_trace_items' | 'tracking_trace_channels' | 'tracking_trace_tree') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return {
    traces: await count('tracking_traces'),
    items: await count('tracking_trace_items'),
    channels: await count('tracking_trace_channels'),
    tree: await count('tracking_trace_tree'),
  };
}

/** Rows that point at a trace that no longer exists: there must never be any. */
export async function expectNoOrphans(server: TestServer): Promise<void> {
  const db = server.services.db;
  const orphans = await sql<{ n: number }>`
    select
      (select count(*) from tracking_trace_items where trace_id not in (select id from tracking_traces)) +
      (select count(*) from tracking_trace_channels where trace_id not in (select id from tracking_traces)) +
      (select count(*) from tracking_trace_tree where parent_id not in (select id from tracking_traces)
                                               or child_id not in (select id from tracking_traces)) as n
  `.execute(db);
  expect(Number(orphans.rows[0].n)).toBe(0);
}

/** Adds a trace as the administrator and returns its ID. */
export async function addTrace(server: TestServer, trace: unknown, entities?: unknown): Promise<number> {
  const params: Record<string, unknown> = { TRACE: typeof trace === 'string' ? trace : JSON.stringify(trace) };
  if (entities !== undefined) params.ENTITIES = entities;
  const answer = await callJson(server, 'crm.tracking.trace.add', params);
  expect(answer.status, answer.text).toBe(200);
  expect(Number.isInteger(answer.body.result)).toBe(true);
  return answer.body.result as number;
}

export async function getTrace(server: TestServer, id: number): Promise<any> {
  const answer = await callJson(server, 'salestrace.trace.get', { id });
  expect(answer.status, answer.text).toBe(200);
  return answer.body.result;
}

const ITEM_TABLES: Record<number, string> = { 1: 'crm_lead', 2: 'crm_deal', 3: 'crm_contact', 4: 'crm_company', 7: 'crm_quote' };

/**
 * Everything that must hold between the tracking tables and the CRM at any moment, as a list of
 * readable violations (empty when all is well): no binding, channel or tree row without its
 * trace; no binding to an item that does not exist; every binding reaches the previous traces
 * too (§1.2 step 3); a trace's `bound` flag says whether it has bindings; no trace carries more
 * than five previous traces; stored JSON is readable.
 */
export async function integrityProblems(db: Db): Promise<string[]> {
  const problems: string[] = [];
  const rows = async (query: string) => (await sql.raw<Record<string, unknown>>(query).execute(db)).rows;
  const report = async (what: string, query: string) => {
    const found = await rows(query);
    if (found.length > 0) problems.push(`${what}: ${JSON.stringify(found.slice(0, 5))}${found.length > 5 ? ` (+${found.length - 5})` : ''}`);
  };
  await report('binding without trace', 'select * from tracking_trace_items where trace_id not in (select id from tracking_traces)');
  await report('channel without trace', 'select * from tracking_trace_channels where trace_id not in (select id from tracking_traces)');
  await report(
    'tree row without trace',
    'select * from tracking_trace_tree where parent_id not in (select id from tracking_traces) or child_id not in (select id from tracking_traces)',
  );
  await report('binding of an unknown item type', `select * from tracking_trace_items where entity_type_id not in (${Object.keys(ITEM_TABLES).join(',')})`);
  for (const [typeId, table] of Object.entries(ITEM_TABLES)) {
    await report(
      `binding to a missing ${table} row`,
      `select * from tracking_trace_items where entity_type_id = ${typeId} and entity_id not in (select id from ${table})`,
    );
  }
  await report(
    'binding not propagated to a previous trace',
    `select i.trace_id, t.child_id, i.entity_type_id, i.entity_id from tracking_trace_items i
       join tracking_trace_tree t on t.parent_id = i.trace_id
      where not exists (select 1 from tracking_trace_items c
                         where c.trace_id = t.child_id and c.entity_type_id = i.entity_type_id and c.entity_id = i.entity_id)`,
  );
  // traceVisibility.ts finds unbound traces by this flag alone.
  await report(
    'bound flag out of step with the bindings',
    `select id, bound from tracking_traces t
      where bound <> case when exists (select 1 from tracking_trace_items i where i.trace_id = t.id) then 1 else 0 end`,
  );
  await report('more than five previous traces', 'select parent_id, count(*) as n from tracking_trace_tree group by parent_id having count(*) > 5');
  for (const row of await rows('select id, tags_json, pages_json from tracking_traces')) {
    try {
      const tags = JSON.parse(String(row.tags_json));
      const pages = JSON.parse(String(row.pages_json));
      if (typeof tags !== 'object' || tags === null || Array.isArray(tags) || !Array.isArray(pages)) throw new Error('shape');
    } catch {
      problems.push(`unreadable trace row ${row.id}`);
    }
  }
  return problems;
}

export async function expectIntegrity(db: Db): Promise<void> {
  expect(await integrityProblems(db)).toEqual([]);
}

/** [trace, type, item] for every binding, in binding order, optionally of some traces only. */
export async function bindingRows(db: Db, traceIds?: number[]): Promise<[number, number, number][]> {
  let query = db.selectFrom('tracking_trace_items').select(['trace_id', 'entity_type_id', 'entity_id']).orderBy('id');
  if (traceIds) query = query.where('trace_id', 'in', traceIds.length > 0 ? traceIds : [0]);
  return (await query.execute()).map((row) => [row.trace_id, row.entity_type_id, row.entity_id]);
}
