// Baseline `raw-pg`: the limit for Salestrace's trace write on PostgreSQL. The same trace write
// as raw-sqlite and raw-durable (rawTraces.mjs: one trace row and two binding rows) with
// node-postgres, in one transaction, at the default synchronous_commit (COMMIT returns once
// the commit is flushed, so a success answer means the write is durable), on a pool of 10
// connections as Salestrace uses. Nothing else: no framework, no query builder, no checks
// beyond JSON.parse.
//   node bench/servers/raw-pg.mjs <postgres:// URL>
import http from 'node:http';
import pg from 'pg';
import { listenAndAnnounce, readBody } from './listen.mjs';
import { errorAnswer, HEADERS, traceAnswer } from './rawTraces.mjs';

const [url] = process.argv.slice(2);
if (!url) {
  console.error('usage: raw-pg.mjs <postgres:// URL>');
  process.exit(2);
}

const ENTITY_TYPE_IDS = { LEAD: 1, DEAL: 2, CONTACT: 3, COMPANY: 4, QUOTE: 7 };
const UTM = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'];

const pool = new pg.Pool({ connectionString: url, max: 10 });
pool.on('error', () => {});
await pool.query(`
  CREATE TABLE IF NOT EXISTS trace (
    id serial PRIMARY KEY,
    date_create bigint NOT NULL,
    source_id integer,
    is_mobile integer NOT NULL,
    tags_raw text NOT NULL,
    pages_raw text NOT NULL,
    has_child integer NOT NULL
  );
  CREATE TABLE IF NOT EXISTS trace_entity (
    id serial PRIMARY KEY,
    trace_id integer NOT NULL REFERENCES trace (id),
    entity_type_id integer NOT NULL,
    entity_id integer NOT NULL,
    UNIQUE (trace_id, entity_type_id, entity_id)
  );
  CREATE INDEX IF NOT EXISTS trace_entity_item ON trace_entity (entity_type_id, entity_id);
`);

async function addTrace(params) {
  const trace = JSON.parse(params.TRACE);
  const tags = {};
  for (const name of UTM) if (trace.tags?.list?.[name]) tags[name.toUpperCase()] = trace.tags.list[name];
  const pages = (trace.pages?.list ?? []).map(([pageUrl, ts, title]) => ({ URL: pageUrl, DATE_INSERT: ts, TITLE: title }));
  const hasChild = (trace.previous?.list?.length ?? 0) > 0 ? 1 : 0;
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const { rows } = await client.query(
      'INSERT INTO trace (date_create, source_id, is_mobile, tags_raw, pages_raw, has_child) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id',
      [Math.floor(Date.now() / 1000), null, trace.device?.isMobile ? 1 : 0, JSON.stringify(tags), JSON.stringify(pages), hasChild],
    );
    const id = rows[0].id;
    for (const entity of params.ENTITIES) {
      await client.query('INSERT INTO trace_entity (trace_id, entity_type_id, entity_id) VALUES ($1, $2, $3)', [
        id,
        ENTITY_TYPE_IDS[entity.TYPE],
        Number(entity.ID),
      ]);
    }
    await client.query('COMMIT');
    return id;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => {});
    throw error;
  } finally {
    client.release();
  }
}

const server = http.createServer(async (request, response) => {
  try {
    const id = await addTrace(JSON.parse((await readBody(request)).toString('utf8')));
    response.writeHead(200, HEADERS);
    response.end(traceAnswer(id));
  } catch (error) {
    response.writeHead(500, HEADERS);
    response.end(errorAnswer(error));
  }
});
listenAndAnnounce(server, () => void pool.end());
