// A batch's rows in one database transaction (src/db/dialects/heldTransaction.ts): on SQLite one
// COMMIT and one sync per batch, with each row's own transaction a savepoint. The answers must be
// exactly those of rows that commit one by one (PostgreSQL still runs them so): a failing row is
// undone alone, the others keep their writes, other requests still succeed, and a batch whose
// COMMIT fails answers an error rather than listing rows as done.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { GroupCommit } from '../../src/db/dialects/groupCommit.js';
import { crmSnapshot, ok, userWithGrants } from '../crm/helpers.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { HeldSyncs } from '../helpers/heldSyncs.js';
import { callJson, type TestServer, startTestServer } from '../helpers/server.js';
import { expectIntegrity, trackingCounts } from '../tracking/helpers.js';

const onSqlite = TEST_DIALECT === 'sqlite';
const syncs = new HeldSyncs();
/** The answer crm.{type}.add gives for a TRACE nested too deep (the registry's TRACE_TOO_DEEP). */
const TRACE_MESSAGES = { tooDeep: 'Parameter `TRACE` nests `previous` traces deeper than 3 levels.' };
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ syncLog: syncs.sync });
});
afterAll(async () => {
  await server.close();
});

const markedTrace = (marker: string) => JSON.stringify({ url: `https://${marker}.example/`, tags: { list: { utm_term: marker } } });
const traceRow = (marker: string) => `crm.tracking.trace.add?TRACE=${encodeURIComponent(markedTrace(marker))}`;

/** A TRACE nested deeper than allowed: crm.deal.add writes the deal, then its trace hook refuses it. */
function tooDeepTrace(): string {
  let trace: unknown = JSON.parse(markedTrace('deepest'));
  for (let level = 0; level < 4; level++) trace = { ...JSON.parse(markedTrace(`level${level}`)), previous: { list: [trace] } };
  return JSON.stringify(trace);
}

/** Traces whose tags carry the marker. */
async function tracesMarked(marker: string): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from tracking_traces where tags_json like ${`%"${marker}%`}`.execute(
    server.services.db,
  );
  return Number(rows[0].n);
}

function commitsSoFar(): number {
  return (server.services.durability as GroupCommit).commits;
}

describe('rows of one batch', () => {
  it('undo a row that fails after writing, and keep the rows before and after it', async () => {
    const deepTrace = tooDeepTrace();
    const crmBefore = await crmSnapshot(server);
    const before = await trackingCounts(server);
    const answer = await callJson(server, 'batch', {
      halt: 0,
      cmd: {
        first: traceRow('kept-first'),
        doomed: `crm.deal.add?fields[TITLE]=doomed&fields[TRACE]=${encodeURIComponent(deepTrace)}`,
        sql: 'salestrace.test.fail?key=sql',
        last: traceRow('kept-last'),
      },
    });
    expect(answer.status, answer.text).toBe(200);
    const result = answer.body.result;
    expect(Object.keys(result.result)).toEqual(['first', 'last']);
    expect(Number.isInteger(result.result.first) && Number.isInteger(result.result.last)).toBe(true);
    // The same row on its own fails the same way (and changes nothing either).
    const alone = await callJson(server, 'crm.deal.add', { fields: { TITLE: 'doomed', TRACE: deepTrace } });
    expect(alone.body).toEqual({ error: 'ERROR_CORE', error_description: TRACE_MESSAGES.tooDeep });
    const sqlAlone = await callJson(server, 'salestrace.test.fail', { key: 'sql' });
    expect(result.result_error).toEqual({ doomed: alone.body, sql: sqlAlone.body });
    // The deal row the failing row had written is gone, and so is any trace of it.
    expect(await crmSnapshot(server)).toEqual(crmBefore);
    expect(await trackingCounts(server)).toEqual({ ...before, traces: before.traces + 2, channels: before.channels + 2 });
    expect(await tracesMarked('kept-first')).toBe(1);
    expect(await tracesMarked('kept-last')).toBe(1);
    expect(await tracesMarked('level0')).toBe(0);
    await expectIntegrity(server.services.db);
    // A deal added afterwards works as usual.
    const deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'after the batch' } });
    expect(Number.isInteger(deal)).toBe(true);
  });

  it('refuse a trace.add whose entity the caller may not edit, alone', async () => {
    const deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'not yours' } });
    const reader = await userWithGrants(server, { DEAL: { READ: 'ALL', WRITE: 'NONE' } });
    const before = await trackingCounts(server);
    const denied = `${traceRow('denied')}&ENTITIES[0][TYPE]=DEAL&ENTITIES[0][ID]=${deal}`;
    const answer = await callJson(server, 'batch', { halt: 0, cmd: [traceRow('mine-1'), denied, traceRow('mine-2')] }, reader.base);
    expect(answer.status, answer.text).toBe(200);
    const alone = await callJson(
      server,
      'crm.tracking.trace.add',
      { TRACE: markedTrace('denied'), ENTITIES: [{ TYPE: 'DEAL', ID: deal }] },
      reader.base,
    );
    expect(alone.status).toBe(400);
    expect(answer.body.result.result_error).toEqual({ 1: alone.body });
    expect(Object.keys(answer.body.result.result)).toEqual(['0', '2']);
    expect(await trackingCounts(server)).toEqual({ ...before, traces: before.traces + 2, channels: before.channels + 2 });
    expect(await tracesMarked('denied')).toBe(0);
  });

  it('leave other requests issued meanwhile to succeed', async () => {
    const before = await trackingCounts(server);
    const cmd = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`r${i}`, traceRow(`meanwhile-batch-${i}`)]));
    const batch = callJson(server, 'batch', { halt: 1, cmd });
    const singles = Array.from({ length: 10 }, (_, i) =>
      callJson(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify({ url: `https://meanwhile-single-${i}.example/` }) }),
    );
    const time = callJson(server, 'server.time');
    const [batchAnswer, timeAnswer, ...singleAnswers] = await Promise.all([batch, time, ...singles]);
    expect(batchAnswer.status, batchAnswer.text).toBe(200);
    expect(batchAnswer.body.result.result_error).toEqual([]);
    expect(timeAnswer.status).toBe(200);
    expect(singleAnswers.map((answer) => answer.status)).toEqual(Array(10).fill(200));
    const ids = [...Object.values(batchAnswer.body.result.result), ...singleAnswers.map((answer) => answer.body.result)];
    expect(new Set(ids).size).toBe(60);
    expect((await trackingCounts(server)).traces).toBe(before.traces + 60);
  });
});

describe.runIf(onSqlite)('one transaction per batch on SQLite', () => {
  it('commits a batch of 50 trace.add rows once, and syncs once', async () => {
    await server.services.durability.afterWrites();
    const commits = commitsSoFar();
    const started = syncs.started;
    const cmd = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`r${i}`, traceRow(`once-${i}`)]));
    const answer = await callJson(server, 'batch', { halt: 1, cmd });
    expect(answer.status).toBe(200);
    expect(Object.keys(answer.body.result.result)).toHaveLength(50);
    expect(commitsSoFar() - commits).toBe(1);
    expect(syncs.started - started).toBe(1);
    // A single trace.add is a commit of its own, as before.
    await ok(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify({ url: 'https://single.example/' }) });
    expect(commitsSoFar() - commits).toBe(2);
  });

  it('answers an error and keeps no row when the COMMIT fails', async () => {
    const db = server.services.db;
    // A deferred foreign key is only checked at COMMIT: every row succeeds, the commit cannot.
    await sql`create temp table commit_parent (id integer primary key)`.execute(db);
    await sql`create temp table commit_child (parent_id integer references commit_parent (id) deferrable initially deferred)`.execute(db);
    await sql`create temp trigger commit_fails after insert on main.tracking_traces begin insert into commit_child values (-1); end`.execute(db);
    const before = await trackingCounts(server);
    const commits = commitsSoFar();
    let answer;
    let committed;
    try {
      answer = await callJson(server, 'batch', { halt: 0, cmd: [traceRow('uncommitted-1'), traceRow('uncommitted-2')] });
      committed = commitsSoFar() - commits;
    } finally {
      await sql`drop trigger temp.commit_fails`.execute(db);
    }
    expect(committed).toBe(0);
    const sqlError = await callJson(server, 'salestrace.test.fail', { key: 'sql' });
    expect([answer.status, answer.body]).toEqual([500, sqlError.body]);
    expect(await trackingCounts(server)).toEqual(before);
    expect(await tracesMarked('uncommitted')).toBe(0);
    // The next batch commits as usual.
    const next = await callJson(server, 'batch', { halt: 0, cmd: [traceRow('committed-after')] });
    expect(next.body.result.result_error).toEqual([]);
    expect(await tracesMarked('committed-after')).toBe(1);
  });
});
