// SQLite's change signal: a cheap, exact answer to "has anything in these tables changed since I
// last looked?", so per-request reads (webhooks, users) can be served from memory without ever
// being stale (src/auth/credentialCache.ts).
//
// Why the token is exact. The server reads and writes through one connection (sqlite.ts), one
// statement or transaction at a time. A change to a watched table can come from two places:
//  - another connection (the `salestrace` CLI, another process, a test's own connection):
//    SQLite's `PRAGMA data_version` on our connection changes whenever another connection has
//    committed anything since our last read of it;
//  - our own connection, which data_version does not report: TEMP triggers on every watched
//    table (they exist on this connection only) stamp a temp counter on each insert, update
//    and delete, whatever code path wrote it. The stamp is total_changes() + 1: SQLite never
//    lowers total_changes(), not even on rollback, and every stamp is itself a counted change,
//    so each stamp is larger than any before it. A stamp rolled back with its transaction is
//    therefore never seen again, and a cache filled while it was visible cannot match later.
// One query reads both numbers. A cache remembers the token it read *before* loading its rows
// and serves them only while the token is unchanged, so a change that lands between the token
// and the rows only causes a needless reload, never a stale answer. Today reads never run
// inside another request's open transaction (Kysely holds the one connection for it); should
// they ever, a cache filled from a write that is then rolled back carries a stamp that never
// comes back, so it is reloaded.
//
// Requests that ask for the token while no read has been issued yet share the next one: it is
// issued (setImmediate, after the current batch of socket reads) only after all of them asked,
// so each of them still gets a value read after it arrived, and a change committed before a
// request arrived is in that request's token. Under load this turns one query per request into
// one per event-loop turn. A caller inside a batch's held transaction (heldTransaction.ts)
// reads on its own instead: a shared read issued by another request waits for the connection
// that batch holds, and the batch would wait for it in turn.
import { CompiledQuery, type Kysely } from 'kysely';
import { sharedAfterAsking } from './sharedRead.js';
import type { ChangeToken } from './types.js';

const COUNTER_TABLE = 'temp.salestrace_local_writes';

const READ_TOKEN = CompiledQuery.raw(
  `select (select n from ${COUNTER_TABLE}) as local, (select data_version from pragma_data_version) as remote`,
);

/** Installs the counter and triggers on the server's SQLite connection. */
export async function sqliteChangeToken(
  db: Kysely<any>,
  tables: readonly string[],
  insideOneTransaction: () => boolean = () => false,
): Promise<ChangeToken> {
  await db.executeQuery(CompiledQuery.raw(`create temp table if not exists salestrace_local_writes (n integer not null)`));
  await db.executeQuery(CompiledQuery.raw(`delete from ${COUNTER_TABLE}`));
  await db.executeQuery(CompiledQuery.raw(`insert into ${COUNTER_TABLE} (n) values (0)`));
  for (const table of tables) {
    for (const event of ['insert', 'update', 'delete']) {
      await db.executeQuery(
        CompiledQuery.raw(
          `create temp trigger if not exists salestrace_watch_${table}_${event} after ${event} on main.${table} ` +
            `begin update ${COUNTER_TABLE} set n = total_changes() + 1; end`,
        ),
      );
    }
  }
  const readNow = async (): Promise<string> => {
    const { rows } = await db.executeQuery<{ local: number; remote: number }>(READ_TOKEN);
    const row = rows[0];
    return `${row.local}:${row.remote}`;
  };
  const shared = sharedAfterAsking(readNow);
  return { read: () => (insideOneTransaction() ? readNow() : shared()) };
}
