// The call both statement-count tests (hotPathStatements*.test.ts) measure: the benchmark's
// trace.add (bench/traces.mjs), bound to one contact and one deal made through the API.
import { expect } from 'vitest';
import { callJson, type TestServer } from '../helpers/server.js';

export interface BoundItems {
  readonly contactId: number;
  readonly dealId: number;
}

export async function makeBoundItems(server: TestServer): Promise<BoundItems> {
  const add = async (entityTypeId: number, fields: Record<string, unknown>) => {
    const answer = await callJson(server, 'crm.item.add', { entityTypeId, fields });
    expect(answer.status, answer.text).toBe(200);
    return answer.body.result.item.id as number;
  };
  return { contactId: await add(3, { name: 'Hot' }), dealId: await add(2, { title: 'Hot deal' }) };
}

/** The benchmark's trace: 3 pages, 5 UTM tags, a referrer, one previous visit of 2 pages. */
export function benchTraceJson(i: number): string {
  const visit = (n: number, ts: number, pages: number) => {
    const tags = { utm_source: 'google', utm_medium: 'cpc', utm_campaign: `spring_sale_${n}`, utm_content: 'banner_1', utm_term: 'running shoes' };
    const landing = `https://shop.example.com/catalog/running-shoes/?${new URLSearchParams(tags)}`;
    return {
      url: landing,
      ref: 'https://www.google.com/',
      device: { isMobile: n % 3 === 0 },
      tags: { ts, list: tags, gclid: `Cj0KCQiA${n}x7` },
      client: { gaId: `GA1.2.${100000 + n}.1767225600`, yaId: `1767225600${n}` },
      pages: { list: [[landing, ts, 'Running shoes'], ['https://shop.example.com/cart/', ts + 47, 'Your cart'], ['https://shop.example.com/pay/', ts + 131, 'Pay']].slice(0, pages) },
      gid: `guest-${1000 + n}`,
    };
  };
  const ts = 1767225600 + i * 600;
  return JSON.stringify({ ...visit(i, ts, 3), previous: { list: [visit(i + 1, ts - 3 * 86400, 2)] } });
}

/** trace.add of benchTraceJson(i) bound to both items; answers the trace's ID. */
export async function addBoundTrace(server: TestServer, items: BoundItems, i: number): Promise<number> {
  const entities = [
    { TYPE: 'CONTACT', ID: items.contactId },
    { TYPE: 'DEAL', ID: items.dealId },
  ];
  const answer = await callJson(server, 'crm.tracking.trace.add', { TRACE: benchTraceJson(i), ENTITIES: entities });
  expect(answer.status, answer.text).toBe(200);
  return answer.body.result as number;
}
