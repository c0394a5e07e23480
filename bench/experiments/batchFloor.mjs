#!/usr/bin/env node
// The SQLite floor of a batch of 50 trace.add rows: what writing the rows such a batch writes
// costs on the server's connection with nothing else around it (no HTTP, no parsing, no checks).
// It starts the real server once on a fresh data directory, sends it one batch of the bench's
// rows (bench/traces.mjs), and stops it; then, in this process, it writes the same rows again and
// again with better-sqlite3 the way the server does (the same schema and pragmas, BEGIN IMMEDIATE,
// one multi-row insert per table, foreign keys on, one COMMIT per batch) and reports the main
// thread's CPU per trace. The sync of the WAL is left out: the server runs it off the main thread.
//   node bench/experiments/batchFloor.mjs [--batches 400] [--drop-index NAME ...]
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { armDeadline, installExitHandlers } from '../lib/children.mjs';
import { callBatch, callRest } from '../lib/rest.mjs';
import { startSalestrace } from '../lib/servers.mjs';
import { makeWorkDir } from '../lib/workDir.mjs';
import { batchRow, traceAddParams } from '../traces.mjs';

installExitHandlers();
armDeadline(5 * 60_000, 'the batch floor experiment');

const { values } = parseArgs({ options: { batches: { type: 'string', default: '400' }, 'drop-index': { type: 'string', multiple: true, default: [] }, 'per-commit': { type: 'string', default: '1' } } });
const PER_COMMIT = Number(values['per-commit']);
const BATCHES = Number(values.batches);
const ROWS = 50;

const { dir: work } = makeWorkDir('batch-floor');
const dataDir = path.join(work, 'data');
const server = await startSalestrace('salestrace', dataDir);
const contactId = (await callRest(server.webhookUrl, 'crm.contact.add', { fields: { NAME: 'Floor' } })).result;
const dealId = (await callRest(server.webhookUrl, 'crm.deal.add', { fields: { TITLE: 'Floor', CONTACT_ID: contactId } })).result;
// crm.deal.add with a contact may write traces of its own (the attribution window): the
// templates are the rows the batch wrote, after these.
const before = new Database(path.join(dataDir, 'salestrace.db'), { readonly: true });
const lastBefore = before.prepare('select coalesce(max(id), 0) as id from tracking_traces').get().id;
before.close();
const rows = Array.from({ length: ROWS }, (_, k) => batchRow('crm.tracking.trace.add', traceAddParams(k, { contactId, dealId })));
await callBatch(server.webhookUrl, rows);
await server.stop();

const db = new Database(path.join(dataDir, 'salestrace.db'));
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('foreign_keys = ON');
db.pragma('temp_store = MEMORY');
// What an index costs the batch: --drop-index NAME writes without it.
for (const index of values['drop-index']) db.exec(`drop index "${index}"`);

// The rows one batch wrote, as templates: the traces in ID order, each with its tree row,
// channels and bindings given by position in the batch.
const traces = db.prepare('select created_at, source_id, is_mobile, tags_json, pages_json, created_by, bound from tracking_traces where id > ? order by id').raw().all(lastBefore);
const firstId = lastBefore + 1;
const position = (id) => id - firstId;
const tree = db.prepare('select parent_id, child_id from tracking_trace_tree where parent_id > ? order by id').raw().all(lastBefore).map(([p, c]) => [position(p), position(c)]);
const channels = db.prepare('select trace_id, code, value from tracking_trace_channels where trace_id > ? order by id').raw().all(lastBefore).map(([t, code, value]) => [position(t), code, value]);
const bindings = db.prepare('select trace_id, entity_type_id, entity_id from tracking_trace_items where trace_id > ? order by id').raw().all(lastBefore).map(([t, type, id]) => [position(t), type, id]);

function multiRowInsert(table, columns, count, tail = '') {
  const row = `(${columns.map(() => '?').join(', ')})`;
  return db.prepare(`insert into "${table}" (${columns.map((c) => `"${c}"`).join(', ')}) values ${Array(count).fill(row).join(', ')}${tail}`);
}
const insertTraces = multiRowInsert('tracking_traces', ['created_at', 'source_id', 'is_mobile', 'tags_json', 'pages_json', 'created_by', 'bound'], traces.length, ' returning "id"');
const insertTree = multiRowInsert('tracking_trace_tree', ['parent_id', 'child_id'], tree.length);
const insertChannels = multiRowInsert('tracking_trace_channels', ['trace_id', 'code', 'value'], channels.length, ' on conflict ("trace_id", "code") do nothing');
const insertBindings = multiRowInsert('tracking_trace_items', ['trace_id', 'entity_type_id', 'entity_id'], bindings.length, ' on conflict do nothing');
const begin = db.prepare('begin immediate');
const commit = db.prepare('commit');

/** Writes one batch's rows in one transaction; returns the CPU its COMMIT took, in µs. */
function writeBatch(at) {
  if (at % PER_COMMIT === 0) begin.run();
  const ids = insertTraces.all(traces.flat()).map((row) => row.id).sort((a, b) => a - b);
  insertTree.run(tree.flatMap(([p, c]) => [ids[p], ids[c]]));
  insertChannels.run(channels.flatMap(([t, code, value]) => [ids[t], code, value]));
  insertBindings.run(bindings.flatMap(([t, type, id]) => [ids[t], type, id]));
  if (at % PER_COMMIT !== PER_COMMIT - 1) return 0;
  const beforeCommit = process.cpuUsage();
  commit.run();
  const spent = process.cpuUsage(beforeCommit);
  return spent.user + spent.system;
}

for (let i = 0; i < 20 * PER_COMMIT; i++) writeBatch(i); // warm the page cache and the statements
db.pragma('wal_checkpoint(TRUNCATE)');
let commitMicros = 0;
let checkpointMicros = 0;
const started = process.cpuUsage();
for (let i = 0; i < BATCHES; i++) {
  commitMicros += writeBatch(i);
  // The server's checkpoint thread keeps the WAL short; do the same, off the count.
  if (i % 50 === 49 && i % PER_COMMIT === PER_COMMIT - 1) {
    const paused = process.cpuUsage();
    db.pragma('wal_checkpoint(PASSIVE)');
    const checkpoint = process.cpuUsage(paused);
    checkpointMicros += checkpoint.user + checkpoint.system;
  }
}
const used = process.cpuUsage(started);
const perTrace = (used.user + used.system - checkpointMicros) / (BATCHES * ROWS);
console.log(
  `${BATCHES} batches of ${ROWS} trace.add rows (${traces.length} trace rows, ${tree.length} tree rows, ${channels.length} channels, ${bindings.length} bindings a batch): ` +
    `${perTrace.toFixed(1)} µs of main-thread CPU per trace, of which COMMIT ${(commitMicros / (BATCHES * ROWS)).toFixed(1)} µs`,
);
db.close();
fs.rmSync(work, { recursive: true, force: true });
