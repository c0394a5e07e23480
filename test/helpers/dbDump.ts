// A full, ordered text dump of every table, to prove that a request changed nothing.
import type { Db } from '../../src/db/schema.js';

/**
 * Which process delivers the events (src/events/senderLease.ts): the sender renews it in the
 * background whenever events wait, whatever the request under test did.
 */
const BOOKKEEPING = new Set(['event_sender_lease']);

export async function dumpDatabase(db: Db): Promise<string> {
  const tables = (await db.introspection.getTables()).map((table) => table.name).filter((name) => !BOOKKEEPING.has(name)).sort();
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await (db as any).selectFrom(table).selectAll().execute();
    const lines = rows.map((row: unknown) => JSON.stringify(row)).sort();
    parts.push(`## ${table} (${lines.length})`, ...lines);
  }
  return parts.join('\n');
}
