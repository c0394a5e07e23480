// The trace write both raw baselines make (raw-sqlite, raw-durable): the same schema and the
// same three inserts (one trace row, two binding rows) in one transaction with better-sqlite3,
// from the body a crm.tracking.trace.add call carries.
import Database from 'better-sqlite3';

const ENTITY_TYPE_IDS = { LEAD: 1, DEAL: 2, CONTACT: 3, COMPANY: 4, QUOTE: 7 };
const UTM = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'];

export const HEADERS = { 'content-type': 'application/json; charset=utf-8' };

/** Opens `file` in WAL mode at the given `synchronous` level; `addTrace(params)` returns the new ID. */
export function openTraceStore(file, synchronous) {
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

  const insert = db.transaction((trace, entities) => {
    const tags = {};
    for (const name of UTM) if (trace.tags?.list?.[name]) tags[name.toUpperCase()] = trace.tags.list[name];
    const pages = (trace.pages?.list ?? []).map(([url, ts, title]) => ({ URL: url, DATE_INSERT: ts, TITLE: title }));
    const hasChild = (trace.previous?.list?.length ?? 0) > 0 ? 1 : 0;
    const now = Math.floor(Date.now() / 1000);
    const { lastInsertRowid } = insertTrace.run(now, null, trace.device?.isMobile ? 1 : 0, JSON.stringify(tags), JSON.stringify(pages), hasChild);
    for (const entity of entities) insertBinding.run(lastInsertRowid, ENTITY_TYPE_IDS[entity.TYPE], Number(entity.ID));
    return Number(lastInsertRowid);
  });

  return {
    db,
    /** `params` is the parsed request body: { TRACE: json string, ENTITIES: [...] }. */
    addTrace: (params) => insert(JSON.parse(params.TRACE), params.ENTITIES),
  };
}

export function traceAnswer(id) {
  return `{"result":${id},"time":{"start":0,"finish":0,"duration":0,"processing":0}}`;
}

export function errorAnswer(error) {
  return JSON.stringify({ error: 'ERROR_CORE', error_description: String(error) });
}
