// Shared pieces of the telephony tests: a simulated PBX that reports calls the way an
// integration does, and reads of what a call left behind.
import { expect } from 'vitest';
import { callForm, callJson, type HttpAnswer, type TestServer } from '../helpers/server.js';

export async function ok(server: TestServer, method: string, params: unknown = {}, base?: string): Promise<any> {
  const answer = await callJson(server, method, params, base);
  expect(answer.status, `${method}: ${answer.text}`).toBe(200);
  return answer.body.result;
}

/** A form post, as PHP integrations (CRest, curl -d) send it. */
export async function okForm(server: TestServer, method: string, form: Record<string, string | number>, base?: string): Promise<any> {
  const answer = await callForm(server, method, new URLSearchParams(Object.entries(form).map(([k, v]): [string, string] => [k, String(v)])).toString(), base);
  expect(answer.status, `${method}: ${answer.text}`).toBe(200);
  return answer.body.result;
}

export async function fails(server: TestServer, method: string, params: unknown, base?: string): Promise<HttpAnswer> {
  const answer = await callJson(server, method, params, base);
  expect(answer.status, answer.text).not.toBe(200);
  return answer;
}

/** A web visit the tracker stored after showing (or the visitor tapping) a pooled number. */
export function webVisit(number: string, tag: string, page: string, ts: number) {
  return {
    url: page,
    tags: { ts, list: { utm_source: tag, utm_campaign: `${tag}-campaign` } },
    pages: { list: [[page, ts, `Page ${tag}`]] },
    channels: [{ code: 'call', value: number }],
  };
}

/** The traces bound to an item, as salestrace.trace.list gives them. */
export async function tracesOf(server: TestServer, type: string, id: number): Promise<any[]> {
  return ok(server, 'salestrace.trace.list', { filter: { ENTITY_TYPE: type, ENTITY_ID: id } });
}

export async function count(server: TestServer, table: 'crm_lead' | 'tracking_traces' | 'telephony_calls' | 'telephony_statistics' | 'call_activities'): Promise<number> {
  const row = await server.services.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}
