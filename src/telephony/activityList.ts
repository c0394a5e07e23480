// crm.activity.list in SQL: the filter, the read permission, the order and the page are one
// statement (and one COUNT), with the rules of activityFilter.ts. Stored columns are compared in
// SQL; COMPLETED and STATUS follow the `missed` flag, and the fields every activity has alike
// are decided before the query. Text compares by code point on both databases
// (db/dialects/types.ts), and salestrace_lower() folds case alike.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import type { ItemReadScope } from '../crm/contract.js';
import type { Executor } from '../db/schema.js';
import { phpIsNumeric } from '../php/values.js';
import { FIXED_VALUES, MISSED_VALUES, holds, isSubstringSearch, type ActivityCondition, type ActivityListQuery, type Comparable, type FilterOperator } from './activityFilter.js';
import type { ActivityRow } from './store.js';

type Column = 'id' | 'owner_id' | 'owner_type_id' | 'responsible_id' | 'direction' | 'author_id' | 'start_time' | 'end_time' | 'created' | 'subject' | 'description' | 'origin_id';

/** The stored columns of the fields, none of them ever null; the activity table is aliased `a`. */
const COLUMNS: Readonly<Record<string, { readonly column: Column; readonly text: boolean }>> = {
  ID: { column: 'id', text: false },
  OWNER_ID: { column: 'owner_id', text: false },
  OWNER_TYPE_ID: { column: 'owner_type_id', text: false },
  RESPONSIBLE_ID: { column: 'responsible_id', text: false },
  DIRECTION: { column: 'direction', text: false },
  AUTHOR_ID: { column: 'author_id', text: false },
  EDITOR_ID: { column: 'author_id', text: false },
  START_TIME: { column: 'start_time', text: false },
  DEADLINE: { column: 'start_time', text: false },
  END_TIME: { column: 'end_time', text: false },
  CREATED: { column: 'created', text: false },
  LAST_UPDATED: { column: 'created', text: false },
  SUBJECT: { column: 'subject', text: true },
  DESCRIPTION: { column: 'description', text: true },
  ORIGIN_ID: { column: 'origin_id', text: true },
};

const TRUE = sql<SqlBool>`1 = 1`;
const FALSE = sql<SqlBool>`1 = 0`;
const MISSED = sql<SqlBool>`a.missed = 1`;

const number = (value: number) => sql`cast(${value} as double precision)`;
const text = (value: string) => sql`cast(${value} as text)`;

function anyOf(parts: readonly RawBuilder<SqlBool>[]): RawBuilder<SqlBool> {
  return parts.length === 0 ? FALSE : sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

/** activityFilter's `equal` for a stored value. */
function equalSql(column: RawBuilder<unknown>, isText: boolean, candidate: Comparable): RawBuilder<SqlBool> {
  if (candidate === null) return FALSE;
  if (isText) return typeof candidate === 'number' ? sql<SqlBool>`${column} = ${text(String(candidate))}` : sql<SqlBool>`salestrace_lower(${column}) = salestrace_lower(${text(candidate)})`;
  const value = Number(candidate);
  return phpIsNumeric(candidate) && Number.isFinite(value) ? sql<SqlBool>`${column} = ${number(value)}` : FALSE;
}

/** activityFilter's `order` against the first value: by number, by text, or the number's text against a text. */
function rangeSql(column: RawBuilder<unknown>, isText: boolean, operator: '>' | '>=' | '<' | '<=', value: Comparable): RawBuilder<SqlBool> {
  const above = operator === '>' || operator === '>=';
  if (value === null) return above ? TRUE : FALSE;
  const op = sql.raw(operator);
  if (!isText && typeof value === 'number') return sql<SqlBool>`${column} ${op} ${number(value)}`;
  if (isText && typeof value === 'string') return sql<SqlBool>`${column} ${op} ${text(value)}`;
  // A number against a text is never equal: `>=` is `>` and `<=` is `<`, by text.
  const left = isText ? column : sql`cast(${column} as text)`;
  return above ? sql<SqlBool>`${left} >= ${text(String(value))}` : sql<SqlBool>`${left} < ${text(String(value))}`;
}

/** The LIKE pattern (`\` escapes) of activityFilter's search: a substring, or `%` and `_` as wildcards. */
function likeSql(column: RawBuilder<unknown>, value: Comparable, substring: boolean): RawBuilder<SqlBool> {
  const search = String(value ?? '');
  const pattern = substring ? `%${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%` : search.replace(/\\/g, '\\\\');
  return sql<SqlBool>`salestrace_lower(cast(${column} as text)) like salestrace_lower(${text(pattern)}) escape '\\'`;
}

function columnCondition(name: string, operator: FilterOperator, values: readonly Comparable[]): RawBuilder<SqlBool> {
  const { column, text: isText } = COLUMNS[name]!;
  const ref = sql.ref(`a.${column}`);
  switch (operator) {
    case '=':
    case '@':
      return anyOf(values.map((candidate) => equalSql(ref, isText, candidate)));
    case '!':
    case '!=':
    case '!@':
      return sql<SqlBool>`not ${anyOf(values.map((candidate) => equalSql(ref, isText, candidate)))}`;
    case '>':
    case '>=':
    case '<':
    case '<=':
      return rangeSql(ref, isText, operator, values[0] ?? null);
    case '!%':
      return sql<SqlBool>`not ${likeSql(ref, values[0] ?? null, true)}`;
    default:
      return likeSql(ref, values[0] ?? null, isSubstringSearch(operator));
  }
}

function conditionSql(condition: ActivityCondition): RawBuilder<SqlBool> {
  if (condition.kind === 'bindings') {
    const matches = condition.entries.map((entry) => {
      const parts: RawBuilder<SqlBool>[] = [TRUE];
      if (entry.typeId !== undefined) parts.push(sql<SqlBool>`fb.owner_type_id = ${number(entry.typeId)}`);
      if (entry.id !== undefined) parts.push(sql<SqlBool>`fb.owner_id = ${number(entry.id)}`);
      return sql<SqlBool>`(${sql.join(parts, sql` and `)})`;
    });
    return sql<SqlBool>`exists (select 1 from call_activity_bindings fb where fb.activity_id = a.id and ${anyOf(matches)})`;
  }
  const { field, operator, values } = condition;
  if (COLUMNS[field]) return columnCondition(field, operator, values);
  const missed = MISSED_VALUES[field];
  if (missed) {
    const [whenMissed, otherwise] = missed.map((value) => holds(value, operator, values));
    if (whenMissed === otherwise) return whenMissed ? TRUE : FALSE;
    return whenMissed ? MISSED : sql<SqlBool>`not ${MISSED}`;
  }
  // The same value on every activity; a field without one (SETTINGS, FILES, …) has undefined.
  return holds(FIXED_VALUES[field], operator, values) ? TRUE : FALSE;
}

/** Bound to an item the reader may read (null scopes: every activity). */
function readableSql(scopes: ReadonlyMap<number, ItemReadScope> | null): RawBuilder<SqlBool> {
  if (scopes === null) return TRUE;
  const parts: RawBuilder<SqlBool>[] = [];
  for (const [typeId, scope] of scopes) {
    if (scope.kind === 'NONE') continue;
    const items = scope.kind === 'ALL' ? TRUE : sql<SqlBool>`rb.owner_id in (${scope.itemIds(`readable_${typeId}`)})`;
    parts.push(sql<SqlBool>`(rb.owner_type_id = ${sql.lit(typeId)} and ${items})`);
  }
  return sql<SqlBool>`exists (select 1 from call_activity_bindings rb where rb.activity_id = a.id and ${anyOf(parts)})`;
}

function orderSql(order: ActivityListQuery['order']): RawBuilder<unknown> {
  const keys: RawBuilder<unknown>[] = [];
  for (const [field, direction] of order) {
    const stored = COLUMNS[field];
    // Missed calls first, ascending ('N' before 'Y', status 1 before 2); a fixed value orders nothing.
    const key = stored ? sql.ref(`a.${stored.column}`) : MISSED_VALUES[field] ? sql`case when ${MISSED} then 0 else 1 end` : null;
    if (key) keys.push(sql`${key} ${sql.raw(direction === -1 ? 'desc' : 'asc')}`);
  }
  keys.push(sql`a.id asc`);
  return sql.join(keys);
}

export interface ActivityPage {
  readonly offset: number;
  readonly limit: number;
  readonly countTotal: boolean;
}

/** One page of the activities that meet the query and the reader may read, and how many there are in all. */
export async function listActivityRows(
  db: Executor,
  query: ActivityListQuery,
  scopes: ReadonlyMap<number, ItemReadScope> | null,
  page: ActivityPage,
): Promise<{ rows: ActivityRow[]; total: number | undefined }> {
  const where = sql.join([readableSql(scopes), ...query.conditions.map(conditionSql)], sql` and `);
  const total = page.countTotal
    ? Number((await sql<{ n: number | string }>`select count(*) as n from call_activities a where ${where}`.execute(db)).rows[0]!.n)
    : undefined;
  const { rows } = await sql<ActivityRow>`select a.* from call_activities a where ${where} order by ${orderSql(query.order)} limit ${sql.lit(page.limit)} offset ${sql.lit(page.offset)}`.execute(db);
  return { rows, total };
}
