// The role model: a role grants, per item type and action, NONE, OWN (items whose
// ASSIGNED_BY_ID is the caller) or ALL. A user's level is the widest any of their roles grants;
// administrators have ALL. A user without any role has no CRM access (COMPATIBILITY.md).
import type { Executor } from '../../db/schema.js';
import type { Caller } from '../../auth/caller.js';

export const CRM_ACTIONS = ['READ', 'ADD', 'WRITE', 'DELETE'] as const;
export type CrmAction = (typeof CRM_ACTIONS)[number];

export const PERMISSION_LEVELS = ['NONE', 'OWN', 'ALL'] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

const RANK: Record<PermissionLevel, number> = { NONE: 0, OWN: 1, ALL: 2 };

export function isPermissionLevel(text: string): text is PermissionLevel {
  return (PERMISSION_LEVELS as readonly string[]).includes(text);
}

export function isCrmAction(text: string): text is CrmAction {
  return (CRM_ACTIONS as readonly string[]).includes(text);
}

export async function permissionLevel(
  db: Executor,
  caller: Caller,
  entityTypeId: number,
  action: CrmAction,
): Promise<PermissionLevel> {
  if (caller.isAdmin) return 'ALL';
  const rows = await db
    .selectFrom('crm_user_roles')
    .innerJoin('crm_role_permissions', 'crm_role_permissions.role_id', 'crm_user_roles.role_id')
    .select('crm_role_permissions.level')
    .where('crm_user_roles.user_id', '=', caller.userId)
    .where('crm_role_permissions.entity_type_id', '=', entityTypeId)
    .where('crm_role_permissions.action', '=', action)
    .execute();
  let widest: PermissionLevel = 'NONE';
  for (const row of rows) {
    if (isPermissionLevel(row.level) && RANK[row.level] > RANK[widest]) widest = row.level;
  }
  return widest;
}

/** Whether a level lets the caller act on an item with this responsible user. */
export function levelCovers(level: PermissionLevel, assignedById: number | null | undefined, caller: Caller): boolean {
  if (level === 'ALL') return true;
  if (level === 'OWN') return assignedById !== null && assignedById !== undefined && assignedById === caller.userId;
  return false;
}
