// "A success answer means the write is durable" under group commit (src/db/dialects/sqlite.ts):
// the server commits with synchronous=NORMAL and holds each answer until a sync of the log
// begun after its commit has finished. The sync here is one the test holds (HeldSyncs), so it
// can see answers wait, commits share syncs, a batch wait once, and a failed sync refuse success.
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECT } from '../helpers/database.js';
import { HeldSyncs } from '../helpers/heldSyncs.js';
import { callJson, startTestServer, type HttpAnswer, type TestServer } from '../helpers/server.js';

const onSqlite = TEST_DIALECT === 'sqlite';

async function traceCount(server: TestServer): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from tracking_traces`.execute(server.services.db);
  return Number(rows[0].n);
}

async function until(condition: () => Promise<boolean> | boolean, what: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Whether a promise is still pending after the server had time to answer. */
async function stillPending(promise: Promise<unknown>, ms = 300): Promise<boolean> {
  const marker = Symbol('pending');
  const first = await Promise.race([promise, new Promise((resolve) => setTimeout(() => resolve(marker), ms))]);
  return first === marker;
}

function addTrace(server: TestServer, n: number): Promise<HttpAnswer> {
  return callJson(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify({ url: `https://durable${n}.example/` }) });
}

describe.runIf(onSqlite)('answers wait for the sync that covers their commit', () => {
  const syncs = new HeldSyncs();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ syncLog: syncs.sync });
    // Setting up the administrator committed before any test holds the syncs.
    await server.services.durability.afterWrites();
  });
  afterEach(() => syncs.letGo());
  afterAll(async () => {
    await server.close();
  });

  it('sends a write’s success only after the sync, though the row is committed before it', async () => {
    syncs.hold();
    const before = await traceCount(server);
    const startedBefore = syncs.started;
    const answer = addTrace(server, 1);
    await until(async () => (await traceCount(server)) === before + 1, 'the trace is committed');
    expect(await stillPending(answer)).toBe(true);
    expect(syncs.started - startedBefore).toBe(1);
    syncs.releaseOne();
    const answered = await answer;
    expect(answered.status).toBe(200);
    expect(answered.body.result).toBeGreaterThan(0);
    expect(syncs.started - startedBefore).toBe(1);
  });

  it('answers a read at once when every commit is already synced', async () => {
    syncs.hold();
    const startedBefore = syncs.started;
    const answer = await callJson(server, 'server.time');
    expect(answer.status).toBe(200);
    expect(typeof answer.body.result).toBe('string');
    expect(syncs.started).toBe(startedBefore);
  });

  it('holds a read back while a commit it may have seen is not yet synced', async () => {
    syncs.hold();
    const write = addTrace(server, 2);
    await until(() => syncs.waiting === 1, 'the write waits for its sync');
    const read = callJson(server, 'server.time');
    expect(await stillPending(read)).toBe(true);
    syncs.releaseOne();
    expect((await write).status).toBe(200);
    expect((await read).status).toBe(200);
  });

  it('lets concurrent writes share syncs: 20 trace.add calls, 2 syncs', async () => {
    syncs.hold();
    const before = await traceCount(server);
    const startedBefore = syncs.started;
    const answers = Array.from({ length: 20 }, (_, i) => addTrace(server, 100 + i));
    // The first answer's sync is held; the others commit meanwhile and wait for the next one.
    await until(async () => (await traceCount(server)) === before + 20, 'all 20 traces are committed');
    expect(syncs.waiting).toBe(1);
    syncs.releaseOne();
    await until(() => syncs.waiting === 1, 'one more sync covers the rest');
    syncs.releaseOne();
    const answered = await Promise.all(answers);
    expect(answered.map((answer) => answer.status)).toEqual(Array(20).fill(200));
    expect(new Set(answered.map((answer) => answer.body.result)).size).toBe(20);
    expect(syncs.started - startedBefore).toBe(2);
  });

  it('makes a batch of 50 trace.add rows wait once, at the end', async () => {
    syncs.hold();
    const before = await traceCount(server);
    const startedBefore = syncs.started;
    const cmd: Record<string, string> = {};
    for (let i = 0; i < 50; i++) cmd[`row${i}`] = `crm.tracking.trace.add?TRACE=${encodeURIComponent(JSON.stringify({ url: `https://row${i}.example/` }))}`;
    const answer = callJson(server, 'batch', { halt: 1, cmd });
    await until(async () => (await traceCount(server)) === before + 50, 'the 50 rows are committed');
    expect(await stillPending(answer)).toBe(true);
    expect(syncs.started - startedBefore).toBe(1);
    syncs.releaseOne();
    const answered = await answer;
    expect(answered.status).toBe(200);
    expect(Object.keys(answered.body.result.result)).toHaveLength(50);
    expect(answered.body.result.result_error).toEqual([]);
    expect(syncs.started - startedBefore).toBe(1);
  });
});

describe.runIf(onSqlite)('a failed sync', () => {
  const syncs = new HeldSyncs();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ syncLog: syncs.sync });
    await server.services.durability.afterWrites();
  });
  afterAll(async () => {
    syncs.letGo();
    await server.close();
  });

  it('turns the waiting success into a JSON error, and every later answer too', async () => {
    syncs.hold();
    const answer = addTrace(server, 1);
    await until(() => syncs.waiting === 1, 'the write waits for its sync');
    syncs.failOne(Object.assign(new Error('EIO: i/o error, fdatasync'), { code: 'EIO' }));
    const failed = await answer;
    const internalError = { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' };
    expect(failed.status).toBe(500);
    expect(failed.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(failed.body).toEqual(internalError);
    // The lost commit may be followed by others in the log: nothing after it is promised.
    const next = await addTrace(server, 2);
    expect([next.status, next.body]).toEqual([500, internalError]);
    const read = await callJson(server, 'server.time');
    expect([read.status, read.body]).toEqual([500, internalError]);
  });
});

describe.runIf(!onSqlite)('on PostgreSQL', () => {
  const syncs = new HeldSyncs();
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ syncLog: syncs.sync });
  });
  afterAll(async () => {
    syncs.letGo();
    await server.close();
  });

  it('answers a write without any sync of its own: its COMMIT is durable', async () => {
    syncs.hold();
    const answer = await addTrace(server, 1);
    expect(answer.status).toBe(200);
    expect(answer.body.result).toBeGreaterThan(0);
    expect(syncs.started).toBe(0);
  });
});
