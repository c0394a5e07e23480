// 32 clients writing at once, each over its own socket: trace adds, typed item adds with a TRACE,
// lead adds, batches of those, trace deletes and item deletes, all touching the same popular
// contact and deal. No valid request may fail because others run at the same time (on
// PostgreSQL transactions overlap and may have to run again; the caller must never see that),
// and afterwards every acknowledged write is there, every acknowledged delete is gone, and each
// ID was answered once.
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../crm/helpers.js';
import { startTestServer, type HttpAnswer, type TestServer } from '../helpers/server.js';
import { integrityProblems } from '../tracking/helpers.js';
import { markedTrace } from './traceModel.js';

const WRITERS = 32;
const STEPS = 12;

let server: TestServer;
let contact: number;
let deal: number;
// Up to one keep-alive socket per writer, so all of them are in flight at once.
const agent = new http.Agent({ keepAlive: true, maxSockets: WRITERS });

beforeAll(async () => {
  // The operating-time budget would count the waits of 32 writers against each method; it is
  // tested on its own (test/limits), this is about the writes.
  server = await startTestServer({ config: { operatingLimitSeconds: 'off' } });
  contact = await ok(server, 'crm.contact.add', { fields: { NAME: 'Popular' } });
  deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Popular' } });
});
afterAll(async () => {
  agent.destroy();
  await server?.close();
});

function call(method: string, params: unknown): Promise<HttpAnswer> {
  const body = JSON.stringify(params);
  return new Promise((resolve, reject) => {
    const sent = http.request(
      server.webhookUrl + method,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: any;
          try {
            parsed = JSON.parse(text);
          } catch {
            parsed = undefined;
          }
          resolve({ status: response.statusCode ?? 0, headers: new Headers(), text, body: parsed });
        });
        response.on('error', reject);
      },
    );
    sent.on('error', reject);
    sent.end(body);
  });
}

/** Both the writer's own list (for its deletes later) and the shared one. */
function record(own: number[], all: number[], id: unknown): void {
  if (typeof id !== 'number') return;
  own.push(id);
  all.push(id);
}

/** What the writers were told: IDs by kind, and the ones they deleted afterwards. */
interface Ledger {
  readonly traces: number[];
  readonly deals: number[];
  readonly leads: number[];
  readonly deletedTraces: number[];
  readonly deletedLeads: number[];
  readonly failures: string[];
}

const traceParams = (marker: string) => ({
  TRACE: JSON.stringify(markedTrace(marker, 1)),
  ENTITIES: [
    { TYPE: 'CONTACT', ID: contact },
    { TYPE: 'DEAL', ID: deal },
  ],
});

/** A batch row as PHP's http_build_query would write it. */
function row(method: string, params: Record<string, string | number>): string {
  return `${method}?${Object.entries(params)
    .map(([key, value]) => `${key}=${encodeURIComponent(String(value))}`)
    .join('&')}`;
}

async function writer(index: number, ledger: Ledger): Promise<void> {
  const mine = { traces: [] as number[], leads: [] as number[] };
  const expectResult = (what: string, answer: HttpAnswer): any => {
    if (answer.status !== 200 || answer.body?.error !== undefined || answer.body?.result === undefined) {
      ledger.failures.push(`${what}: ${answer.status} ${answer.text.slice(0, 200)}`);
      return undefined;
    }
    return answer.body.result;
  };
  for (let step = 0; step < STEPS; step++) {
    const marker = `w${index}s${step}`;
    switch ((index + step) % 6) {
      case 0: {
        const id = expectResult(`${marker} trace.add`, await call('crm.tracking.trace.add', traceParams(marker)));
        record(mine.traces, ledger.traces, id);
        break;
      }
      case 1: {
        const fields = { TITLE: marker, CONTACT_ID: contact, TRACE: JSON.stringify(markedTrace(marker, 1)) };
        const id = expectResult(`${marker} deal.add`, await call('crm.deal.add', { fields }));
        if (typeof id === 'number') ledger.deals.push(id);
        break;
      }
      case 2: {
        const id = expectResult(`${marker} lead.add`, await call('crm.lead.add', { fields: { TITLE: marker, UTM_SOURCE: 'google' } }));
        record(mine.leads, ledger.leads, id);
        break;
      }
      case 3: {
        const cmd = {
          lead: row('crm.lead.add', { 'fields[TITLE]': `${marker} lead` }),
          trace: row('crm.tracking.trace.add', { TRACE: JSON.stringify(markedTrace(`${marker}b`, 0)), 'ENTITIES[0][TYPE]': 'DEAL', 'ENTITIES[0][ID]': deal }),
          deal: row('crm.deal.add', { 'fields[TITLE]': `${marker} deal`, 'fields[CONTACT_ID]': contact }),
        };
        const result = expectResult(`${marker} batch`, await call('batch', { halt: 0, cmd }));
        if (result === undefined) break;
        const errors = result.result_error;
        if (!Array.isArray(errors) || errors.length > 0) ledger.failures.push(`${marker} batch rows: ${JSON.stringify(errors)}`);
        const { lead, trace, deal: added } = result.result;
        record(mine.leads, ledger.leads, lead);
        record(mine.traces, ledger.traces, trace);
        if (typeof added === 'number') ledger.deals.push(added);
        break;
      }
      case 4: {
        const id = mine.traces.shift();
        if (id === undefined) break;
        if (expectResult(`${marker} trace.delete ${id}`, await call('crm.tracking.trace.delete', { id })) === null) ledger.deletedTraces.push(id);
        else ledger.failures.push(`${marker} trace.delete ${id}: no null result`);
        break;
      }
      case 5: {
        const id = mine.leads.shift();
        if (id === undefined) break;
        if (expectResult(`${marker} lead.delete ${id}`, await call('crm.lead.delete', { id })) === true) ledger.deletedLeads.push(id);
        break;
      }
    }
  }
}

async function idsIn(table: 'crm_lead' | 'crm_deal' | 'tracking_traces', ids: number[]): Promise<number[]> {
  if (ids.length === 0) return [];
  const rows = await server.services.db.selectFrom(table).select('id').where('id', 'in', ids).orderBy('id').execute();
  return rows.map((found) => found.id);
}

const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b);
const without = (ids: number[], gone: number[]) => ids.filter((id) => !gone.includes(id));

describe(`${WRITERS} concurrent writers`, () => {
  // Generous: PostgreSQL on a loaded machine; the run itself takes seconds.
  it('never fail, and leave exactly what they were told', { timeout: 240_000 }, async () => {
    const ledger: Ledger = { traces: [], deals: [], leads: [], deletedTraces: [], deletedLeads: [], failures: [] };
    await Promise.all(Array.from({ length: WRITERS }, (_, index) => writer(index, ledger)));

    expect(ledger.failures).toEqual([]);
    // Every kind of write happened, many times over.
    expect(ledger.traces.length).toBeGreaterThan(100);
    expect(ledger.deals.length).toBeGreaterThan(100);
    expect(ledger.leads.length).toBeGreaterThan(100);
    expect(ledger.deletedTraces.length).toBeGreaterThan(30);
    expect(ledger.deletedLeads.length).toBeGreaterThan(30);
    // Each ID answered once.
    for (const ids of [ledger.traces, ledger.deals, ledger.leads]) expect(new Set(ids).size).toBe(ids.length);
    // Acknowledged adds are there, acknowledged deletes are gone.
    expect(await idsIn('crm_deal', ledger.deals)).toEqual(sorted(ledger.deals));
    expect(await idsIn('crm_lead', ledger.leads)).toEqual(sorted(without(ledger.leads, ledger.deletedLeads)));
    expect(await idsIn('tracking_traces', ledger.traces)).toEqual(sorted(without(ledger.traces, ledger.deletedTraces)));
    // Every surviving trace is still bound to what it was added with.
    const bound = await server.services.db
      .selectFrom('tracking_trace_items')
      .select('trace_id')
      .where('entity_type_id', '=', 2)
      .where('entity_id', '=', deal)
      .where('trace_id', 'in', ledger.traces)
      .execute();
    expect(sorted(bound.map((binding) => binding.trace_id))).toEqual(sorted(without(ledger.traces, ledger.deletedTraces)));
    expect(await integrityProblems(server.services.db)).toEqual([]);
  });
});
