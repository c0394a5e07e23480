// A run of crm.tracking.trace.add rows in one batch is checked row by row and written together
// (src/tracking/traceRun.ts). The answers and every tracking table must be exactly those of the
// same rows sent one call at a time: the same IDs in the same order, the same binding, channel
// and tree rows, the same UTM copies, each failing row's own error, and halt stopping where it
// would. Each side runs on a fresh database under the same fixed clock.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { ok } from '../crm/helpers.js';
import { expectIntegrity } from '../tracking/helpers.js';

interface Items {
  contact: number;
  deal: number;
  bareContact: number;
  company: number;
}

type Entity = { TYPE: string; ID: number };
type Row = (items: Items) => { TRACE: string; ENTITIES?: Entity[] };

const visit = (marker: string, extra: Record<string, unknown> = {}) => ({
  url: `https://shop.example.com/${marker}/`,
  ref: 'https://www.google.com/',
  tags: { list: { utm_source: 'google', utm_medium: 'cpc', utm_campaign: marker } },
  pages: { list: [[`https://shop.example.com/${marker}/`, 1767225600, marker]] },
  ...extra,
});

/** Rows that cover what a trace write does: previous traces, channels, repeats, missing items, UTM copies, errors. */
const ROWS: Row[] = [
  (i) => ({
    TRACE: JSON.stringify(visit('a', { previous: { list: [visit('a-earlier', { previous: { list: [visit('a-first')] } }), visit('a-other')] } })),
    ENTITIES: [
      { TYPE: 'CONTACT', ID: i.contact },
      { TYPE: 'DEAL', ID: i.deal },
    ],
  }),
  (i) => ({
    TRACE: JSON.stringify(visit('b', { channels: [{ code: 'call', value: '+7 (999) 123-45-67' }, { code: 'call', value: '1' }, { code: 'mail', value: ' A@B.example ' }] })),
    // A repeat and an item that does not exist (skipped quietly).
    ENTITIES: [
      { TYPE: 'DEAL', ID: i.deal },
      { TYPE: 'DEAL', ID: i.deal },
      { TYPE: 'LEAD', ID: 999_999 },
    ],
  }),
  // The first to bind the contact without UTM values gives it its tags; the next keeps them.
  (i) => ({ TRACE: JSON.stringify(visit('c')), ENTITIES: [{ TYPE: 'CONTACT', ID: i.bareContact }] }),
  () => ({ TRACE: '{not json' }),
  (i) => ({ TRACE: JSON.stringify(visit('d')), ENTITIES: [{ TYPE: 'CONTACT', ID: i.bareContact }, { TYPE: 'COMPANY', ID: i.company }] }),
  (i) => ({ TRACE: JSON.stringify(visit('e')), ENTITIES: [{ TYPE: 'NOPE', ID: i.deal }] }),
  () => ({ TRACE: JSON.stringify({ url: 'https://organic.example/' }) }),
  (i) => ({ TRACE: JSON.stringify({ url: 'https://untagged.example/' }), ENTITIES: [{ TYPE: 'COMPANY', ID: i.company }] }),
  (i) => ({ TRACE: JSON.stringify(visit('boom')), ENTITIES: [{ TYPE: 'DEAL', ID: i.deal }] }),
  (i) => ({ TRACE: JSON.stringify(visit('f', { previous: { list: [visit('f-earlier')] } })), ENTITIES: [{ TYPE: 'COMPANY', ID: i.company }] }),
];

/** The row as b24jssdk encodes it: `method?query`. */
function batchRow(params: { TRACE: string; ENTITIES?: Entity[] }): string {
  const parts = [`TRACE=${encodeURIComponent(params.TRACE)}`];
  params.ENTITIES?.forEach((entity, at) => parts.push(`ENTITIES[${at}][TYPE]=${entity.TYPE}`, `ENTITIES[${at}][ID]=${entity.ID}`));
  return `crm.tracking.trace.add?${parts.join('&')}`;
}

async function makeItems(server: TestServer): Promise<Items> {
  const contact = await ok(server, 'crm.contact.add', { fields: { NAME: 'Client', UTM_SOURCE: 'mail' } });
  const deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Deal', CONTACT_ID: contact } });
  const bareContact = (await ok(server, 'crm.item.add', { entityTypeId: 3, fields: { name: 'No tags' } })).item.id;
  const company = (await ok(server, 'crm.item.add', { entityTypeId: 4, fields: { title: 'Firm' } })).item.id;
  return { contact, deal, bareContact, company };
}

/** A trace whose tags mention `boom` cannot be written: an unexpected database error in the row's write. */
async function failWritesOfBoom(server: TestServer): Promise<void> {
  const db = server.services.db;
  if (TEST_DIALECT === 'sqlite') {
    await sql`create trigger boom before insert on tracking_traces when new.tags_json like '%boom%' begin select raise(abort, 'boom'); end`.execute(db);
    return;
  }
  await sql`create function boom() returns trigger as $$ begin if new.tags_json like '%boom%' then raise exception 'boom'; end if; return new; end $$ language plpgsql`.execute(db);
  await sql`create trigger boom before insert on tracking_traces for each row execute function boom()`.execute(db);
}

const TABLES = ['tracking_traces', 'tracking_trace_tree', 'tracking_trace_channels', 'tracking_trace_items'] as const;

async function trackingRows(server: TestServer): Promise<Record<string, unknown[]>> {
  const db = server.services.db;
  const out: Record<string, unknown[]> = {};
  for (const table of TABLES) out[table] = await db.selectFrom(table).selectAll().orderBy('id').execute();
  out.crm_utm = await db.selectFrom('crm_utm').selectAll().orderBy('entity_type_id').orderBy('entity_id').orderBy('code').execute();
  return out;
}

interface Written {
  result: Record<string, unknown>;
  result_error: Record<string, unknown>;
  rows: Record<string, unknown[]>;
}

/** The rows on a fresh server, as one batch or one call at a time (stopping at the first error under halt). */
async function written(how: 'batch' | 'calls', halt: boolean): Promise<Written> {
  const server = await startTestServer({ manualClock: new ManualClock() });
  try {
    const items = await makeItems(server);
    await failWritesOfBoom(server);
    const params = ROWS.map((row) => row(items));
    let result: Record<string, unknown> = {};
    let result_error: Record<string, unknown> = {};
    if (how === 'batch') {
      const answer = await callJson(server, 'batch', { halt: halt ? 1 : 0, cmd: Object.fromEntries(params.map((p, at) => [`r${at}`, batchRow(p)])) });
      expect(answer.status, answer.text).toBe(200);
      ({ result, result_error } = answer.body.result);
      expect(Object.keys(answer.body.result.result_time)).toEqual(Object.keys(result));
    } else {
      for (const [at, p] of params.entries()) {
        const answer = await callJson(server, 'crm.tracking.trace.add', p);
        if (answer.status === 200) {
          result[`r${at}`] = answer.body.result;
          continue;
        }
        result_error[`r${at}`] = answer.body;
        if (halt) break;
      }
    }
    await expectIntegrity(server.services.db);
    return { result: { ...result }, result_error: { ...result_error }, rows: await trackingRows(server) };
  } finally {
    await server.close();
  }
}

describe('a run of trace.add rows in one batch', () => {
  it('writes what the same rows write one call at a time, each failing row with its own error', async () => {
    const calls = await written('calls', false);
    // The rows exercise what they should: errors in the middle of the run, and traces on both sides of them.
    expect(Object.keys(calls.result_error)).toEqual(['r3', 'r5', 'r8']);
    expect(Object.keys(calls.result)).toEqual(['r0', 'r1', 'r2', 'r4', 'r6', 'r7', 'r9']);
    expect(calls.rows.tracking_trace_tree.length).toBeGreaterThan(3);
    expect(calls.rows.crm_utm.length).toBeGreaterThan(1);
    expect(await written('batch', false)).toEqual(calls);
  }, 60_000);

  it('stops under halt where one call at a time would, keeping the rows before', async () => {
    const calls = await written('calls', true);
    expect(Object.keys(calls.result)).toEqual(['r0', 'r1', 'r2']);
    expect(await written('batch', true)).toEqual(calls);
  }, 60_000);

  it('stops under halt at a row whose write fails, after the rows of its run before it', async () => {
    const server = await startTestServer({ manualClock: new ManualClock() });
    try {
      const items = await makeItems(server);
      await failWritesOfBoom(server);
      const cmd = [ROWS[0], ROWS[8], ROWS[9]].map((row) => batchRow(row(items)));
      const answer = await callJson(server, 'batch', { halt: 1, cmd });
      expect(answer.status, answer.text).toBe(200);
      expect(Object.keys(answer.body.result.result)).toEqual(['0']);
      expect(Object.keys(answer.body.result.result_error)).toEqual(['1']);
      const rows = await trackingRows(server);
      expect(rows.tracking_traces.filter((row: any) => row.tags_json.includes('"f'))).toEqual([]);
    } finally {
      await server.close();
    }
  }, 60_000);
});
