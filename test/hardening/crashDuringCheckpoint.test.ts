// SIGKILL while a checkpoint runs (issue 17). The server checkpoints SQLite's log on a worker
// thread with its own connection (src/db/dialects/checkpointer.ts), and only that thread writes
// the database file itself: the serving connection writes the log alone. So the moment the
// database file changes under load, a checkpoint is copying the log into it; the test kills the
// server right then, several times on the same data directory, and after every restart checks
// that each trace whose ID was answered is there and whole, and no trace is half-written.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqlite } from '../../src/db/dialects/sqlite.js';
import type { Database } from '../../src/db/schema.js';
import { removeTempDataDir, tempDataDir, type ServeProcess } from '../cli/spawn.js';
import { callOk, killableServer } from './killableServer.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { integrityProblems } from '../tracking/helpers.js';
import { markedTrace, readAllTraces, strayTraces, wholenessProblems } from './traceModel.js';

const dataDir = await tempDataDir();
const databaseFile = path.join(dataDir, 'salestrace.db');
const server = killableServer(dataDir);
afterAll(async () => {
  for (const serve of server.running) serve.child.kill('SIGKILL');
  await removeTempDataDir(dataDir);
});

const CONTACT = 3;
const WORKERS = 8;

interface Written {
  readonly marker: string;
  readonly previous: number;
  readonly item: string;
  answered?: number;
}

const writes: Written[] = [];


/**
 * Writes traces from WORKERS loops; once `armAfter` were answered, watches the database file
 * and kills the server at its first change, i.e. while a checkpoint writes it.
 */
async function loadUntilKilledInCheckpoint(serve: ServeProcess, base: string, item: string, armAfter: number): Promise<{ answered: number; killedBy: string }> {
  let answered = 0;
  let killed = false;
  let killedBy = '';
  let watcher: fs.FSWatcher | null = null;
  const exited = new Promise<void>((resolve) => serve.child.once('exit', () => resolve()));
  const kill = (reason: string) => {
    if (killed) return;
    killed = true;
    killedBy = reason;
    serve.child.kill('SIGKILL');
    watcher?.close();
  };
  const worker = async () => {
    while (!killed) {
      const written: Written = { marker: `c${writes.length}`, previous: writes.length % 3, item };
      writes.push(written);
      try {
        const trace = JSON.stringify(markedTrace(written.marker, written.previous));
        written.answered = await callOk(base, 'crm.tracking.trace.add', { TRACE: trace, ENTITIES: [{ TYPE: 'CONTACT', ID: Number(item.split(':')[1]) }] });
      } catch {
        // The connection died with the server: that write may or may not have happened.
        return;
      }
      answered++;
      if (answered === armAfter) watcher = fs.watch(databaseFile, () => kill('checkpoint'));
    }
  };
  const noCheckpoint = setTimeout(() => kill('no checkpoint within 30 s'), 30_000);
  await Promise.all(Array.from({ length: WORKERS }, worker));
  clearTimeout(noCheckpoint);
  await exited;
  server.reaped(serve);
  return { answered, killedBy };
}

async function verify(): Promise<void> {
  const opened = openSqlite<Database>(databaseFile);
  try {
    expect(await integrityProblems(opened.db)).toEqual([]);
    const all = await readAllTraces(opened.db);
    const problems: string[] = [];
    for (const written of writes) {
      const mains = [...all.values()].filter((row) => row.marker === written.marker);
      if (written.answered !== undefined && mains[0]?.id !== written.answered) problems.push(`${written.marker}: answered trace ${written.answered} is missing`);
      problems.push(...wholenessProblems(all, written.marker, { previous: written.previous, channels: ['site-domain', 'form'], bindings: [written.item] }));
    }
    problems.push(...strayTraces(all, new Set(writes.map((w) => w.marker))).map((id) => `stray trace ${id}`));
    expect(problems).toEqual([]);
  } finally {
    await opened.close();
  }
}

describe.skipIf(TEST_DIALECT !== 'sqlite')('SIGKILL while the worker thread checkpoints the log', () => {
  it('loses no answered trace and leaves none half-written', async () => {
    let { serve, base } = await server.start();
    const contact = await callOk(base, 'crm.item.add', { entityTypeId: CONTACT, fields: { name: 'checkpoint' } });
    const item = `${CONTACT}:${contact.item.id}`;
    for (const armAfter of [50, 200, 400]) {
      const { answered, killedBy } = await loadUntilKilledInCheckpoint(serve, base, item, armAfter);
      expect(killedBy).toBe('checkpoint');
      expect(answered).toBeGreaterThanOrEqual(armAfter);
      await verify();
      ({ serve, base } = await server.start());
    }
    expect(writes.filter((w) => w.answered !== undefined).length).toBeGreaterThanOrEqual(650);
    await serve.stop();
    server.reaped(serve);
  }, 120_000);
});
