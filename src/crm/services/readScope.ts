// Which items a user may read, in a form other modules compose into their own SQL (tracking's
// trace visibility): every item, none, or the caller's own items through the responsible-user
// index. The levels are the role model's READ levels (permissions.ts).
import type { Kysely } from 'kysely';
import type { Caller } from '../../auth/caller.js';
import type { Db, Executor } from '../../db/schema.js';
import type { ItemReadScope, ItemReadScopes } from '../contract.js';
import { CRM_TYPES, type CrmType } from '../model/types.js';
import type { PermissionLevel } from '../model/permissions.js';
import { permissionLevel } from './permissions.js';

const EVERY_ITEM: ItemReadScope = { kind: 'ALL' };
const NO_ITEM: ItemReadScope = { kind: 'NONE' };

function scopeOf(db: Executor, type: CrmType, level: PermissionLevel, userId: number): ItemReadScope {
  if (level === 'ALL') return EVERY_ITEM;
  if (level === 'NONE') return NO_ITEM;
  // The item tables are named per type, which Kysely's table types cannot follow.
  const untyped = db as unknown as Kysely<any>;
  return {
    kind: 'SOME',
    itemIds: (alias) => untyped.selectFrom(`${type.table} as ${alias}`).select(`${alias}.id`).where(`${alias}.assigned_by_id`, '=', userId),
  };
}

export class CrmReadScopes implements ItemReadScopes {
  constructor(private readonly db: Db) {}

  async readScopes(caller: Caller, db: Executor = this.db): Promise<ReadonlyMap<number, ItemReadScope>> {
    const scopes = new Map<number, ItemReadScope>();
    for (const type of CRM_TYPES) scopes.set(type.id, scopeOf(db, type, await permissionLevel(db, caller, type.id, 'READ'), caller.userId));
    return scopes;
  }
}
