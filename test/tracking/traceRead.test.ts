// salestrace.trace.get and salestrace.trace.list over real sockets: unknown IDs, standard
// paging, the filters, and ordering.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { callGet, callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { addTrace } from './helpers.js';

const START = Date.UTC(2026, 2, 1, 10, 0, 0);
let server: TestServer;
let clock: ManualClock;
/** 60 traces, one per hour; every third has utm_source=google (source 1), the others are organic. */
const ids: number[] = [];

beforeAll(async () => {
  clock = new ManualClock(START);
  server = await startTestServer({ manualClock: clock });
  await callJson(server, 'salestrace.source.update', { id: 1, fields: { UTM_SOURCE: ['google'] } });
  for (let i = 0; i < 60; i++) {
    ids.push(await addTrace(server, { url: `https://t${i}.example/`, tags: { list: { utm_source: i % 3 === 0 ? 'google' : 'x' } } }));
    clock.advance(3600_000);
  }
});
afterAll(async () => {
  await server.close();
});

const hour = (i: number) => START / 1000 + i * 3600;

describe('salestrace.trace.get', () => {
  it('answers an unknown ID with TRACE_NOT_FOUND (400)', async () => {
    const answer = await callJson(server, 'salestrace.trace.get', { id: 424242 });
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual({ error: 'TRACE_NOT_FOUND', error_description: 'Trace with ID `424242` not found.' });
  });

  it('needs a positive integer id', async () => {
    for (const params of [{}, { id: 'abc' }, { id: -1 }, { id: '1e3' }, { ID: 1 }]) {
      const answer = await callJson(server, 'salestrace.trace.get', params);
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: 'ERROR_ARGUMENT', error_description: 'Parameter `id` must be a positive integer.', argument: 'id' });
    }
  });

  it('reads by GET query string too', async () => {
    const answer = await callGet(server, 'salestrace.trace.get', `id=${ids[0]}`);
    expect(answer.body.result.ID).toBe(ids[0]);
    expect(answer.body.result.CHANNELS).toEqual([{ CODE: 'site-domain', VALUE: 't0.example' }]);
  });
});

describe('salestrace.trace.list paging', () => {
  it('pages by 50 with next and total', async () => {
    const first = await callJson(server, 'salestrace.trace.list', {});
    expect(first.status).toBe(200);
    expect(first.body.result).toHaveLength(50);
    expect(first.body.next).toBe(50);
    expect(first.body.total).toBe(60);
    expect(first.body.result.map((t: any) => t.ID)).toEqual(ids.slice(0, 50));
    const second = await callJson(server, 'salestrace.trace.list', { start: 50 });
    expect(second.body.result.map((t: any) => t.ID)).toEqual(ids.slice(50));
    expect(second.body.next).toBeUndefined();
    expect(second.body.total).toBe(60);
  });

  it('snaps start down to a page and supports start=-1 without a count', async () => {
    const snapped = await callJson(server, 'salestrace.trace.list', { start: 57 });
    expect(snapped.body.result[0].ID).toBe(ids[50]);
    const fast = await callJson(server, 'salestrace.trace.list', { start: -1 });
    expect(fast.body.result).toHaveLength(50);
    expect(fast.body.total).toBe(0);
    expect(fast.body.next).toBeUndefined();
  });

  it('gives list rows the shape of get without nested PREVIOUS', async () => {
    const row = (await callJson(server, 'salestrace.trace.list', { filter: { SOURCE_ID: 1 } })).body.result[0];
    const { PREVIOUS, ...got } = (await callJson(server, 'salestrace.trace.get', { id: row.ID })).body.result;
    expect(PREVIOUS).toEqual([]);
    expect(row).toEqual(got);
  });
});

describe('salestrace.trace.list filters', () => {
  it('SOURCE_ID, with 0 for organic traffic', async () => {
    const google = await callJson(server, 'salestrace.trace.list', { filter: { SOURCE_ID: 1 } });
    expect(google.body.total).toBe(20);
    expect(google.body.result.map((t: any) => t.ID)).toEqual(ids.filter((_, i) => i % 3 === 0));
    const organic = await callJson(server, 'salestrace.trace.list', { filter: { SOURCE_ID: '0' } });
    expect(organic.body.total).toBe(40);
    expect(organic.body.result.every((t: any) => t.SOURCE_ID === 0)).toBe(true);
    expect((await callJson(server, 'salestrace.trace.list', { filter: { SOURCE_ID: 2 } })).body).toMatchObject({ result: [], total: 0 });
  });

  it('>=DATE_CREATE and <=DATE_CREATE, as unix seconds or ISO 8601', async () => {
    const range = await callJson(server, 'salestrace.trace.list', { filter: { '>=DATE_CREATE': hour(10), '<=DATE_CREATE': new Date(hour(12) * 1000).toISOString() } });
    expect(range.body.result.map((t: any) => t.ID)).toEqual(ids.slice(10, 13));
    const form = await callGet(server, 'salestrace.trace.list', `${encodeURIComponent('filter[>=DATE_CREATE]')}=${hour(58)}`);
    expect(form.body.result.map((t: any) => t.ID)).toEqual(ids.slice(58));
    const combined = await callJson(server, 'salestrace.trace.list', { filter: { '<=DATE_CREATE': String(hour(9)), SOURCE_ID: 1 } });
    expect(combined.body.result.map((t: any) => t.ID)).toEqual([ids[0], ids[3], ids[6], ids[9]]);
  });

  it('ENTITY_TYPE with ENTITY_ID: the item’s traces, newest first', async () => {
    // Bindings need CRM items (phase 2); the filter itself only reads the binding table.
    const bound = [ids[5], ids[40], ids[20]];
    for (const traceId of bound) {
      await server.services.db.insertInto('tracking_trace_items').values({ trace_id: traceId, entity_type_id: 2, entity_id: 77 }).execute();
    }
    await server.services.db.insertInto('tracking_trace_items').values({ trace_id: ids[41], entity_type_id: 3, entity_id: 77 }).execute();
    const answer = await callJson(server, 'salestrace.trace.list', { filter: { ENTITY_TYPE: 'DEAL', ENTITY_ID: 77 } });
    expect(answer.body.result.map((t: any) => t.ID)).toEqual([ids[40], ids[20], ids[5]]);
    expect(answer.body.total).toBe(3);
    expect(answer.body.result[0].ENTITIES).toEqual([{ TYPE: 'DEAL', ENTITY_TYPE_ID: 2, ID: 77 }]);
    const contact = await callGet(server, 'salestrace.trace.list', 'filter[ENTITY_TYPE]=CONTACT&filter[ENTITY_ID]=77');
    expect(contact.body.result.map((t: any) => t.ID)).toEqual([ids[41]]);
  });

  it('refuses unknown fields and malformed values', async () => {
    const cases: [unknown, string][] = [
      [{ UTM_SOURCE: 'x' }, 'Unknown filter field `UTM_SOURCE`. Allowed: ENTITY_TYPE, ENTITY_ID, SOURCE_ID, >=DATE_CREATE, <=DATE_CREATE.'],
      [{ ENTITY_TYPE: 'DEAL' }, 'Filter field `ENTITY_ID` must be a positive integer, together with ENTITY_TYPE.'],
      [{ ENTITY_ID: 5 }, 'Filter field `ENTITY_TYPE` must be one of LEAD, DEAL, CONTACT, COMPANY, QUOTE, together with ENTITY_ID.'],
      [{ ENTITY_TYPE: 'deal', ENTITY_ID: 5 }, 'Filter field `ENTITY_TYPE` must be one of LEAD, DEAL, CONTACT, COMPANY, QUOTE, together with ENTITY_ID.'],
      [{ SOURCE_ID: -1 }, 'Filter field `SOURCE_ID` must be a source ID, or 0 for organic traffic.'],
      [{ '>=DATE_CREATE': 'yesterday' }, 'Filter field `>=DATE_CREATE` must be a date (YYYY-MM-DD), an ISO 8601 date-time or unix seconds.'],
      ['text', 'Parameter `filter` must be an object.'],
    ];
    for (const [filter, message] of cases) {
      const answer = await callJson(server, 'salestrace.trace.list', { filter });
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: 'ERROR_ARGUMENT', error_description: message, argument: 'filter' });
    }
  });
});
