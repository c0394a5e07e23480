// Baseline `raw-item-list` (issue 17): the crm.item.list scenario's read, done by hand. node:http
// and better-sqlite3 run the very SQL Salestrace runs for that call (its page of deals and its
// count, captured from the server: `select "t".* …` then `select count(*) …`), on a database
// with Salestrace's own schema and indexes (its migrations from dist/, run once at start) and the
// scenario's 1,000 deals, and answer the same envelope: the 4 selected fields, next, total, time.
// No framework, no authentication, no parameter rules beyond JSON.parse.
//   node bench/servers/raw-item-list.mjs <database file>
import http from 'node:http';
import Database from 'better-sqlite3';
import { listenAndAnnounce, readBody } from './listen.mjs';
import { HEADERS } from './rawTraces.mjs';

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: raw-item-list.mjs <database file>');
  process.exit(2);
}

// Salestrace's schema, exactly: its migrations (the build the bench runs).
const { openSqlite } = await import('../../dist/db/dialects/sqlite.js');
const { migrateToLatest } = await import('../../dist/db/migrate.js');
const migrated = openSqlite(file);
await migrateToLatest(migrated.db, migrated.helpers);
await migrated.close();

const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');

// The scenario's deals (bench/scenarios.mjs crm.item.list), with the columns crm.item.add writes.
if (db.prepare('select count(*) as n from crm_deal').get().n === 0) {
  const insert = db.prepare(
    'insert into crm_deal (category_id, currency_id, opportunity, tax_value, is_manual_opportunity, is_recurring, is_return_customer, ' +
      'is_repeated_approach, opened, closed, begindate, closedate, stage_id, title, assigned_by_id, created_by_id, modify_by_id, ' +
      'date_create, date_modify, last_activity_time, last_activity_by, stage_semantic_id, moved_by_id, moved_time, is_new) ' +
      'values (0, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, 1, ?, ?, ?, 1, ?, 1, ?, ?)',
  );
  const stages = ['NEW', 'PREPARATION', 'EXECUTING', 'WON'];
  const now = Math.floor(Date.now() / 1000);
  db.transaction(() => {
    for (let i = 0; i < 1000; i++) {
      const stage = stages[i % 2 === 0 ? 0 : 1 + (i % 3)];
      const won = stage === 'WON';
      insert.run('USD', (i * 37) % 10000, 'N', 'N', 'N', 'N', 'Y', won ? 'Y' : 'N', '2026-12-06', '2026-12-13', stage, `Deal ${i}`,
        now, now, now, won ? 'S' : 'P', now, 'Y');
    }
  })();
}

// The server's SQL for this call, text for text (its statements are prepared once, as here).
const page = db.prepare('select "t".* from "crm_deal" as "t" where ("t"."opportunity" >= ? and "t"."stage_id" = ?) order by "t"."id" desc nulls last limit ? offset ?');
const count = db.prepare('select count(*) as "count" from "crm_deal" as "t" where ("t"."opportunity" >= ? and "t"."stage_id" = ?)');
const PAGE = 50;

function answer(params) {
  const started = Date.now() / 1000;
  const filter = params.filter ?? {};
  const start = Number(params.start ?? 0) || 0;
  const minimum = Number(filter['>=opportunity']);
  const stage = String(filter.stageId);
  const rows = page.all(minimum, stage, PAGE, start);
  const total = count.get(minimum, stage).count;
  const items = rows.map((row) => ({ id: row.id, title: row.title, stageId: row.stage_id, opportunity: row.opportunity }));
  const finished = Date.now() / 1000;
  const time = { start: started, finish: finished, duration: finished - started, processing: finished - started };
  const next = start + PAGE < total ? start + PAGE : undefined;
  return JSON.stringify({ result: { items }, ...(next === undefined ? {} : { next }), total, time });
}

const server = http.createServer(async (request, response) => {
  try {
    const body = answer(JSON.parse((await readBody(request)).toString('utf8')));
    response.writeHead(200, HEADERS);
    response.end(body);
  } catch (error) {
    response.writeHead(400, HEADERS);
    response.end(JSON.stringify({ error: 'BAD_REQUEST', error_description: String(error?.message ?? error) }));
  }
});
listenAndAnnounce(server, () => db.close());
