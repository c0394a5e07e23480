// Makes a migrated PostgreSQL schema answer the way the SQLite one does. It runs after the
// migrations on every start, finds what needs it by looking at the schema, and is a no-op once
// done, so the tables other modules add later are covered without any change to their migrations.
//
// 1. Text compares and sorts by code point, as SQLite's BINARY collation does, whatever the
//    database's locale: every text column gets COLLATE "C" (a database created with, say,
//    en_US.UTF-8 would otherwise sort "a b" after "ab" and "apple" before "Banana").
// 2. IDs come from one PostgreSQL sequence per table, as the serial columns of the migrations
//    make them. Inserts into a table never wait for each other, but a write that rolls back
//    (or is run again after a serialization failure) leaves its ID unused, as MySQL's
//    AUTO_INCREMENT does under Bitrix24; SQLite's AUTOINCREMENT hands it out again
//    (COMPATIBILITY.md, "IDs on PostgreSQL"). Databases made by earlier versions took IDs from
//    a row per table in salestrace_id_counters, inside the writing transaction: without gaps,
//    but every insert into a table then waited for the previous one to commit, and the shared
//    rows made concurrent writes fail. Those columns are moved back to a sequence that starts
//    past every ID handed out so far, and the counters are dropped.
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

/** A text as an SQL string literal, for DDL, which takes no parameters. */
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

/**
 * ID columns that earlier versions moved to salestrace_next_id() get a sequence of their own
 * again, owned by the column as a serial's is, starting after the larger of the table's counter
 * and its largest ID (a deleted last item keeps its ID taken, as before).
 */
async function idsFromSequences(db: Kysely<any>): Promise<void> {
  const columns = await sql<{ table_name: string; column_name: string }>`
    select table_name, column_name
    from information_schema.columns
    where table_schema = current_schema() and column_default like 'salestrace_next_id(%'
    order by table_name`.execute(db);
  for (const { table_name, column_name } of columns.rows) {
    const sequence = quote(`${table_name}_${column_name}_seq`);
    const counted = await sql<{ last: string | number | null }>`
      select greatest(
        (select max(${sql.ref(column_name)}) from ${sql.table(table_name)}),
        (select last_id from salestrace_id_counters where table_name = ${table_name})
      ) as last`.execute(db);
    const last = Number(counted.rows[0]?.last ?? 0);
    await sql.raw(`create sequence ${sequence} as integer owned by ${quote(table_name)}.${quote(column_name)}`).execute(db);
    if (last > 0) await sql`select setval(${sequence}::regclass, ${last})`.execute(db);
    await sql
      .raw(`alter table ${quote(table_name)} alter column ${quote(column_name)} set default nextval(${literal(sequence)}::regclass)`)
      .execute(db);
  }
  await sql`drop function if exists salestrace_next_id(text)`.execute(db);
  await sql`drop table if exists salestrace_id_counters`.execute(db);
}

export async function alignPostgresWithSqlite(db: Kysely<any>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${ALIGNMENT_LOCK})`.execute(trx);
    await defineLower(trx);
    await binaryCollation(trx);
    await idsFromSequences(trx);
  });
}
