// Baseline `raw-durable`: the limit for Salestrace's durability promise (a success answer means
// the write survives a power cut), kept the way Salestrace keeps it. The same trace write as
// raw-sqlite (rawTraces.mjs) with WAL and synchronous=NORMAL, so COMMIT only writes the log;
// each answer then waits for an fdatasync of the -wal file that started after its COMMIT. One
// sync runs at a time and covers every commit that finished before it started; commits made
// while it runs wait for the next one. A failed sync answers 500 to everyone from then on.
// Nothing else: no framework, no query builder, no checks beyond JSON.parse.
//   node bench/servers/raw-durable.mjs <database file>
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { listenAndAnnounce, readBody } from './listen.mjs';
import { errorAnswer, HEADERS, openTraceStore, traceAnswer } from './rawTraces.mjs';

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: raw-durable.mjs <database file>');
  process.exit(2);
}

const store = openTraceStore(file, 'NORMAL');
// The log exists once WAL mode is on; its name must survive a power cut too, hence the
// directory sync, once.
const wal = fs.openSync(`${file}-wal`, 'r');
const directory = fs.openSync(path.dirname(path.resolve(file)), 'r');
fs.fsyncSync(directory);
fs.closeSync(directory);

let committed = 0;
let durable = 0;
let syncing = false;
let failure = null;
let waiters = [];

function startSync() {
  if (syncing) return;
  syncing = true;
  const covers = committed;
  // fs.fdatasync runs on libuv's thread pool: the event loop keeps serving meanwhile.
  fs.fdatasync(wal, (error) => {
    syncing = false;
    const all = waiters;
    if (error) {
      failure = error;
      waiters = [];
      for (const waiter of all) waiter.fail(error);
      return;
    }
    durable = covers;
    waiters = [];
    for (const waiter of all) (waiter.upTo <= covers ? waiter.done() : waiters.push(waiter));
    if (waiters.length > 0) startSync();
  });
}

function afterCommit(done, fail) {
  if (failure) return fail(failure);
  if (durable >= committed) return done();
  waiters.push({ upTo: committed, done, fail });
  startSync();
}

const server = http.createServer(async (request, response) => {
  let id;
  try {
    id = store.addTrace(JSON.parse((await readBody(request)).toString('utf8')));
    committed++;
  } catch (error) {
    response.writeHead(400, HEADERS);
    response.end(errorAnswer(error));
    return;
  }
  afterCommit(
    () => {
      response.writeHead(200, HEADERS);
      response.end(traceAnswer(id));
    },
    (error) => {
      response.writeHead(500, HEADERS);
      response.end(errorAnswer(error));
    },
  );
});
listenAndAnnounce(server, () => {
  fs.closeSync(wal);
  store.db.close();
});
