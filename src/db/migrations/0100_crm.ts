// The CRM module's tables: one table per item type with its own ID sequence, the multi-fields
// (PHONE, EMAIL, …), UTM values kept apart as Bitrix keeps them in b_crm_utm
// (sales-intelligence.md §1.11), contact bindings (CONTACT_IDS, COMPANY_IDS) and the role model.
// The column lists are frozen here so that later changes to the field definitions need a new
// migration instead of silently altering this one.
import type { Kysely } from 'kysely';
import type { DialectHelpers } from '../dialects/types.js';
import type { MigrationFactory } from './factory.js';

type ColumnKind = 'text' | 'int' | 'money' | 'stamp';

const LEAD_COLUMNS: [string, ColumnKind][] = [
  ['title', 'text'], ['honorific', 'text'], ['name', 'text'], ['second_name', 'text'],
  ['last_name', 'text'], ['birthdate', 'text'], ['company_title', 'text'], ['source_id', 'text'],
  ['source_description', 'text'], ['status_id', 'text'], ['status_description', 'text'],
  ['status_semantic_id', 'text'], ['post', 'text'], ['address', 'text'], ['address_2', 'text'],
  ['address_city', 'text'], ['address_postal_code', 'text'], ['address_region', 'text'],
  ['address_province', 'text'], ['address_country', 'text'], ['address_country_code', 'text'],
  ['address_loc_addr_id', 'int'], ['currency_id', 'text'], ['opportunity', 'money'],
  ['is_manual_opportunity', 'text'], ['opened', 'text'], ['comments', 'text'],
  ['has_phone', 'text'], ['has_email', 'text'], ['has_imol', 'text'], ['assigned_by_id', 'int'],
  ['created_by_id', 'int'], ['modify_by_id', 'int'], ['moved_by_id', 'int'],
  ['date_create', 'stamp'], ['date_modify', 'stamp'], ['moved_time', 'stamp'],
  ['company_id', 'int'], ['contact_id', 'int'], ['is_return_customer', 'text'],
  ['date_closed', 'stamp'], ['originator_id', 'text'], ['origin_id', 'text'],
  ['last_activity_time', 'stamp'], ['last_activity_by', 'int'],
];

const DEAL_COLUMNS: [string, ColumnKind][] = [
  ['title', 'text'], ['type_id', 'text'], ['category_id', 'int'], ['stage_id', 'text'],
  ['stage_semantic_id', 'text'], ['is_new', 'text'], ['is_recurring', 'text'],
  ['is_return_customer', 'text'], ['is_repeated_approach', 'text'], ['probability', 'int'],
  ['currency_id', 'text'], ['opportunity', 'money'], ['is_manual_opportunity', 'text'],
  ['tax_value', 'money'], ['company_id', 'int'], ['contact_id', 'int'], ['quote_id', 'int'],
  ['begindate', 'text'], ['closedate', 'text'], ['opened', 'text'], ['closed', 'text'],
  ['comments', 'text'], ['assigned_by_id', 'int'], ['created_by_id', 'int'],
  ['modify_by_id', 'int'], ['moved_by_id', 'int'], ['date_create', 'stamp'],
  ['date_modify', 'stamp'], ['moved_time', 'stamp'], ['source_id', 'text'],
  ['source_description', 'text'], ['lead_id', 'int'], ['additional_info', 'text'],
  ['location_id', 'int'], ['originator_id', 'text'], ['origin_id', 'text'],
  ['last_activity_time', 'stamp'], ['last_activity_by', 'int'],
];

const CONTACT_COLUMNS: [string, ColumnKind][] = [
  ['honorific', 'text'], ['name', 'text'], ['second_name', 'text'], ['last_name', 'text'],
  ['birthdate', 'text'], ['type_id', 'text'], ['source_id', 'text'],
  ['source_description', 'text'], ['post', 'text'], ['address', 'text'], ['address_2', 'text'],
  ['address_city', 'text'], ['address_postal_code', 'text'], ['address_region', 'text'],
  ['address_province', 'text'], ['address_country', 'text'], ['address_country_code', 'text'],
  ['address_loc_addr_id', 'int'], ['comments', 'text'], ['opened', 'text'], ['export', 'text'],
  ['has_phone', 'text'], ['has_email', 'text'], ['has_imol', 'text'], ['assigned_by_id', 'int'],
  ['created_by_id', 'int'], ['modify_by_id', 'int'], ['date_create', 'stamp'],
  ['date_modify', 'stamp'], ['company_id', 'int'], ['lead_id', 'int'], ['originator_id', 'text'],
  ['origin_id', 'text'], ['origin_version', 'text'], ['last_activity_time', 'stamp'],
  ['last_activity_by', 'int'],
];

const COMPANY_COLUMNS: [string, ColumnKind][] = [
  ['title', 'text'], ['company_type', 'text'], ['address', 'text'], ['address_2', 'text'],
  ['address_city', 'text'], ['address_postal_code', 'text'], ['address_region', 'text'],
  ['address_province', 'text'], ['address_country', 'text'], ['address_country_code', 'text'],
  ['address_loc_addr_id', 'int'], ['address_legal', 'text'], ['reg_address', 'text'],
  ['reg_address_2', 'text'], ['reg_address_city', 'text'], ['reg_address_postal_code', 'text'],
  ['reg_address_region', 'text'], ['reg_address_province', 'text'],
  ['reg_address_country', 'text'], ['reg_address_country_code', 'text'],
  ['reg_address_loc_addr_id', 'int'], ['banking_details', 'text'], ['industry', 'text'],
  ['employees', 'text'], ['currency_id', 'text'], ['revenue', 'money'], ['opened', 'text'],
  ['comments', 'text'], ['has_phone', 'text'], ['has_email', 'text'], ['has_imol', 'text'],
  ['is_my_company', 'text'], ['assigned_by_id', 'int'], ['created_by_id', 'int'],
  ['modify_by_id', 'int'], ['date_create', 'stamp'], ['date_modify', 'stamp'], ['lead_id', 'int'],
  ['originator_id', 'text'], ['origin_id', 'text'], ['origin_version', 'text'],
  ['last_activity_time', 'stamp'], ['last_activity_by', 'int'],
  ['last_communication_time', 'text'],
];

const QUOTE_COLUMNS: [string, ColumnKind][] = [
  ['quote_number', 'text'], ['title', 'text'], ['status_id', 'text'], ['currency_id', 'text'],
  ['opportunity', 'money'], ['tax_value', 'money'], ['company_id', 'int'], ['mycompany_id', 'int'],
  ['contact_id', 'int'], ['begindate', 'text'], ['closedate', 'text'], ['actual_date', 'text'],
  ['opened', 'text'], ['closed', 'text'], ['comments', 'text'], ['content', 'text'],
  ['terms', 'text'], ['client_title', 'text'], ['client_addr', 'text'], ['client_contact', 'text'],
  ['client_email', 'text'], ['client_phone', 'text'], ['client_tp_id', 'text'],
  ['client_tpa_id', 'text'], ['assigned_by_id', 'int'], ['created_by_id', 'int'],
  ['modify_by_id', 'int'], ['date_create', 'stamp'], ['date_modify', 'stamp'], ['lead_id', 'int'],
  ['deal_id', 'int'], ['person_type_id', 'int'], ['location_id', 'int'],
  ['last_activity_time', 'stamp'], ['last_activity_by', 'int'],
  ['last_communication_time', 'text'],
];

const ITEM_TABLES: [string, [string, ColumnKind][]][] = [
  ['crm_lead', LEAD_COLUMNS],
  ['crm_deal', DEAL_COLUMNS],
  ['crm_contact', CONTACT_COLUMNS],
  ['crm_company', COMPANY_COLUMNS],
  ['crm_quote', QUOTE_COLUMNS],
];

/** Columns other items point at, indexed so that deleting an item can unlink it quickly. */
const LINK_INDEXES: [string, string][] = [
  ['crm_lead', 'company_id'],
  ['crm_lead', 'contact_id'],
  ['crm_deal', 'company_id'],
  ['crm_deal', 'contact_id'],
  ['crm_deal', 'lead_id'],
  ['crm_deal', 'quote_id'],
  ['crm_contact', 'company_id'],
  ['crm_contact', 'lead_id'],
  ['crm_company', 'lead_id'],
  ['crm_quote', 'company_id'],
  ['crm_quote', 'mycompany_id'],
  ['crm_quote', 'contact_id'],
  ['crm_quote', 'lead_id'],
  ['crm_quote', 'deal_id'],
];

async function createItemTable(db: Kysely<any>, h: DialectHelpers, table: string, columns: [string, ColumnKind][]) {
  let builder = db.schema.createTable(table).addColumn('id', h.serial, (c) => h.autoId(c));
  for (const [name, kind] of columns) {
    if (kind === 'text') builder = builder.addColumn(name, 'text');
    else if (kind === 'int') builder = builder.addColumn(name, 'integer');
    else if (kind === 'money') builder = builder.addColumn(name, 'numeric(18, 2)');
    else builder = builder.addColumn(name, h.bigint);
  }
  await builder.execute();
  // OWN permissions filter every list by the responsible user.
  await db.schema.createIndex(`${table}_assigned`).on(table).column('assigned_by_id').execute();
}

export const crm: MigrationFactory = (h) => ({
  async up(db: Kysely<any>) {
    for (const [table, columns] of ITEM_TABLES) await createItemTable(db, h, table, columns);
    for (const [table, column] of LINK_INDEXES) {
      await db.schema.createIndex(`${table}_${column}`).on(table).column(column).execute();
    }

    await db.schema
      .createTable('crm_multifield')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('entity_type_id', 'integer', (c) => c.notNull())
      .addColumn('entity_id', 'integer', (c) => c.notNull())
      .addColumn('type_id', 'text', (c) => c.notNull())
      .addColumn('value_type', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('crm_multifield_entity').on('crm_multifield').columns(['entity_type_id', 'entity_id']).execute();
    await db.schema.createIndex('crm_multifield_value').on('crm_multifield').columns(['type_id', 'value']).execute();

    await db.schema
      .createTable('crm_utm')
      .addColumn('entity_type_id', 'integer', (c) => c.notNull())
      .addColumn('entity_id', 'integer', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('crm_utm_pk', ['entity_type_id', 'entity_id', 'code'])
      .execute();

    // A contact bound to a lead, deal, quote or company (owner). `sort` keeps the owner's order:
    // the first contact is the deprecated CONTACT_ID.
    await db.schema
      .createTable('crm_contact_binding')
      .addColumn('owner_type_id', 'integer', (c) => c.notNull())
      .addColumn('owner_id', 'integer', (c) => c.notNull())
      .addColumn('contact_id', 'integer', (c) => c.notNull())
      .addColumn('sort', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('crm_contact_binding_pk', ['owner_type_id', 'owner_id', 'contact_id'])
      .execute();
    await db.schema.createIndex('crm_contact_binding_contact').on('crm_contact_binding').column('contact_id').execute();

    await db.schema
      .createTable('crm_roles')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('name', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', h.bigint, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('crm_role_permissions')
      .addColumn('role_id', 'integer', (c) => c.notNull().references('crm_roles.id').onDelete('cascade'))
      .addColumn('entity_type_id', 'integer', (c) => c.notNull())
      .addColumn('action', 'text', (c) => c.notNull())
      .addColumn('level', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('crm_role_permissions_pk', ['role_id', 'entity_type_id', 'action'])
      .execute();
    await db.schema
      .createTable('crm_user_roles')
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('role_id', 'integer', (c) => c.notNull().references('crm_roles.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('crm_user_roles_pk', ['user_id', 'role_id'])
      .execute();
    await db.schema.createIndex('crm_user_roles_role').on('crm_user_roles').column('role_id').execute();
  },
  async down(db: Kysely<any>) {
    for (const table of ['crm_user_roles', 'crm_role_permissions', 'crm_roles', 'crm_contact_binding', 'crm_utm', 'crm_multifield']) {
      await db.schema.dropTable(table).execute();
    }
    for (const [table] of [...ITEM_TABLES].reverse()) await db.schema.dropTable(table).execute();
  },
});
