// PostgreSQL through pg, for deployments that want a server database. 64-bit integers are
// parsed as numbers: every bigint here is a unix timestamp or an ID well below 2^53.
import { Kysely, PostgresDialect, sql } from 'kysely';
import type { DialectHelpers, OpenedDatabase } from './types.js';

export const postgresHelpers: DialectHelpers = {
  name: 'postgres',
  bigint: 'bigint',
  serial: 'serial',
  autoId: (column) => column.primaryKey(),
};

export async function openPostgres<DB>(url: string): Promise<OpenedDatabase<DB>> {
  let pg: typeof import('pg');
  try {
    pg = (await import('pg')).default as unknown as typeof import('pg');
  } catch {
    throw new Error('PostgreSQL support needs the "pg" package: npm install pg');
  }
  pg.types.setTypeParser(20, (value: string) => Number(value));
  pg.types.setTypeParser(1700, (value: string) => Number(value));
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }) });
  return {
    db,
    helpers: postgresHelpers,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => db.destroy(),
  };
}
