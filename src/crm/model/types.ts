// The five item types: their table, fields, stages and the few behaviours in which Bitrix24's
// legacy methods differ from one type to another (restservice.php proxies).
import { CRM_ENTITY_TYPES, type CrmEntityTypeId, type CrmEntityTypeName } from './entityTypes.js';
import type { ErrorKey } from '../../rest/errors.js';
import { COMPANY_FIELDS } from './fields/company.js';
import { CONTACT_FIELDS } from './fields/contact.js';
import { DEAL_FIELDS } from './fields/deal.js';
import type { CrmField } from './fields/field.js';
import { LEAD_FIELDS } from './fields/lead.js';
import { QUOTE_FIELDS } from './fields/quote.js';
import { DEAL_STAGES, LEAD_STATUSES, QUOTE_STATUSES, type StageList } from './stages.js';

export type CrmItemTableName = 'crm_lead' | 'crm_deal' | 'crm_contact' | 'crm_company' | 'crm_quote';

export interface CrmType {
  readonly id: CrmEntityTypeId;
  readonly name: CrmEntityTypeName;
  /** Lower-case name used in method names: crm.{method}.add. */
  readonly method: string;
  readonly table: CrmItemTableName;
  /** Used in default titles: "Deal #12". */
  readonly caption: string;
  readonly fields: readonly CrmField[];
  readonly stages?: StageList;
  readonly hasMultifields: boolean;
  readonly hasTitle: boolean;
  /** crm.{type}.add refuses an empty TITLE instead of generating one (company, quote). */
  readonly legacyTitleRequired: boolean;
  readonly legacy: {
    /** crm.{type}.update error for a missing item (CCrm*RestProxy::innerUpdate). */
    readonly updateNotFound: ErrorKey;
    /** crm.{type}.delete error for a missing item. */
    readonly deleteNotFound: ErrorKey;
    /**
     * 'item': the permission check runs on the item first, so a caller with OWN access gets
     * "Access denied." for a missing ID. 'type': deals look the item up first and answer
     * "Not found" unless the caller has no access to deals at all (restservice.php deal proxy).
     */
    readonly missingItemCheck: 'item' | 'type';
  };
  byName(name: string): CrmField | undefined;
  byItemName(name: string): CrmField | undefined;
}

function defineType(spec: Omit<CrmType, 'byName' | 'byItemName' | 'hasMultifields' | 'hasTitle'>): CrmType {
  const byName = new Map(spec.fields.map((f) => [f.name, f]));
  const byItemName = new Map(spec.fields.map((f) => [f.itemName, f]));
  return {
    ...spec,
    hasMultifields: spec.fields.some((f) => f.storage === 'multifield'),
    hasTitle: byName.has('TITLE'),
    byName: (name) => byName.get(name),
    byItemName: (name) => byItemName.get(name),
  };
}

export const CRM_TYPES: readonly CrmType[] = [
  defineType({
    id: CRM_ENTITY_TYPES.LEAD,
    name: 'LEAD',
    method: 'lead',
    table: 'crm_lead',
    caption: 'Lead',
    fields: LEAD_FIELDS,
    stages: LEAD_STATUSES,
    legacyTitleRequired: false,
    legacy: { updateNotFound: 'LEGACY_LEAD_NOT_FOUND', deleteNotFound: 'LEGACY_NOT_FOUND', missingItemCheck: 'item' },
  }),
  defineType({
    id: CRM_ENTITY_TYPES.DEAL,
    name: 'DEAL',
    method: 'deal',
    table: 'crm_deal',
    caption: 'Deal',
    fields: DEAL_FIELDS,
    stages: DEAL_STAGES,
    legacyTitleRequired: false,
    legacy: { updateNotFound: 'LEGACY_NOT_FOUND', deleteNotFound: 'LEGACY_NOT_FOUND', missingItemCheck: 'type' },
  }),
  defineType({
    id: CRM_ENTITY_TYPES.CONTACT,
    name: 'CONTACT',
    method: 'contact',
    table: 'crm_contact',
    caption: 'Contact',
    fields: CONTACT_FIELDS,
    legacyTitleRequired: false,
    legacy: { updateNotFound: 'LEGACY_CONTACT_NOT_FOUND', deleteNotFound: 'LEGACY_CONTACT_NOT_FOUND', missingItemCheck: 'item' },
  }),
  defineType({
    id: CRM_ENTITY_TYPES.COMPANY,
    name: 'COMPANY',
    method: 'company',
    table: 'crm_company',
    caption: 'Company',
    fields: COMPANY_FIELDS,
    legacyTitleRequired: true,
    legacy: { updateNotFound: 'LEGACY_COMPANY_NOT_FOUND', deleteNotFound: 'LEGACY_COMPANY_NOT_FOUND', missingItemCheck: 'item' },
  }),
  defineType({
    id: CRM_ENTITY_TYPES.QUOTE,
    name: 'QUOTE',
    method: 'quote',
    table: 'crm_quote',
    caption: 'Estimate',
    fields: QUOTE_FIELDS,
    stages: QUOTE_STATUSES,
    legacyTitleRequired: true,
    legacy: { updateNotFound: 'LEGACY_QUOTE_NOT_FOUND', deleteNotFound: 'LEGACY_ELEMENT_NOT_FOUND', missingItemCheck: 'item' },
  }),
];

export function crmTypeById(id: number): CrmType | undefined {
  return CRM_TYPES.find((type) => type.id === id);
}

export function crmTypeByName(name: CrmEntityTypeName): CrmType {
  const type = CRM_TYPES.find((t) => t.name === name);
  if (!type) throw new Error(`unknown CRM type ${name}`);
  return type;
}
