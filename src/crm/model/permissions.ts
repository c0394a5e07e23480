// The words of the role model: the actions a role grants per item type, and the levels it
// grants them at (src/crm/services/permissions.ts applies them).

export const CRM_ACTIONS = ['READ', 'ADD', 'WRITE', 'DELETE'] as const;
export type CrmAction = (typeof CRM_ACTIONS)[number];

/** NONE, OWN (items whose ASSIGNED_BY_ID is the caller) or ALL. */
export const PERMISSION_LEVELS = ['NONE', 'OWN', 'ALL'] as const;
export type PermissionLevel = (typeof PERMISSION_LEVELS)[number];

export function isPermissionLevel(text: string): text is PermissionLevel {
  return (PERMISSION_LEVELS as readonly string[]).includes(text);
}

export function isCrmAction(text: string): text is CrmAction {
  return (CRM_ACTIONS as readonly string[]).includes(text);
}
