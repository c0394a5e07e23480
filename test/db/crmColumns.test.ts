// The item tables' row types are derived from the field lists (src/crm/store/tables.ts), while
// the migration freezes its own column lists (db/migrations/0100_crm.ts). This checks, on the
// backend under test, that the migrated tables have exactly one column per field kept in a
// column, of the kind the field's type needs.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LINK_TARGETS, type CrmField } from '../../src/crm/model/fields/field.js';
import { CRM_TYPES } from '../../src/crm/model/types.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { startTestServices, type TestServices } from '../helpers/server.js';

let testServices: TestServices;
beforeAll(async () => {
  testServices = await startTestServices();
});
afterAll(async () => {
  await testServices.close();
});

type ColumnKind = 'integer' | 'bigint' | 'numeric' | 'text';

/** The column kind a field needs; SQLite declares its 64-bit timestamps `integer` too. */
function expectedKind(f: CrmField): ColumnKind {
  if (f.type === 'double') return 'numeric';
  if (f.type === 'datetime') return TEST_DIALECT === 'postgres' ? 'bigint' : 'integer';
  if (['integer', 'user', 'location', 'crm_category'].includes(f.type) || LINK_TARGETS[f.type] !== undefined) return 'integer';
  return 'text';
}

/** `numeric(18, 2)` and `numeric` are one kind; anything unknown stays as declared, to show up in the diff. */
function kindOf(declared: string): string {
  const lower = declared.toLowerCase();
  return lower.startsWith('numeric') ? 'numeric' : lower;
}

async function migratedColumns(table: string): Promise<[string, string][]> {
  const db = testServices.services.db;
  if (TEST_DIALECT === 'postgres') {
    const { rows } = await sql<{ column_name: string; data_type: string }>`
      select column_name, data_type from information_schema.columns
      where table_schema = current_schema() and table_name = ${table}`.execute(db);
    return rows.map((row) => [row.column_name, kindOf(row.data_type)]);
  }
  const { rows } = await sql<{ name: string; type: string }>`select name, type from pragma_table_info(${table})`.execute(db);
  return rows.map((row) => [row.name, kindOf(row.type)]);
}

const byName = (a: [string, string], b: [string, string]) => a[0].localeCompare(b[0]);

describe('CRM item tables and field lists', () => {
  for (const type of CRM_TYPES) {
    it(`${type.table} has one column per column field of ${type.name}, of the field's kind`, async () => {
      const expected = type.fields.filter((f) => f.storage === 'column').map((f): [string, string] => [f.column, expectedKind(f)]);
      const actual = await migratedColumns(type.table);
      expect(actual.length).toBeGreaterThan(0);
      expect(actual.sort(byName)).toEqual(expected.sort(byName));
    });
  }
});
