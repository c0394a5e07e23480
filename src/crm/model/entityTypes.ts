// The CRM object types and their IDs (bitrix24-docs/api-reference/crm/data-types.md "CRM Object
// Types"). Other modules name them through src/crm/contract.ts, which re-exports these.

export const CRM_ENTITY_TYPES = { LEAD: 1, DEAL: 2, CONTACT: 3, COMPANY: 4, QUOTE: 7 } as const;

export type CrmEntityTypeName = keyof typeof CRM_ENTITY_TYPES;
export type CrmEntityTypeId = (typeof CRM_ENTITY_TYPES)[CrmEntityTypeName];

export function entityTypeName(id: number): CrmEntityTypeName | undefined {
  return (Object.keys(CRM_ENTITY_TYPES) as CrmEntityTypeName[]).find((name) => CRM_ENTITY_TYPES[name] === id);
}
