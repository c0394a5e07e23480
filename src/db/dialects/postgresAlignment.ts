// Makes a migrated PostgreSQL schema answer the way the SQLite one does. It runs after the
// migrations on every start, finds what needs it by looking at the schema, and is a no-op once
// done, so the tables other modules add later are covered without any change to their migrations.
//
// 1. Text compares and sorts by code point, as SQLite's BINARY collation does, whatever the
//    database's locale: every text column gets COLLATE "C" (a database created with, say,
//    en_US.UTF-8 would otherwise sort "a b" after "ab" and "apple" before "Banana").
// 2. IDs are handed out inside the writing transaction, as SQLite's AUTOINCREMENT does, so a
//    write that fails and rolls back does not use an ID up: the next item gets the ID the
//    failed one would have had, on both databases. A sequence would leave a gap. Each table's
//    last ID lives in salestrace_id_counters; salestrace_next_id(table) is the column default.
//    The counter row stays locked until the transaction ends, so inserts into one table follow
//    each other, as every write does on SQLite.
// 3. salestrace_lower(text) folds case by Unicode rules (ICU's root locale when the server has
//    ICU), independent of the column's "C" collation and of the database's locale; SQLite
//    provides the same function (sqlite.ts).
import { sql, type Kysely } from 'kysely';

/** Any constant: it only keeps two starting servers from aligning the same schema at once. */
const ALIGNMENT_LOCK = 7_310_452_211;

async function defineLower(db: Kysely<any>): Promise<void> {
  const icu = await sql<{ found: number }>`select 1 as found from pg_collation where collname = 'und-x-icu'`.execute(db);
  const collation = icu.rows.length > 0 ? '"und-x-icu"' : '"default"';
  await sql
    .raw(
      'create or replace function salestrace_lower(value text) returns text language sql immutable strict parallel safe ' +
        `as $$ select lower(value collate ${collation}) $$`,
    )
    .execute(db);
}

async function defineIdCounters(db: Kysely<any>): Promise<void> {
  await sql`create table if not exists salestrace_id_counters (table_name text collate "C" primary key, last_id bigint not null)`.execute(db);
  await sql
    .raw(
      'create or replace function salestrace_next_id(target text) returns integer language sql volatile as $$ ' +
        'insert into salestrace_id_counters as c (table_name, last_id) values (target, 1) ' +
        'on conflict (table_name) do update set last_id = c.last_id + 1 returning c.last_id::integer $$',
    )
    .execute(db);
}

const quote = (name: string) => `"${name.replace(/"/g, '""')}"`;

/** Text columns of this schema that do not compare by code point yet. */
async function binaryCollation(db: Kysely<any>): Promise<void> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select c.table_name, c.column_name
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = current_schema() and t.table_type = 'BASE TABLE'
      and c.data_type = 'text' and c.collation_name is distinct from 'C'
    order by c.table_name, c.ordinal_position`.execute(db);
  for (const { table_name, column_name } of columns.rows) {
    await sql.raw(`alter table ${quote(table_name)} alter column ${quote(column_name)} type text collate "C"`).execute(db);
  }
}

/** Serial ID columns (the migrations' h.serial) move from their sequence to the transactional counter. */
async function transactionalIds(db: Kysely<any>): Promise<void> {
  const columns = await sql<{ table_name: string; column_name: string; sequence: string }>`
    select table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) as sequence
    from information_schema.columns
    where table_schema = current_schema() and column_default like 'nextval(%'
    order by table_name`.execute(db);
  for (const { table_name, column_name, sequence } of columns.rows) {
    const table = quote(table_name);
    const column = quote(column_name);
    // The counter starts past every ID the sequence gave out (the migrations seed some rows).
    const used = await sql<{ last: string | number | null }>`
      select greatest(
        (select max(${sql.ref(column_name)}) from ${sql.table(table_name)}),
        (select case when is_called then last_value end from ${sql.raw(sequence)})
      ) as last`.execute(db);
    await sql`insert into salestrace_id_counters (table_name, last_id) values (${table_name}, ${Number(used.rows[0]?.last ?? 0)})
      on conflict (table_name) do update set last_id = greatest(salestrace_id_counters.last_id, excluded.last_id)`.execute(db);
    await sql.raw(`alter table ${table} alter column ${column} set default salestrace_next_id('${table_name.replace(/'/g, "''")}')`).execute(db);
    await sql.raw(`drop sequence ${sequence}`).execute(db);
  }
}

export async function alignPostgresWithSqlite(db: Kysely<any>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${ALIGNMENT_LOCK})`.execute(trx);
    await defineLower(trx);
    await defineIdCounters(trx);
    await binaryCollation(trx);
    await transactionalIds(trx);
  });
}
