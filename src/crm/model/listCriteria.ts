// A decoded list request as the service and the store see it: which items (a tree of
// conditions on fields) and in which order. The methods layer builds it from `filter` and
// `order` (src/crm/methods/filter.ts, listQuery.ts); the store turns it into SQL.
import type { CrmField } from './fields/field.js';

export type FilterOperator =
  | 'eq'
  | 'neq'
  | 'gt'
  | 'lt'
  | 'gte'
  | 'lte'
  | 'in'
  | 'notIn'
  /** `%`: substring, the value's own % and _ are literal. */
  | 'contains'
  | 'notContains'
  /** `=%` / `%=`: the value is a LIKE pattern. */
  | 'like'
  | 'notLike';

export type FilterScalar = string | number | null;

export interface FilterCondition {
  readonly kind: 'condition';
  readonly field: CrmField;
  readonly operator: FilterOperator;
  /** One value, or the list for in / notIn. */
  readonly value: FilterScalar | FilterScalar[];
}

export interface FilterGroup {
  readonly kind: 'group';
  readonly logic: 'AND' | 'OR';
  readonly children: readonly FilterNode[];
}

export type FilterNode = FilterCondition | FilterGroup;

export type SortDirection = 'asc' | 'desc';
