// Baseline `raw-sqlite`: the limit for a durable trace write. A minimal node:http server that
// parses the same JSON body a crm.tracking.trace.add call carries (the body and the TRACE
// string inside it) and inserts one trace row and two binding rows with better-sqlite3 in one
// transaction. WAL, synchronous=FULL (SQLite syncs the WAL at every commit), foreign keys: the
// simplest durable server. Salestrace gives the same guarantee differently (src/db/dialects/
// sqlite.ts): synchronous=NORMAL, and every success answer waits for an fdatasync of the WAL
// begun after its commit, one shared by all the commits made before it began.
//   node bench/servers/raw-sqlite.mjs <database file> [FULL|NORMAL]
import Database from 'better-sqlite3';
import http from 'node:http';
import { listenAndAnnounce, readBody } from './listen.mjs';

const [file, synchronous = 'FULL'] = process.argv.slice(2);
if (!file || !['FULL', 'NORMAL'].includes(synchronous)) {
  console.error('usage: raw-sqlite.mjs <database file> [FULL|NORMAL]');
  process.exit(2);
}

const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma(`synchronous = ${synchronous}`);
db.pragma('foreign_keys = ON');
db.pragma('busy_timeout = 5000');
db.exec(`
  CREATE TABLE IF NOT EXISTS trace (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    date_create INTEGER NOT NULL,
    source_id INTEGER,
    is_mobile INTEGER NOT NULL,
    tags_raw TEXT NOT NULL,
    pages_raw TEXT NOT NULL,
    has_child INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS trace_entity (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    trace_id INTEGER NOT NULL REFERENCES trace (id),
    entity_type_id INTEGER NOT NULL,
    entity_id INTEGER NOT NULL,
    UNIQUE (trace_id, entity_type_id, entity_id)
  );
  CREATE INDEX IF NOT EXISTS trace_entity_item ON trace_entity (entity_type_id, entity_id);
`);

const insertTrace = db.prepare(
  'INSERT INTO trace (date_create, source_id, is_mobile, tags_raw, pages_raw, has_child) VALUES (?, ?, ?, ?, ?, ?)',
);
const insertBinding = db.prepare('INSERT INTO trace_entity (trace_id, entity_type_id, entity_id) VALUES (?, ?, ?)');
const ENTITY_TYPE_IDS = { LEAD: 1, DEAL: 2, CONTACT: 3, COMPANY: 4, QUOTE: 7 };
const UTM = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'];

const addTrace = db.transaction((trace, entities) => {
  const tags = {};
  for (const name of UTM) if (trace.tags?.list?.[name]) tags[name.toUpperCase()] = trace.tags.list[name];
  const pages = (trace.pages?.list ?? []).map(([url, ts, title]) => ({ URL: url, DATE_INSERT: ts, TITLE: title }));
  const hasChild = (trace.previous?.list?.length ?? 0) > 0 ? 1 : 0;
  const now = Math.floor(Date.now() / 1000);
  const { lastInsertRowid } = insertTrace.run(now, null, trace.device?.isMobile ? 1 : 0, JSON.stringify(tags), JSON.stringify(pages), hasChild);
  for (const entity of entities) insertBinding.run(lastInsertRowid, ENTITY_TYPE_IDS[entity.TYPE], Number(entity.ID));
  return Number(lastInsertRowid);
});

const HEADERS = { 'content-type': 'application/json; charset=utf-8' };

const server = http.createServer(async (request, response) => {
  try {
    const params = JSON.parse((await readBody(request)).toString('utf8'));
    const id = addTrace(JSON.parse(params.TRACE), params.ENTITIES);
    response.writeHead(200, HEADERS);
    response.end(`{"result":${id},"time":{"start":0,"finish":0,"duration":0,"processing":0}}`);
  } catch (error) {
    response.writeHead(400, HEADERS);
    response.end(JSON.stringify({ error: 'ERROR_CORE', error_description: String(error) }));
  }
});
listenAndAnnounce(server, () => db.close());
