// Shared pieces of the Sales Intelligence tests: extra users with their own webhooks, and
// database checks for the tracking tables.
import { sql } from 'kysely';
import { expect } from 'vitest';
import { addUser } from '../../src/auth/users.js';
import { addWebhook } from '../../src/auth/webhooks.js';
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
