// Roles as stored: managing them (the `salestrace role` commands and tests: create a role,
// grant it a level per type and action, assign it to users) and the levels a user's roles grant.
import { lockRows } from '../../db/dialects/rowLocks.js';
import { fitsIntegerColumn } from '../../db/integers.js';
import type { Executor } from '../../db/schema.js';
import type { CrmAction, PermissionLevel } from '../model/permissions.js';

export interface Role {
  readonly id: number;
  readonly name: string;
}

export interface RoleGrant {
  readonly entityTypeId: number;
  readonly action: CrmAction;
  readonly level: PermissionLevel;
}

export async function createRole(db: Executor, name: string, nowSeconds: number): Promise<Role> {
  const trimmed = name.trim();
  if (trimmed === '') throw new Error('a role needs a name');
  if (await findRole(db, trimmed)) throw new Error(`a role named "${trimmed}" already exists`);
  const inserted = await db
    .insertInto('crm_roles')
    .values({ name: trimmed, created_at: Math.floor(nowSeconds) })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id: inserted.id, name: trimmed };
}

/** A role by its exact name, or by its numeric ID. */
export async function findRole(db: Executor, nameOrId: string): Promise<Role | undefined> {
  const byName = await db.selectFrom('crm_roles').select(['id', 'name']).where('name', '=', nameOrId).executeTakeFirst();
  if (byName) return byName;
  if (!/^[1-9]\d{0,9}$/.test(nameOrId) || !fitsIntegerColumn(Number(nameOrId))) return undefined;
  return db.selectFrom('crm_roles').select(['id', 'name']).where('id', '=', Number(nameOrId)).executeTakeFirst();
}

export async function listRoles(db: Executor): Promise<(Role & { grants: RoleGrant[]; users: number[] })[]> {
  const roles = await db.selectFrom('crm_roles').select(['id', 'name']).orderBy('id').execute();
  const grants = await db.selectFrom('crm_role_permissions').selectAll().orderBy('entity_type_id').orderBy('action').execute();
  const users = await db.selectFrom('crm_user_roles').selectAll().orderBy('user_id').execute();
  return roles.map((role) => ({
    ...role,
    grants: grants
      .filter((g) => g.role_id === role.id)
      .map((g) => ({ entityTypeId: g.entity_type_id, action: g.action as CrmAction, level: g.level as PermissionLevel })),
    users: users.filter((u) => u.role_id === role.id).map((u) => u.user_id),
  }));
}

/** Sets the role's level for one type and action (replacing an earlier grant). */
export async function grantRole(db: Executor, roleId: number, grant: RoleGrant): Promise<void> {
  // Two grants to one role run one after the other instead of both inserting after the delete.
  await lockRows(db, 'crm_roles', [roleId], 'noKeyUpdate');
  await db
    .deleteFrom('crm_role_permissions')
    .where('role_id', '=', roleId)
    .where('entity_type_id', '=', grant.entityTypeId)
    .where('action', '=', grant.action)
    .execute();
  await db
    .insertInto('crm_role_permissions')
    .values({ role_id: roleId, entity_type_id: grant.entityTypeId, action: grant.action, level: grant.level })
    .execute();
}

export async function assignRole(db: Executor, userId: number, roleId: number): Promise<void> {
  await lockRows(db, 'users', [userId], 'noKeyUpdate');
  const existing = await db
    .selectFrom('crm_user_roles')
    .select('role_id')
    .where('user_id', '=', userId)
    .where('role_id', '=', roleId)
    .executeTakeFirst();
  if (!existing) await db.insertInto('crm_user_roles').values({ user_id: userId, role_id: roleId }).execute();
}

/** The levels the user's roles grant for this type and action, as stored (one per role that grants any). */
export async function grantedLevels(db: Executor, userId: number, entityTypeId: number, action: CrmAction): Promise<string[]> {
  const rows = await db
    .selectFrom('crm_user_roles')
    .innerJoin('crm_role_permissions', 'crm_role_permissions.role_id', 'crm_user_roles.role_id')
    .select('crm_role_permissions.level')
    .where('crm_user_roles.user_id', '=', userId)
    .where('crm_role_permissions.entity_type_id', '=', entityTypeId)
    .where('crm_role_permissions.action', '=', action)
    .execute();
  return rows.map((row) => row.level);
}
