// The role model: a role grants, per item type and action, NONE, OWN (items whose
// ASSIGNED_BY_ID is the caller) or ALL. A user's level is the widest any of their roles grants;
// administrators have ALL. A user without any role has no CRM access (COMPATIBILITY.md).
import type { Executor } from '../../db/schema.js';
import type { Caller } from '../../auth/caller.js';
import { isPermissionLevel, type CrmAction, type PermissionLevel } from '../model/permissions.js';
import { grantedLevels } from '../store/roles.js';

const RANK: Record<PermissionLevel, number> = { NONE: 0, OWN: 1, ALL: 2 };

export async function permissionLevel(
  db: Executor,
  caller: Caller,
  entityTypeId: number,
  action: CrmAction,
): Promise<PermissionLevel> {
  if (caller.isAdmin) return 'ALL';
  let widest: PermissionLevel = 'NONE';
  for (const level of await grantedLevels(db, caller.userId, entityTypeId, action)) {
    if (isPermissionLevel(level) && RANK[level] > RANK[widest]) widest = level;
  }
  return widest;
}

/** Whether a level lets the caller act on an item with this responsible user. */
export function levelCovers(level: PermissionLevel, assignedById: number | null | undefined, caller: Caller): boolean {
  if (level === 'ALL') return true;
  if (level === 'OWN') return assignedById !== null && assignedById !== undefined && assignedById === caller.userId;
  return false;
}
