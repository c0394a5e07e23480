// The website side (issue 12): the customer's own sites (b_crm_tracking_site), the guests the
// browser tracker registers through /pub/guest.php (b_crm_button_guest, b_crm_button_guest_entity)
// and Salestrace's site forms (tracker-and-calls.md §2.2, §3.4; sales-intelligence.md §1.10).
import type { Kysely } from 'kysely';
import type { MigrationFactory } from './factory.js';

export const sites: MigrationFactory = (h) => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('sites')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('address', 'text', (c) => c.notNull())
      .addColumn('host', 'text', (c) => c.notNull().unique())
      .addColumn('phones_json', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('emails_json', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('replace_text', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('enrich_text', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('resolve_dup', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('installed', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', h.bigint, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('site_guests')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('gid', 'text', (c) => c.notNull().unique())
      .addColumn('created_at', h.bigint, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('site_guest_items')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('guest_id', 'integer', (c) => c.notNull().references('site_guests.id').onDelete('cascade'))
      .addColumn('entity_type_id', 'integer', (c) => c.notNull())
      .addColumn('entity_id', 'integer', (c) => c.notNull())
      .addColumn('created_at', h.bigint, (c) => c.notNull())
      .addUniqueConstraint('site_guest_items_pair', ['guest_id', 'entity_type_id', 'entity_id'])
      .execute();

    await db.schema
      .createTable('site_forms')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('code', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('site_id', 'integer')
      .addColumn('fields_json', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('create_contact', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('responsible_id', 'integer')
      .addColumn('thanks_url', 'text')
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', h.bigint, (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('site_forms').execute();
    await db.schema.dropTable('site_guest_items').execute();
    await db.schema.dropTable('site_guests').execute();
    await db.schema.dropTable('sites').execute();
  },
});
