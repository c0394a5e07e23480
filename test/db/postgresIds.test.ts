// PostgreSQL hands IDs out from one sequence per table (src/db/dialects/postgresAlignment.ts).
// Databases made by earlier versions took them from a counter row per table, updated inside
// every writing transaction; a start of this version moves each such column to a sequence that
// goes on after every ID already handed out, including those of deleted last items. SQLite keeps
// its AUTOINCREMENT, so these tests only run under TEST_DB=postgres.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Db } from '../../src/db/schema.js';
import { alignPostgresWithSqlite } from '../../src/db/dialects/postgresAlignment.js';
import { ok } from '../crm/helpers.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

/** The ID column defaults of the schema, by table. */
async function idDefaults(db: Db): Promise<Record<string, string>> {
  const { rows } = await sql<{ table_name: string; column_default: string }>`
    select table_name, column_default from information_schema.columns
    where table_schema = current_schema() and column_name = 'id' and column_default is not null
    order by table_name`.execute(db);
  return Object.fromEntries(rows.map((row) => [row.table_name, row.column_default]));
}

async function counterSchemeLeft(db: Db): Promise<unknown> {
  const { rows } = await sql<{ counters: string | null; next_id: string | null }>`
    select to_regclass('salestrace_id_counters')::text as counters, to_regprocedure('salestrace_next_id(text)')::text as next_id`.execute(db);
  return rows[0];
}

/** Puts the schema back the way earlier versions left it: every serial ID column on a counter row. */
async function toCounterScheme(db: Db): Promise<void> {
  await sql`create table salestrace_id_counters (table_name text collate "C" primary key, last_id bigint not null)`.execute(db);
  await sql
    .raw(
      'create function salestrace_next_id(target text) returns integer language sql volatile as $$ ' +
        'insert into salestrace_id_counters as c (table_name, last_id) values (target, 1) ' +
        'on conflict (table_name) do update set last_id = c.last_id + 1 returning c.last_id::integer $$',
    )
    .execute(db);
  const { rows } = await sql<{ table_name: string; sequence: string }>`
    select table_name, pg_get_serial_sequence(quote_ident(table_name), column_name) as sequence
    from information_schema.columns
    where table_schema = current_schema() and column_default like 'nextval(%'`.execute(db);
  for (const { table_name, sequence } of rows) {
    await sql`insert into salestrace_id_counters (table_name, last_id)
      select ${table_name}, greatest((select max(id) from ${sql.table(table_name)}), (select case when is_called then last_value end from ${sql.raw(sequence)}), 0)`.execute(db);
    await sql.raw(`alter table "${table_name}" alter column id set default salestrace_next_id('${table_name}')`).execute(db);
    await sql.raw(`drop sequence ${sequence}`).execute(db);
  }
}

describe.skipIf(TEST_DIALECT !== 'postgres')('IDs on PostgreSQL', () => {
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('every ID column of a new database takes its default from a sequence of its own', async () => {
    const defaults = await idDefaults(server.services.db);
    expect(Object.keys(defaults)).toContain('crm_lead');
    expect(Object.keys(defaults)).toContain('tracking_traces');
    for (const [table, value] of Object.entries(defaults)) expect(value).toBe(`nextval('${table}_id_seq'::regclass)`);
    expect(await counterSchemeLeft(server.services.db)).toEqual({ counters: null, next_id: null });
  });

  it('a database whose IDs came from counter rows goes on after every ID they handed out', async () => {
    const db = server.services.db;
    const deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'before the upgrade' } });
    await toCounterScheme(db);
    // Still on the counters: the last lead is deleted, so its ID is used up but in no row.
    const lead = await ok(server, 'crm.lead.add', { fields: { TITLE: 'counted' } });
    expect(await ok(server, 'crm.lead.delete', { id: lead })).toBe(true);
    const trace = await ok(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify({ url: 'https://counted.example/' }) });
    expect(Object.values(await idDefaults(db)).every((value) => value.startsWith('salestrace_next_id('))).toBe(true);

    // What the next start does.
    await alignPostgresWithSqlite(db);
    const defaults = await idDefaults(db);
    for (const [table, value] of Object.entries(defaults)) expect(value).toBe(`nextval('${table}_id_seq'::regclass)`);
    expect(await counterSchemeLeft(db)).toEqual({ counters: null, next_id: null });
    expect(await ok(server, 'crm.lead.add', { fields: { TITLE: 'after' } })).toBe(lead + 1);
    expect(await ok(server, 'crm.deal.add', { fields: { TITLE: 'after' } })).toBe(deal + 1);
    // Every item add made a trace of its own as well: the next trace follows all of them.
    const traces = await db.selectFrom('tracking_traces').select((eb) => eb.fn.max('id').as('last')).executeTakeFirstOrThrow();
    expect(await ok(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify({ url: 'https://after.example/' }) })).toBe(Number(traces.last) + 1);
    expect(Number(traces.last)).toBeGreaterThan(trace);

    // A later start finds nothing left to move.
    await alignPostgresWithSqlite(db);
    expect(await idDefaults(db)).toEqual(defaults);
    expect(await ok(server, 'crm.lead.add', { fields: { TITLE: 'again' } })).toBe(lead + 2);
  });
});
