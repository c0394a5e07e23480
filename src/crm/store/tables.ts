// Row types of the CRM tables (migration 0100_crm). Item columns are the fields of
// src/crm/model/fields/*.ts in lower case; every value is nullable because Bitrix items may leave
// any field empty.
import type { Generated } from 'kysely';

export interface CrmLeadTable {
  id: Generated<number>;
  title: string | null;
  honorific: string | null;
  name: string | null;
  second_name: string | null;
  last_name: string | null;
  birthdate: string | null;
  company_title: string | null;
  source_id: string | null;
  source_description: string | null;
  status_id: string | null;
  status_description: string | null;
  status_semantic_id: string | null;
  post: string | null;
  address: string | null;
  address_2: string | null;
  address_city: string | null;
  address_postal_code: string | null;
  address_region: string | null;
  address_province: string | null;
  address_country: string | null;
  address_country_code: string | null;
  address_loc_addr_id: number | null;
  currency_id: string | null;
  opportunity: number | null;
  is_manual_opportunity: string | null;
  opened: string | null;
  comments: string | null;
  has_phone: string | null;
  has_email: string | null;
  has_imol: string | null;
  assigned_by_id: number | null;
  created_by_id: number | null;
  modify_by_id: number | null;
  moved_by_id: number | null;
  date_create: number | null;
  date_modify: number | null;
  moved_time: number | null;
  company_id: number | null;
  contact_id: number | null;
  is_return_customer: string | null;
  date_closed: number | null;
  originator_id: string | null;
  origin_id: string | null;
  last_activity_time: number | null;
  last_activity_by: number | null;
}

export interface CrmDealTable {
  id: Generated<number>;
  title: string | null;
  type_id: string | null;
  category_id: number | null;
  stage_id: string | null;
  stage_semantic_id: string | null;
  is_new: string | null;
  is_recurring: string | null;
  is_return_customer: string | null;
  is_repeated_approach: string | null;
  probability: number | null;
  currency_id: string | null;
  opportunity: number | null;
  is_manual_opportunity: string | null;
  tax_value: number | null;
  company_id: number | null;
  contact_id: number | null;
  quote_id: number | null;
  begindate: string | null;
  closedate: string | null;
  opened: string | null;
  closed: string | null;
  comments: string | null;
  assigned_by_id: number | null;
  created_by_id: number | null;
  modify_by_id: number | null;
  moved_by_id: number | null;
  date_create: number | null;
  date_modify: number | null;
  moved_time: number | null;
  source_id: string | null;
  source_description: string | null;
  lead_id: number | null;
  additional_info: string | null;
  location_id: number | null;
  originator_id: string | null;
  origin_id: string | null;
  last_activity_time: number | null;
  last_activity_by: number | null;
}

export interface CrmContactTable {
  id: Generated<number>;
  honorific: string | null;
  name: string | null;
  second_name: string | null;
  last_name: string | null;
  birthdate: string | null;
  type_id: string | null;
  source_id: string | null;
  source_description: string | null;
  post: string | null;
  address: string | null;
  address_2: string | null;
  address_city: string | null;
  address_postal_code: string | null;
  address_region: string | null;
  address_province: string | null;
  address_country: string | null;
  address_country_code: string | null;
  address_loc_addr_id: number | null;
  comments: string | null;
  opened: string | null;
  export: string | null;
  has_phone: string | null;
  has_email: string | null;
  has_imol: string | null;
  assigned_by_id: number | null;
  created_by_id: number | null;
  modify_by_id: number | null;
  date_create: number | null;
  date_modify: number | null;
  company_id: number | null;
  lead_id: number | null;
  originator_id: string | null;
  origin_id: string | null;
  origin_version: string | null;
  last_activity_time: number | null;
  last_activity_by: number | null;
}

export interface CrmCompanyTable {
  id: Generated<number>;
  title: string | null;
  company_type: string | null;
  address: string | null;
  address_2: string | null;
  address_city: string | null;
  address_postal_code: string | null;
  address_region: string | null;
  address_province: string | null;
  address_country: string | null;
  address_country_code: string | null;
  address_loc_addr_id: number | null;
  address_legal: string | null;
  reg_address: string | null;
  reg_address_2: string | null;
  reg_address_city: string | null;
  reg_address_postal_code: string | null;
  reg_address_region: string | null;
  reg_address_province: string | null;
  reg_address_country: string | null;
  reg_address_country_code: string | null;
  reg_address_loc_addr_id: number | null;
  banking_details: string | null;
  industry: string | null;
  employees: string | null;
  currency_id: string | null;
  revenue: number | null;
  opened: string | null;
  comments: string | null;
  has_phone: string | null;
  has_email: string | null;
  has_imol: string | null;
  is_my_company: string | null;
  assigned_by_id: number | null;
  created_by_id: number | null;
  modify_by_id: number | null;
  date_create: number | null;
  date_modify: number | null;
  lead_id: number | null;
  originator_id: string | null;
  origin_id: string | null;
  origin_version: string | null;
  last_activity_time: number | null;
  last_activity_by: number | null;
  last_communication_time: string | null;
}

export interface CrmQuoteTable {
  id: Generated<number>;
  quote_number: string | null;
  title: string | null;
  status_id: string | null;
  currency_id: string | null;
  opportunity: number | null;
  tax_value: number | null;
  company_id: number | null;
  mycompany_id: number | null;
  contact_id: number | null;
  begindate: string | null;
  closedate: string | null;
  actual_date: string | null;
  opened: string | null;
  closed: string | null;
  comments: string | null;
  content: string | null;
  terms: string | null;
  client_title: string | null;
  client_addr: string | null;
  client_contact: string | null;
  client_email: string | null;
  client_phone: string | null;
  client_tp_id: string | null;
  client_tpa_id: string | null;
  assigned_by_id: number | null;
  created_by_id: number | null;
  modify_by_id: number | null;
  date_create: number | null;
  date_modify: number | null;
  lead_id: number | null;
  deal_id: number | null;
  person_type_id: number | null;
  location_id: number | null;
  last_activity_time: number | null;
  last_activity_by: number | null;
  last_communication_time: string | null;
}

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
