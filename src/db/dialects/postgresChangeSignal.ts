// PostgreSQL's change signal, the counterpart of sqliteChangeSignal.ts: an exact, cheap answer
// to "has anything in these tables changed since I last looked?", whichever process changed it,
// so that several server processes on one database can each keep the caches that SQLite keeps
// (src/auth/credentialCache.ts, src/tracking/sourceMatcherCache.ts).
//
// How. A statement trigger on every watched table calls pg_notify(CHANNEL) for any insert,
// update, delete or truncate; PostgreSQL delivers a notification to every listening session when
// (and only if) the writing transaction commits. Each process keeps one connection of its own
// that LISTENs, and counts the notifications it receives. The token is that count, prefixed by
// the number of the listening connection (the epoch).
//
// Why it is exact. A write that a client saw acknowledged has committed, and the committing
// backend has already signalled every listener before its client got the answer. A request that
// asks for the token afterwards triggers a round trip (`select 1`) on the listening connection,
// issued after it arrived; PostgreSQL sends a session its pending notifications before the answer
// to its next query, so the count read after that round trip includes every change committed
// before the request arrived. Requests asking in the same event-loop turn share one round trip
// (sharedRead.ts), so each still gets one issued after it arrived. A request reads the token
// more than once (its credentials, then the source matcher of a trace.add): it marks when it
// arrived (`mark()`), and a later read of the same request takes any read issued after that mark,
// usually its own first one, so one round trip serves the whole request.
//
// When the listening connection drops (a database restart, a network fault, a ping that takes
// too long), notifications may have been missed: `read()` answers null, which makes every cache
// go to the database, until a new connection listens again. The new connection has a new epoch,
// so nothing cached before the drop ever matches again. Caches are therefore bypassed, never
// stale.
import pg from 'pg';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { sharedAfterAsking } from './sharedRead.js';
import type { ChangeToken } from './types.js';

export const CHANGE_CHANNEL = 'salestrace_changes';
/** The listening connection's application_name, as pg_stat_activity shows it. */
export const LISTENER_NAME = 'salestrace change listener';
/** Any constant: it keeps two starting servers from replacing the same triggers at once. */
const TRIGGER_LOCK = 7_310_452_212;
/** A listening connection that does not answer within this long is given up and replaced. */
const PING_TIMEOUT_MS = 2000;
const RECONNECT_DELAY_MS = 250;

export interface PostgresChangeToken extends ChangeToken {
  close(): Promise<void>;
}

/** Installs the notifying triggers (idempotent) and starts listening on a connection of its own. */
export async function postgresChangeToken(url: string, db: Kysely<any>, tables: readonly string[]): Promise<PostgresChangeToken> {
  await installTriggers(db, tables);
  const listener = new Listener(url);
  await listener.start();
  // Reads issued so far, the last one answered and the one on its way: a caller holding a mark
  // (read(after)) takes any of them issued after its mark instead of asking for another.
  let issued = 0;
  let last: { readonly seq: number; readonly token: string } | null = null;
  let pending: { readonly seq: number; readonly token: Promise<string | null> } | null = null;
  const shared = sharedAfterAsking(async () => {
    const seq = ++issued;
    const token = listener.readNow();
    pending = { seq, token };
    try {
      const read = await token;
      if (read !== null && (last === null || seq > last.seq)) last = { seq, token: read };
      return read;
    } finally {
      if (pending?.seq === seq) pending = null;
    }
  });
  return {
    read: (after) => {
      if (after !== undefined) {
        if (last !== null && last.seq > after) return Promise.resolve(last.token);
        if (pending !== null && pending.seq > after) return pending.token;
      }
      return shared();
    },
    mark: () => issued,
    close: () => listener.close(),
  };
}

async function installTriggers(db: Kysely<any>, tables: readonly string[]): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await sql`select pg_advisory_xact_lock(${TRIGGER_LOCK})`.execute(trx);
    await sql
      .raw(
        'create or replace function salestrace_notify_change() returns trigger language plpgsql as ' +
          `$$ begin perform pg_notify('${CHANGE_CHANNEL}', TG_TABLE_NAME); return null; end $$`,
      )
      .execute(trx);
    for (const table of tables) {
      const name = `salestrace_notify_${table}`;
      const existing = await sql`select 1 from pg_trigger where tgname = ${name} and tgrelid = ${table}::regclass`.execute(trx);
      if (existing.rows.length > 0) continue;
      await sql
        .raw(
          `create trigger "${name}" after insert or update or delete or truncate on "${table}" ` +
            'for each statement execute function salestrace_notify_change()',
        )
        .execute(trx);
    }
  });
}

class Listener {
  #client: pg.Client | null = null;
  #epoch = 0;
  #count = 0;
  #closed = false;
  #reconnect: NodeJS.Timeout | null = null;

  constructor(private readonly url: string) {}

  async start(): Promise<void> {
    if (this.#closed) return;
    const client = new pg.Client({ connectionString: this.url, application_name: LISTENER_NAME });
    // Every failure of this connection ends up here or in 'end': drop it and try again.
    client.on('error', () => this.#lost(client));
    client.on('end', () => this.#lost(client));
    client.on('notification', (message) => {
      if (client === this.#client && message.channel === CHANGE_CHANNEL) this.#count++;
    });
    try {
      await client.connect();
      await client.query(`listen ${CHANGE_CHANNEL}`);
    } catch {
      this.#lost(client);
      return;
    }
    if (this.#closed) {
      await client.end().catch(() => {});
      return;
    }
    this.#epoch++;
    this.#client = client;
  }

  #lost(client: pg.Client): void {
    if (this.#client === client) this.#client = null;
    client.end().catch(() => {});
    if (this.#closed || this.#reconnect) return;
    this.#reconnect = setTimeout(() => {
      this.#reconnect = null;
      void this.start();
    }, RECONNECT_DELAY_MS);
    this.#reconnect.unref();
  }

  /** The token after a round trip on the listening connection; null while it is not listening. */
  async readNow(): Promise<string | null> {
    const client = this.#client;
    if (!client) return null;
    const epoch = this.#epoch;
    let timer: NodeJS.Timeout | undefined;
    try {
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('the listening connection did not answer')), PING_TIMEOUT_MS);
      });
      await Promise.race([client.query('select 1'), timeout]);
    } catch {
      this.#lost(client);
      return null;
    } finally {
      clearTimeout(timer);
    }
    // Lost or replaced meanwhile: notifications may have been missed.
    if (this.#client !== client || this.#epoch !== epoch) return null;
    return `${epoch}:${this.#count}`;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#reconnect) clearTimeout(this.#reconnect);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => {});
  }
}
