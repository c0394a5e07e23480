// A checkpoint that fails with an I/O error (src/db/dialects/checkpointer.ts) is final, like a
// failed sync of the log (durableAnswers.test.ts): the disk lost writes SQLite believed it had
// made, so from then on no answer that follows a write may claim durability. The fault is made
// inside the checkpoint thread, where SQLite would raise it (CheckpointerOptions.faultSwitch).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECT } from '../helpers/database.js';
import { callJson, startTestServer, type HttpAnswer, type TestServer } from '../helpers/server.js';

const onSqlite = TEST_DIALECT === 'sqlite';
const internalError = { error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' };

function addTrace(server: TestServer, n: number): Promise<HttpAnswer> {
  return callJson(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify({ url: `https://checkpoint${n}.example/` }) });
}

describe.runIf(onSqlite)('a checkpoint that fails with an I/O error', () => {
  const faults = new Int32Array(new SharedArrayBuffer(4));
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer({ checkpointFaults: faults });
    await server.services.durability.afterWrites();
  });
  afterAll(async () => {
    Atomics.store(faults, 0, 0);
    await server.close();
  });

  it('turns every later answer into the JSON error a failed sync gives, for good', async () => {
    // Checkpoints succeed while the switch is off.
    for (let n = 0; n < 3; n++) {
      const answer = await addTrace(server, n);
      expect([answer.status, typeof answer.body.result]).toEqual([200, 'number']);
    }
    Atomics.store(faults, 0, 1);
    // Writes go on until the thread's failed checkpoint has been reported; answers given before
    // that are still true (their log was synced), so each is a trace ID or the error.
    let n = 3;
    const deadline = Date.now() + 10_000;
    for (;;) {
      const answer = await addTrace(server, n++);
      if (answer.status === 500) {
        expect(answer.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(answer.body).toEqual(internalError);
        break;
      }
      expect([answer.status, typeof answer.body.result]).toEqual([200, 'number']);
      if (Date.now() > deadline) throw new Error('no answer failed after the checkpoint fault');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Final, as after a failed sync: a write and a read both answer the error, even once the
    // disk would work again, until the server is restarted.
    Atomics.store(faults, 0, 0);
    const next = await addTrace(server, n++);
    expect([next.status, next.body]).toEqual([500, internalError]);
    const read = await callJson(server, 'server.time');
    expect([read.status, read.body]).toEqual([500, internalError]);
    // The failed answers' traces were committed all the same: only the promise is withdrawn.
    const { rows } = await sql<{ n: number }>`select count(*) as n from tracking_traces`.execute(server.services.db);
    expect(Number(rows[0].n)).toBe(n);
  });
});
