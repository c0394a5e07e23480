// Crash durability (issue 5): a real `serve` child takes concurrent crm.tracking.trace.add,
// batches of them, and crm.contact.add-with-TRACE load and is killed with SIGKILL in the middle
// of it, several times, on the same data directory. After every restart each trace whose ID was
// answered must be there and whole, and nothing may be half-written: a trace exists with all its
// previous traces, channels and bindings or not at all, a contact exists exactly when its trace
// does, and (SQLite, one transaction per batch) an unanswered batch is there whole or not at all.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPostgres } from '../../src/db/dialects/postgres.js';
import { openSqlite } from '../../src/db/dialects/sqlite.js';
import type { Database } from '../../src/db/schema.js';
import { databaseUrlFor, removeTempDataDir, tempDataDir, type ServeProcess } from '../cli/spawn.js';
import { callOk, killableServer } from './killableServer.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { integrityProblems } from '../tracking/helpers.js';
import { markedTrace, readAllTraces, strayTraces, wholenessProblems, type Expected } from './traceModel.js';

const dataDir = await tempDataDir();
const server = killableServer(dataDir);
afterAll(async () => {
  for (const serve of server.running) serve.child.kill('SIGKILL');
  await removeTempDataDir(dataDir);
});

/** The database the killed server wrote to, opened afresh as a restarted process would. */
async function openWritten() {
  const url = databaseUrlFor(dataDir);
  return url ? openPostgres<Database>(url) : openSqlite<Database>(path.join(dataDir, 'salestrace.db'));
}

const CONTACT = 3;
const DEAL = 2;
const WORKERS = 8;

interface Request {
  readonly marker: string;
  readonly kind: 'trace' | 'contact';
  readonly previous: number;
  /** `type:id` of the items the trace should be bound to (a contact's own is added when known). */
  readonly items: string[];
  /** The answered ID: the trace's for `trace`, the contact's for `contact`. */
  answered?: number;
  /** Set on the rows of one `batch` call: they are written together or not at all. */
  readonly batch?: string;
}

const requests: Request[] = [];


/** A trace.add, or a contact.add with a TRACE; false when the server died before answering it. */
async function oneWrite(base: string, n: number, items: string[]): Promise<boolean> {
  const kind = n % 4 === 3 ? 'contact' : 'trace';
  const request: Request = { marker: `k${n}`, kind, previous: n % 3, items: [items[n % items.length], items[(n + 1) % items.length]] };
  requests.push(request);
  const trace = JSON.stringify(markedTrace(request.marker, request.previous));
  try {
    if (kind === 'trace') {
      const entities = request.items.map((item) => ({ TYPE: item.startsWith(`${CONTACT}:`) ? 'CONTACT' : 'DEAL', ID: Number(item.split(':')[1]) }));
      request.answered = await callOk(base, 'crm.tracking.trace.add', { TRACE: trace, ENTITIES: entities });
    } else {
      request.items.length = 0;
      request.answered = await callOk(base, 'crm.contact.add', { fields: { NAME: request.marker, TRACE: trace, UTM_MEDIUM: 'crash' } });
    }
  } catch {
    return false;
  }
  return true;
}

const BATCH_ROWS = 3;
const batchProblems: string[] = [];

/** A `batch` of trace.add rows; false when the server died before answering it. */
async function batchOfTraces(base: string, n: number, items: string[]): Promise<boolean> {
  const rows: Request[] = Array.from({ length: BATCH_ROWS }, (_, j) => ({
    marker: `k${n}b${j}`,
    kind: 'trace',
    previous: j % 3,
    items: [items[(n + j) % items.length]],
    batch: `k${n}`,
  }));
  requests.push(...rows);
  const cmd = rows.map((row) => {
    const [type, id] = row.items[0].split(':');
    const entities = `ENTITIES[0][TYPE]=${type === String(CONTACT) ? 'CONTACT' : 'DEAL'}&ENTITIES[0][ID]=${id}`;
    return `crm.tracking.trace.add?TRACE=${encodeURIComponent(JSON.stringify(markedTrace(row.marker, row.previous)))}&${entities}`;
  });
  let result;
  try {
    result = await callOk(base, 'batch', { halt: 1, cmd });
  } catch {
    return false;
  }
  if (JSON.stringify(result.result_error) !== '[]') batchProblems.push(`batch k${n}: ${JSON.stringify(result.result_error)}`);
  rows.forEach((row, j) => (row.answered = result.result[j]));
  return true;
}

/** Runs WORKERS loops of writes until the server dies; kills it once `killAfter` writes were answered. */
async function loadUntilKilled(serve: ServeProcess, base: string, items: string[], killAfter: number): Promise<number> {
  let answered = 0;
  let killed = false;
  const exited = new Promise<void>((resolve) => serve.child.once('exit', () => resolve()));
  const worker = async () => {
    while (!killed) {
      const n = requests.length;
      const written = n % 8 === 1 ? await batchOfTraces(base, n, items) : await oneWrite(base, n, items);
      // The connection died with the server: that write may or may not have happened.
      if (!written) return;
      answered++;
      if (answered === killAfter && !killed) {
        killed = true;
        serve.child.kill('SIGKILL');
      }
    }
  };
  await Promise.all(Array.from({ length: WORKERS }, worker));
  await exited;
  server.reaped(serve);
  return answered;
}

/** Checks the database after a restart; returns how many traces were answered so far. */
async function verify(base: string): Promise<void> {
  const opened = await openWritten();
  try {
    const db = opened.db;
    expect(await integrityProblems(db)).toEqual([]);
    const all = await readAllTraces(db);
    const contacts = new Map(
      (await db.selectFrom('crm_contact').select(['id', 'name']).execute()).map((row) => [row.name as string, row.id]),
    );
    const problems: string[] = [];
    for (const request of requests) {
      const mains = [...all.values()].filter((row) => row.marker === request.marker);
      let expected: Expected;
      if (request.kind === 'contact') {
        const contactId = contacts.get(request.marker);
        // The contact and its trace were one transaction: both or neither.
        if ((contactId === undefined) !== (mains.length === 0)) problems.push(`${request.marker}: contact ${contactId}, ${mains.length} traces`);
        if (request.answered !== undefined && contactId !== request.answered) problems.push(`${request.marker}: answered contact ${request.answered} is ${contactId}`);
        expected = { previous: request.previous, channels: ['site-domain', 'form', 'rest'], bindings: contactId ? [`${CONTACT}:${contactId}`] : [] };
      } else {
        if (request.answered !== undefined && mains[0]?.id !== request.answered) problems.push(`${request.marker}: answered trace ${request.answered} is missing`);
        expected = { previous: request.previous, channels: ['site-domain', 'form'], bindings: request.items };
      }
      problems.push(...wholenessProblems(all, request.marker, expected));
    }
    // On SQLite a batch is one transaction: an unanswered one was written whole or not at all.
    if (TEST_DIALECT === 'sqlite') {
      for (const batch of new Set(requests.flatMap((r) => (r.batch ? [r.batch] : [])))) {
        const rows = requests.filter((r) => r.batch === batch);
        const written = rows.filter((r) => [...all.values()].some((row) => row.marker === r.marker)).length;
        if (written !== 0 && written !== rows.length) problems.push(`batch ${batch}: ${written} of ${rows.length} rows written`);
      }
    }
    // Every trace row belongs to a request (the items were made with crm.item.add: no traces).
    problems.push(...strayTraces(all, new Set(requests.map((r) => r.marker))).map((id) => `stray trace ${id}`));
    expect([...batchProblems, ...problems]).toEqual([]);
    // Answered contacts carry their UTM value.
    const utm = await db.selectFrom('crm_utm').select(['entity_id', 'value']).where('entity_type_id', '=', CONTACT).where('code', '=', 'UTM_MEDIUM').execute();
    const withUtm = new Set(utm.filter((row) => row.value === 'crash').map((row) => row.entity_id));
    for (const [name, id] of contacts) if (name.startsWith('k')) expect(withUtm.has(id), name).toBe(true);
  } finally {
    await opened.close();
  }
  // The server that now runs on this data agrees through REST.
  const answered = requests.filter((r) => r.kind === 'trace' && r.answered !== undefined);
  for (let i = 0; i < answered.length; i += 50) {
    const cmd = Object.fromEntries(answered.slice(i, i + 50).map((r) => [r.marker, `salestrace.trace.get?id=${r.answered}`]));
    const result = await callOk(base, 'batch', { halt: 0, cmd });
    expect(result.result_error).toEqual([]);
    for (const r of answered.slice(i, i + 50)) {
      expect(result.result[r.marker]).toMatchObject({ ID: r.answered, TAGS: { UTM_TERM: r.marker }, PREVIOUS_IDS: expect.any(Array) });
      expect(result.result[r.marker].PREVIOUS_IDS).toHaveLength(r.previous);
    }
  }
}

describe('SIGKILL in the middle of trace writes', () => {
  it('loses no answered trace and leaves none half-written, over several kill points', async () => {
    let { serve, base } = await server.start();
    const items: string[] = [];
    for (const killAfter of [3, 30, 90]) {
      // A few new items each round, made without traces.
      for (let i = 0; i < 2; i++) {
        const contact = await callOk(base, 'crm.item.add', { entityTypeId: CONTACT, fields: { name: `item${items.length}` } });
        const deal = await callOk(base, 'crm.item.add', { entityTypeId: DEAL, fields: { title: `item${items.length}` } });
        items.push(`${CONTACT}:${contact.item.id}`, `${DEAL}:${deal.item.id}`);
      }
      const answered = await loadUntilKilled(serve, base, items, killAfter);
      expect(answered).toBeGreaterThanOrEqual(killAfter);
      ({ serve, base } = await server.start());
      await verify(base);
    }
    // Some writes were in flight at each kill; everything answered is accounted for above.
    expect(requests.filter((r) => r.answered !== undefined).length).toBeGreaterThanOrEqual(123);
    await serve.stop();
    server.reaped(serve);
  }, 60_000);
});
