// How many statements one crm.tracking.trace.add and one crm.tracking.trace.delete run on
// SQLite (issue 17): each statement costs time on the single connection every request shares,
// so a change that adds one back (a second lookup of an item, a read per request of something
// cached, a row written twice) fails here instead of only showing in a benchmark. Counted by
// wrapping better-sqlite3's statement methods, in this process, around one call at a time.
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { addBoundTrace, benchTraceJson, makeBoundItems, type BoundItems } from './hotPathTrace.js';

const onPostgres = process.env.TEST_DB === 'postgres';

type StatementMethod = (...args: unknown[]) => unknown;
const counted: string[] = [];
let counting = false;
const probe = new Database(':memory:');
const statementPrototype = Object.getPrototypeOf(probe.prepare('select 1')) as Record<string, StatementMethod>;
const originals = new Map<string, StatementMethod>();

function startCounting(): void {
  for (const name of ['run', 'all', 'get', 'iterate']) {
    const original = statementPrototype[name];
    originals.set(name, original);
    statementPrototype[name] = function (this: { source: string }, ...args: unknown[]) {
      // The event sender polls its outbox in the background (src/events/sender.ts): not the call's.
    if (counting && !this.source.includes('from "event_outbox"')) counted.push(this.source);
      return original.apply(this, args);
    };
  }
}

function stopCounting(): void {
  for (const [name, original] of originals) statementPrototype[name] = original;
  probe.close();
}

async function statementsOf(call: () => Promise<void>): Promise<string[]> {
  counted.length = 0;
  counting = true;
  try {
    await call();
  } finally {
    counting = false;
  }
  return [...counted];
}

let server: TestServer;
let items: BoundItems;
beforeAll(async () => {
  if (onPostgres) return;
  startCounting();
  server = await startTestServer();
  items = await makeBoundItems(server);
});
afterAll(async () => {
  if (onPostgres) return;
  await server.close();
  stopCounting();
});

function addTrace(i: number): Promise<number> {
  return addBoundTrace(server, items, i);
}

// The webhook cache's change token and the sources' state; BEGIN and COMMIT; both items held
// in one statement; the trace and its previous trace in one insert; their tree row; their
// channels; the bindings; the items' UTM rows. (16 before issue 17, 12 before issue 16's one hold
// for all items, 11 while each trace of a tree had its own insert.)
const TRACE_ADD_AT_MOST = 10;
// The change token; BEGIN and COMMIT; the trace locked with its creator; its items; its tree
// (two levels); unbinding and what is left bound; the trace's rows (3 deletes); the previous
// trace locked, whether anything needs it, its children and its rows (3 deletes). (28 before.)
const TRACE_DELETE_AT_MOST = 18;

// crm.lead.add with a client and no UTM_SOURCE, which the attribution window looks at
// (src/analytics/attribution/window.ts): the change token; BEGIN and COMMIT; the lead and its
// contact binding (delete, insert); the window's settings and its client's newest trace with
// that trace's source (one statement, two before issue 17's second round); the trace add hook:
// the lead's newest trace, the sources' state (read inside the transaction), the trace, its
// channel, the lead held, its binding, the bound flag; the event handlers.
const LEAD_ADD_WITH_CLIENT_AT_MOST = 16;

describe.skipIf(onPostgres)('statements per call on SQLite', () => {
  it(`trace.add of a trace with a previous one, bound to a contact and a deal, runs at most ${TRACE_ADD_AT_MOST}`, async () => {
    // Warm: the first call fills the caches (webhook, sources) every later call relies on.
    await addTrace(0);
    await addTrace(1);
    const statements = await statementsOf(async () => void (await addTrace(2)));
    expect(statements.length, statements.join('\n')).toBeLessThanOrEqual(TRACE_ADD_AT_MOST);
  });

  it(`trace.delete of such a trace runs at most ${TRACE_DELETE_AT_MOST}`, async () => {
    const id = await addTrace(3);
    const statements = await statementsOf(async () => {
      const answer = await callJson(server, 'crm.tracking.trace.delete', { id });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body.result).toBe(null);
    });
    expect(statements.length, statements.join('\n')).toBeLessThanOrEqual(TRACE_DELETE_AT_MOST);
  });

  it(`crm.lead.add with a contact and no UTM_SOURCE runs at most ${LEAD_ADD_WITH_CLIENT_AT_MOST}`, async () => {
    const add = async (n: number) => {
      const answer = await callJson(server, 'crm.lead.add', { fields: { TITLE: `Lead ${n}`, CONTACT_ID: items.contactId } });
      expect(answer.status, answer.text).toBe(200);
    };
    await add(0);
    const statements = await statementsOf(async () => add(1));
    expect(statements.length, statements.join('\n')).toBeLessThanOrEqual(LEAD_ADD_WITH_CLIENT_AT_MOST);
  });

  // A run of trace.add rows in one batch (src/tracking/traceRun.ts): the webhook cache's change
  // token; BEGIN; the sources' state once for the run (the later rows keep the first row's
  // matcher: nothing but checks ran since); the savepoint of the run's write, the contact held
  // once, one multi-row insert each for the traces (with their previous ones), tree rows,
  // channels and bindings, the UTM check, RELEASE; COMMIT. (16 before issue 17's second round:
  // the token was read again for every row.)
  const BATCH_OF_FIVE_AT_MOST = 12;
  it(`a batch of 5 trace.add rows runs at most ${BATCH_OF_FIVE_AT_MOST}`, async () => {
    const cmd: Record<string, string> = {};
    for (let i = 0; i < 5; i++) {
      cmd[`row${i}`] = `crm.tracking.trace.add?${new URLSearchParams({ TRACE: benchTraceJson(100 + i), 'ENTITIES[0][TYPE]': 'CONTACT', 'ENTITIES[0][ID]': String(items.contactId) })}`;
    }
    const batch = async () => {
      const answer = await callJson(server, 'batch', { halt: 1, cmd });
      expect(answer.status, answer.text).toBe(200);
      expect(answer.body.result.result_error).toEqual([]);
      expect(Object.values(answer.body.result.result).every((id) => typeof id === 'number')).toBe(true);
    };
    await batch();
    const statements = await statementsOf(batch);
    expect(statements.length, statements.join('\n')).toBeLessThanOrEqual(BATCH_OF_FIVE_AT_MOST);
  });
});
