// Row types of the CRM tables (migration 0100_crm). The item tables' rows are derived from the
// field lists (src/crm/model/fields/*.ts): one column per field kept in a column, named as the
// field in lower case, every value nullable because Bitrix items may leave any field empty.
// test/db/crmColumns.test.ts checks that the migrated tables have exactly these columns.
import type { Generated } from 'kysely';
import type { COMPANY_FIELDS } from '../model/fields/company.js';
import type { CONTACT_FIELDS } from '../model/fields/contact.js';
import type { DEAL_FIELDS } from '../model/fields/deal.js';
import type { CrmField, FieldType } from '../model/fields/field.js';
import type { LEAD_FIELDS } from '../model/fields/lead.js';
import type { QUOTE_FIELDS } from '../model/fields/quote.js';

/** What a column holds per field type: text, or a number (datetimes are Unix seconds, dates 'YYYY-MM-DD' text). */
type ColumnValue<Type extends FieldType> = Type extends 'string' | 'char' | 'date' | 'crm_status' | 'crm_currency' ? string : number;

type ItemTable<Fields extends readonly CrmField[]> = {
  [F in Fields[number] as F['storage'] extends 'column' ? Lowercase<F['name']> : never]: F['name'] extends 'ID'
    ? Generated<number>
    : ColumnValue<F['type']> | null;
};

export type CrmLeadTable = ItemTable<typeof LEAD_FIELDS>;
export type CrmDealTable = ItemTable<typeof DEAL_FIELDS>;
export type CrmContactTable = ItemTable<typeof CONTACT_FIELDS>;
export type CrmCompanyTable = ItemTable<typeof COMPANY_FIELDS>;
export type CrmQuoteTable = ItemTable<typeof QUOTE_FIELDS>;

export interface CrmMultifieldTable {
  id: Generated<number>;
  entity_type_id: number;
  entity_id: number;
  /** PHONE, EMAIL, WEB, IM or LINK. */
  type_id: string;
  value_type: string;
  value: string;
}

/** UTM values of an item, one row per code (UTM_SOURCE …), as Bitrix's b_crm_utm. */
export interface CrmUtmTable {
  entity_type_id: number;
  entity_id: number;
  code: string;
  value: string;
}

export interface CrmContactBindingTable {
  owner_type_id: number;
  owner_id: number;
  contact_id: number;
  sort: number;
}

export interface CrmRolesTable {
  id: Generated<number>;
  name: string;
  created_at: number;
}

export interface CrmRolePermissionsTable {
  role_id: number;
  entity_type_id: number;
  /** READ, ADD, WRITE or DELETE. */
  action: string;
  /** NONE, OWN or ALL. */
  level: string;
}

export interface CrmUserRolesTable {
  user_id: number;
  role_id: number;
}

export interface CrmTables {
  crm_lead: CrmLeadTable;
  crm_deal: CrmDealTable;
  crm_contact: CrmContactTable;
  crm_company: CrmCompanyTable;
  crm_quote: CrmQuoteTable;
  crm_multifield: CrmMultifieldTable;
  crm_utm: CrmUtmTable;
  crm_contact_binding: CrmContactBindingTable;
  crm_roles: CrmRolesTable;
  crm_role_permissions: CrmRolePermissionsTable;
  crm_user_roles: CrmUserRolesTable;
}
