// A full, ordered text dump of every table, to prove that a request changed nothing.
import type { Db } from '../../src/db/schema.js';

export async function dumpDatabase(db: Db): Promise<string> {
  const tables = (await db.introspection.getTables()).map((table) => table.name).sort();
  const parts: string[] = [];
  for (const table of tables) {
    const rows = await (db as any).selectFrom(table).selectAll().execute();
    const lines = rows.map((row: unknown) => JSON.stringify(row)).sort();
    parts.push(`## ${table} (${lines.length})`, ...lines);
  }
  return parts.join('\n');
}
