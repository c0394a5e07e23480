// PostgreSQL parses, analyses and plans every statement node-postgres sends without a name, on
// every call, even when the text is the same as the last one. The hot statements
// (src/db/hotStatement.ts, the shared limits) are the same few texts on every request, so on
// PostgreSQL each is sent as a named prepared statement instead: node-postgres parses a name once
// per connection and afterwards sends only its values (Bind/Execute), and PostgreSQL reuses the
// parse and, where it is no worse, the plan. Answers are the same: the text, the parameters and
// their types (inferred from the text, as before) do not change, only where the parse is kept.
//
// Names are given to texts as they are first kept, never reused for another text, and bounded
// (a text past the bound runs unnamed, as before). A prepared statement lives with its
// connection; a schema change (a migration) makes PostgreSQL plan it again by itself.
// Note for deployments: a pooler in transaction mode (PgBouncer before 1.21, or with
// max_prepared_statements = 0) does not keep a connection's prepared statements between
// transactions; point Salestrace at PostgreSQL itself or at a pooler that does.
import type pg from 'pg';

/** Enough for every hot statement's shapes; past it new texts run unnamed. */
const MAX_NAMED = 2000;
const names = new Map<string, string>();

/** Marks an SQL text that is sent again and again, so that PostgreSQL connections prepare it once. */
export function keepPrepared(sqlText: string): void {
  if (names.has(sqlText) || names.size >= MAX_NAMED) return;
  names.set(sqlText, `salestrace_${names.size + 1}`);
}

/** The statement name kept for this text, if any. */
export function preparedName(sqlText: string): string | undefined {
  return names.get(sqlText);
}

type Query = (...args: unknown[]) => unknown;

/** Makes a pool's connection send kept texts as named statements (installed on each new connection). */
export function sendKeptTextsNamed(client: pg.PoolClient): void {
  const query = client.query as unknown as Query;
  (client as unknown as { query: Query }).query = function (this: unknown, ...args: unknown[]) {
    const [text, values] = args;
    if (typeof text === 'string' && Array.isArray(values) && args.length === 2) {
      const name = names.get(text);
      if (name !== undefined) return query.call(this, { name, text, values });
    }
    return query.apply(this, args);
  };
}
