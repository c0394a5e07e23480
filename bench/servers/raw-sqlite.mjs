// Baseline `raw-sqlite`: the naive durable trace write. A minimal node:http server that parses
// the same JSON body a crm.tracking.trace.add call carries (the body and the TRACE string inside
// it) and inserts one trace row and two binding rows in one transaction (rawTraces.mjs). WAL,
// synchronous=FULL (SQLite syncs the WAL at every commit, one fsync per request), foreign keys:
// the simplest durable server. `raw-durable` keeps the same promise the way Salestrace does
// (shared syncs) and is the limit the trace targets compare with.
//   node bench/servers/raw-sqlite.mjs <database file> [FULL|NORMAL]
import http from 'node:http';
import { listenAndAnnounce, readBody } from './listen.mjs';
import { errorAnswer, HEADERS, openTraceStore, traceAnswer } from './rawTraces.mjs';

const [file, synchronous = 'FULL'] = process.argv.slice(2);
if (!file || !['FULL', 'NORMAL'].includes(synchronous)) {
  console.error('usage: raw-sqlite.mjs <database file> [FULL|NORMAL]');
  process.exit(2);
}

const store = openTraceStore(file, synchronous);

const server = http.createServer(async (request, response) => {
  try {
    const id = store.addTrace(JSON.parse((await readBody(request)).toString('utf8')));
    response.writeHead(200, HEADERS);
    response.end(traceAnswer(id));
  } catch (error) {
    response.writeHead(400, HEADERS);
    response.end(errorAnswer(error));
  }
});
listenAndAnnounce(server, () => store.db.close());
