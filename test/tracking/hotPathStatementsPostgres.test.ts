// How many round trips to PostgreSQL one crm.tracking.trace.add makes (issue 16), the PostgreSQL
// counterpart of hotPathStatements.test.ts: on PostgreSQL every statement is a round trip over
// the socket, and that, more than the work in it, is what a call costs there. A change that adds
// one back (a lock per item instead of one per statement, a second change-token read, a read of
// something cached) fails here. Counted by wrapping node-postgres's Client.query in this process,
// around one call at a time; the portal switch's read (once a second, not per request) is left out.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PORTAL_CLOSED_SETTING } from '../../src/system/portalState.js';
import { LISTENER_NAME } from '../../src/db/dialects/postgresChangeSignal.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { addBoundTrace, makeBoundItems, type BoundItems } from './hotPathTrace.js';

const onPostgres = process.env.TEST_DB === 'postgres';

interface Sent {
  readonly text: string;
  /** Sent as a named prepared statement (parsed once per connection). */
  readonly named: boolean;
  readonly parameters: number;
  /** On the change signal's listening connection rather than the pool. */
  readonly listener: boolean;
}

type Query = (this: pg.Client, ...args: unknown[]) => unknown;
const clientPrototype = pg.Client.prototype as unknown as { query: Query };
const originalQuery = clientPrototype.query;
const sent: Sent[] = [];
let counting = false;

function startCounting(): void {
  clientPrototype.query = function (this: pg.Client, ...args: unknown[]) {
    const [first, second] = args;
    const config: { text: string; name?: string; values?: unknown } = typeof first === 'string' ? { text: first, values: second } : (first as { text: string; name?: string; values?: unknown[] });
    const values = Array.isArray(config.values) ? config.values : [];
    const listener = (this as unknown as { connectionParameters: { application_name?: string } }).connectionParameters.application_name === LISTENER_NAME;
    if (counting && !values.includes(PORTAL_CLOSED_SETTING)) {
      sent.push({ text: config.text.replace(/\s+/g, ' ').trim(), named: typeof config.name === 'string', parameters: values.length, listener });
    }
    return originalQuery.apply(this, args);
  };
}

async function sentDuring(call: () => Promise<void>): Promise<Sent[]> {
  sent.length = 0;
  counting = true;
  try {
    await call();
  } finally {
    counting = false;
  }
  return [...sent];
}

let server: TestServer;
let items: BoundItems;
beforeAll(async () => {
  if (!onPostgres) return;
  startCounting();
  // No event delivery: its sender polls the outbox in the background, which is not the call's cost.
  server = await startTestServer({ config: { eventDelivery: false } });
  items = await makeBoundItems(server);
});
afterAll(async () => {
  if (!onPostgres) return;
  await server.close();
  clientPrototype.query = originalQuery;
});

function addTrace(i: number): Promise<number> {
  return addBoundTrace(server, items, i);
}

// One change-token read for the whole request (the credentials' and the source matcher's
// caches); the operating-time read; BEGIN and COMMIT; both items held in one statement; the trace
// and its previous trace in one insert; their tree row; their channels; the bindings; the items'
// UTM rows, which the first calls wrote, so no item is locked for the UTM copy. (15 before: a
// change-token read per cache and a lock statement per item, twice; 12 while the copy locked the
// items every time; 11 while each trace of a tree had its own insert.)
const TRACE_ADD_AT_MOST = 10;

describe.skipIf(!onPostgres)('round trips per call on PostgreSQL', () => {
  it(`trace.add of a trace with a previous one, bound to a contact and a deal, makes at most ${TRACE_ADD_AT_MOST}`, async () => {
    // Warm: the first calls fill the caches (webhook, sources) and prepare the statements.
    await addTrace(0);
    await addTrace(1);
    const statements = await sentDuring(async () => void (await addTrace(2)));
    const listing = statements.map((s) => `${s.listener ? '[listener] ' : ''}${s.named ? '[named] ' : ''}${s.text}`).join('\n');
    expect(statements.length, listing).toBeLessThanOrEqual(TRACE_ADD_AT_MOST);
    // The change token is read once, on the listening connection, and serves both caches.
    expect(statements.filter((s) => s.listener).map((s) => s.text), listing).toEqual(['select 1']);
    // Every statement with values is a prepared one, parsed once per connection, not per call.
    expect(statements.filter((s) => s.parameters > 0 && !s.named).map((s) => s.text), listing).toEqual([]);
  });

  it('the rows a trace.add writes are the same as before: the trace, its previous one, the tree, the bindings', async () => {
    const id = await addTrace(3);
    const db = server.services.db;
    const tree = await db.selectFrom('tracking_trace_tree').select(['parent_id', 'child_id']).where('parent_id', '=', id).execute();
    expect(tree).toEqual([{ parent_id: id, child_id: id - 1 }]);
    const bindings = await db
      .selectFrom('tracking_trace_items')
      .select(['trace_id', 'entity_type_id', 'entity_id'])
      .where('trace_id', 'in', [id - 1, id])
      .orderBy('id')
      .execute();
    // In the order ENTITIES names the items; for each, the previous trace first and the trace last.
    expect(bindings).toEqual([
      { trace_id: id - 1, entity_type_id: 3, entity_id: items.contactId },
      { trace_id: id, entity_type_id: 3, entity_id: items.contactId },
      { trace_id: id - 1, entity_type_id: 2, entity_id: items.dealId },
      { trace_id: id, entity_type_id: 2, entity_id: items.dealId },
    ]);
  });
});
