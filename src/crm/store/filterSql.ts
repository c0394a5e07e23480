// List filters as SQL: each condition of a decoded filter (src/crm/model/listCriteria.ts)
// becomes a comparison on a column, a UTM value or the item's multi-fields. Values are bound,
// and field names come from the type's field list, so nothing a client sends reaches SQL as text.
import { sql, type RawBuilder, type SqlBool } from 'kysely';
import { phpString } from '../../php/values.js';
import type { CrmField } from '../model/fields/field.js';
import type { FilterCondition, FilterNode, FilterOperator, FilterScalar } from '../model/listCriteria.js';
import type { CrmType } from '../model/types.js';

// The item table is aliased `t`.

/** The SQL expression of a field: a column, or the item's UTM value. */
export function fieldExpression(type: CrmType, f: CrmField): RawBuilder<unknown> {
  if (f.storage === 'utm') {
    return sql`(select u.value from crm_utm u where u.entity_type_id = ${type.id} and u.entity_id = t.id and u.code = ${f.name})`;
  }
  return sql.ref(`t.${f.column}`);
}

/**
 * The LIKE pattern of a value, with `\` as the escape character. A substring search (`%`) takes
 * `%`, `_` and `\` literally. A pattern (`=%`, `%=`) is read as Bitrix's MySQL reads it: `%` and
 * `_` are wildcards, `\` takes the next character literally, and a `\` that ends the pattern
 * stands for itself (SQLite would match nothing with it, and PostgreSQL refuse the query).
 */
function likePattern(value: FilterScalar, substring: boolean): string {
  const text = value === null ? '' : phpString(value);
  if (substring) return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  return endsWithLoneEscape(text) ? `${text}\\` : text;
}

/** Whether the pattern ends in an odd run of backslashes: its last one escapes nothing. */
function endsWithLoneEscape(text: string): boolean {
  let run = 0;
  for (let i = text.length - 1; i >= 0 && text[i] === '\\'; i--) run++;
  return run % 2 === 1;
}

/**
 * Bitrix's MySQL compares case-insensitively, Cyrillic and accented letters included;
 * salestrace_lower() on both sides does the same on SQLite and PostgreSQL (db/dialects/types.ts).
 */
function likeExpression(expr: RawBuilder<unknown>, pattern: string): RawBuilder<SqlBool> {
  return sql<SqlBool>`salestrace_lower(cast(${expr} as text)) like salestrace_lower(cast(${pattern} as text)) escape '\\'`;
}

function comparison(expr: RawBuilder<unknown>, operator: FilterOperator, value: FilterScalar | FilterScalar[]): RawBuilder<SqlBool> {
  if (Array.isArray(value)) {
    const present = value.filter((v) => v !== null && v !== '');
    const wantsEmpty = present.length !== value.length;
    const parts: RawBuilder<SqlBool>[] = [];
    if (present.length > 0) parts.push(sql<SqlBool>`${expr} in (${sql.join(present)})`);
    if (wantsEmpty) parts.push(sql<SqlBool>`(${expr} is null or cast(${expr} as text) = '')`);
    const anyOf = parts.length === 0 ? sql<SqlBool>`1 = 0` : sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
    return operator === 'notIn' ? sql<SqlBool>`not coalesce(${anyOf}, false)` : anyOf;
  }
  // An empty value means "not filled in": `{"!=name": ""}` keeps items that have a name. The
  // range operators cannot order anything against nothing, so `{">=DATE_CREATE": ""}` asks for
  // an empty field too, as `=` does; comparing a number or date column with '' would otherwise
  // answer differently on each database (or fail, on PostgreSQL).
  if (value === null || value === '') {
    const empty = sql<SqlBool>`(${expr} is null or cast(${expr} as text) = '')`;
    if (operator === 'neq') return sql<SqlBool>`not ${empty}`;
    if (operator === 'eq' || operator === 'gt' || operator === 'gte' || operator === 'lt' || operator === 'lte') return empty;
  }
  switch (operator) {
    case 'eq':
      return sql<SqlBool>`${expr} = ${value}`;
    case 'neq':
      return sql<SqlBool>`(${expr} is null or ${expr} <> ${value})`;
    case 'gt':
      return sql<SqlBool>`${expr} > ${value}`;
    case 'lt':
      return sql<SqlBool>`${expr} < ${value}`;
    case 'gte':
      return sql<SqlBool>`${expr} >= ${value}`;
    case 'lte':
      return sql<SqlBool>`${expr} <= ${value}`;
    case 'contains':
      return likeExpression(expr, likePattern(value, true));
    case 'like':
      return likeExpression(expr, likePattern(value, false));
    case 'notContains':
      return sql<SqlBool>`(${expr} is null or not ${likeExpression(expr, likePattern(value, true))})`;
    case 'notLike':
      return sql<SqlBool>`(${expr} is null or not ${likeExpression(expr, likePattern(value, false))})`;
    default:
      return sql<SqlBool>`1 = 1`;
  }
}

/** PHONE/EMAIL/…: some value of that kind matches (a plain value is a LIKE pattern, as in Bitrix). */
function multifieldCondition(type: CrmType, condition: FilterCondition): RawBuilder<SqlBool> {
  const negated = condition.operator === 'neq' || condition.operator === 'notIn' || condition.operator === 'notContains' || condition.operator === 'notLike';
  const positive: Record<FilterOperator, FilterOperator> = {
    eq: 'like', neq: 'like', in: 'in', notIn: 'in', contains: 'contains', notContains: 'contains', like: 'like', notLike: 'like',
    gt: 'gt', lt: 'lt', gte: 'gte', lte: 'lte',
  };
  const inner = comparison(sql.ref('m.value'), positive[condition.operator], condition.value);
  const exists = sql<SqlBool>`exists (select 1 from crm_multifield m where m.entity_type_id = ${type.id} and m.entity_id = t.id and m.type_id = ${condition.field.name} and ${inner})`;
  return negated ? sql<SqlBool>`not ${exists}` : exists;
}

export function filterSql(type: CrmType, node: FilterNode): RawBuilder<SqlBool> {
  if (node.kind === 'condition') {
    if (node.field.storage === 'multifield') return multifieldCondition(type, node);
    return comparison(fieldExpression(type, node.field), node.operator, node.value);
  }
  if (node.children.length === 0) return sql<SqlBool>`1 = 1`;
  const parts = node.children.map((child) => filterSql(type, child));
  return sql<SqlBool>`(${sql.join(parts, node.logic === 'OR' ? sql` or ` : sql` and `)})`;
}
