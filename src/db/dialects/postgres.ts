// PostgreSQL through pg, for deployments that want a server database. It answers as the
// embedded SQLite database does: transactions act as if run one at a time (readCommitted.ts,
// rowLocks.ts), text values are stored alike (storableText.ts), and the schema is aligned after
// migrating (postgresAlignment.ts). One difference is kept for speed: IDs come from sequences, so a
// rolled-back write leaves its ID unused (COMPATIBILITY.md). Several processes may share one
// database: the caches follow LISTEN/NOTIFY (postgresChangeSignal.ts). 64-bit integers are parsed as
// numbers: every bigint here is a unix timestamp, a count or an ID well below 2^53.
import { PostgresDialect, sql } from 'kysely';
import { DEFAULT_CONFIG } from '../../config.js';
import { durableOnCommit } from '../durability.js';
import { ReadCommittedKysely } from './readCommitted.js';
import { withStorableText } from './storableText.js';
import { sendKeptTextsNamed } from './namedStatements.js';
import { postgresHelpers } from './postgresHelpers.js';
import type { ChangeWatcher, OpenedDatabase } from './types.js';

/** `retryForMs`: how long a transaction that lost a deadlock is run again (the request timeout). */
export async function openPostgres<DB>(url: string, retryForMs = DEFAULT_CONFIG.requestTimeoutMs): Promise<OpenedDatabase<DB>> {
  let pg: typeof import('pg');
  try {
    pg = (await import('pg')).default as unknown as typeof import('pg');
  } catch {
    throw new Error('PostgreSQL support needs the "pg" package: npm install pg');
  }
  pg.types.setTypeParser(20, (value: string) => Number(value));
  pg.types.setTypeParser(1700, (value: string) => Number(value));
  const pool = new pg.Pool({ connectionString: url, max: 10 });
  // An idle connection the database ends (a restart, pg_terminate_backend, DROP DATABASE … FORCE)
  // is dropped by the pool, which then emits 'error'; unheard, that event would end the process.
  // Nothing is lost: the connection held no transaction, and the next query opens a fresh one.
  pool.on('error', () => {});
  // The hot statements go as named prepared statements, parsed once per connection (namedStatements.ts).
  pool.on('connect', (client) => sendKeptTextsNamed(client));
  const db = new ReadCommittedKysely<DB>({ dialect: withStorableText(new PostgresDialect({ pool })) }, retryForMs);
  // Each change signal listens on a connection of its own (postgresChangeSignal.ts), closed with the database.
  const watchers: { close(): Promise<void> }[] = [];
  const watchChanges: ChangeWatcher = async (watched, tables) => {
    const { postgresChangeToken } = await import('./postgresChangeSignal.js');
    const token = await postgresChangeToken(url, watched, tables);
    watchers.push(token);
    return token;
  };
  return {
    db,
    helpers: postgresHelpers,
    watchChanges,
    // COMMIT returns once the commit is flushed (synchronous_commit=on, the default).
    durability: durableOnCommit,
    // Side-by-side transactions: a batch's rows keep their own.
    inOneTransaction: (work) => work(),
    insideOneTransaction: () => false,
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: async () => {
      await Promise.all(watchers.map((watcher) => watcher.close()));
      await db.destroy();
    },
  };
}
