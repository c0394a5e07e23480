// Telephony (issue 14): external lines, live calls, the call statistics and the call activities
// (tracker-and-calls.md §4.6; bitrix24-docs/api-reference/telephony/, crm/timeline/activities/).
import type { Kysely } from 'kysely';
import type { MigrationFactory } from './factory.js';

export const telephony: MigrationFactory = (h) => ({
  async up(db: Kysely<any>) {
    // telephony.externalLine.*: per application or webhook (`owner`), as Bitrix keeps them per REST_APP_ID.
    await db.schema
      .createTable('telephony_lines')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('number', 'text', (c) => c.notNull())
      .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('crm_auto_create', 'text', (c) => c.notNull().defaultTo('Y'))
      .addColumn('created_at', h.bigint, (c) => c.notNull())
      .addUniqueConstraint('telephony_lines_owner_number', ['owner', 'number'])
      .execute();

    // Registered calls not finished yet (voximplant's CallTable).
    await db.schema
      .createTable('telephony_calls')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('call_id', 'text', (c) => c.notNull().unique())
      .addColumn('owner', 'text', (c) => c.notNull())
      .addColumn('user_id', 'integer', (c) => c.notNull())
      .addColumn('phone_number', 'text', (c) => c.notNull())
      .addColumn('portal_number', 'text', (c) => c.notNull())
      .addColumn('line_number', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('type', 'integer', (c) => c.notNull())
      .addColumn('external_call_id', 'text')
      .addColumn('start_at', h.bigint, (c) => c.notNull())
      .addColumn('registered_at', h.bigint, (c) => c.notNull())
      .addColumn('crm_entity_type', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('crm_entity_id', 'integer')
      .addColumn('created_lead_id', 'integer')
      .addColumn('created_json', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('items_json', 'text', (c) => c.notNull().defaultTo('[]'))
      .addColumn('trace_id', 'integer')
      .addColumn('call_list_id', 'integer')
      .execute();
    await db.schema.createIndex('telephony_calls_repeat').on('telephony_calls').columns(['owner', 'phone_number', 'registered_at']).execute();

    // telephony.externalCall.finish's record (voximplant's StatisticTable).
    await db.schema
      .createTable('telephony_statistics')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('call_id', 'text', (c) => c.notNull())
      .addColumn('external_call_id', 'text')
      .addColumn('portal_user_id', 'integer', (c) => c.notNull())
      .addColumn('phone_number', 'text', (c) => c.notNull())
      .addColumn('portal_number', 'text', (c) => c.notNull())
      .addColumn('incoming', 'text', (c) => c.notNull())
      .addColumn('call_duration', 'integer', (c) => c.notNull())
      .addColumn('call_start_date', h.bigint, (c) => c.notNull())
      .addColumn('call_status', 'integer', (c) => c.notNull())
      .addColumn('call_vote', 'integer')
      .addColumn('cost', 'double precision', (c) => c.notNull())
      .addColumn('cost_currency', 'text', (c) => c.notNull())
      .addColumn('call_failed_code', 'text', (c) => c.notNull())
      .addColumn('call_failed_reason', 'text', (c) => c.notNull())
      .addColumn('rest_app_id', 'integer')
      .addColumn('rest_app_name', 'text')
      .addColumn('crm_activity_id', 'integer')
      .addColumn('crm_entity_type', 'text', (c) => c.notNull())
      .addColumn('crm_entity_id', 'integer')
      .addColumn('record_url', 'text')
      .execute();

    // CRM call activities (CCrmActivity, type call) and the items each is bound to.
    await db.schema
      .createTable('call_activities')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('owner_type_id', 'integer', (c) => c.notNull())
      .addColumn('owner_id', 'integer', (c) => c.notNull())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('direction', 'integer', (c) => c.notNull())
      .addColumn('responsible_id', 'integer', (c) => c.notNull())
      .addColumn('author_id', 'integer', (c) => c.notNull())
      .addColumn('start_time', h.bigint, (c) => c.notNull())
      .addColumn('end_time', h.bigint, (c) => c.notNull())
      .addColumn('created', h.bigint, (c) => c.notNull())
      .addColumn('origin_id', 'text', (c) => c.notNull())
      .addColumn('phone_number', 'text', (c) => c.notNull())
      .addColumn('missed', 'integer', (c) => c.notNull())
      .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
      .execute();
    await db.schema
      .createTable('call_activity_bindings')
      .addColumn('activity_id', 'integer', (c) => c.notNull().references('call_activities.id').onDelete('cascade'))
      .addColumn('owner_type_id', 'integer', (c) => c.notNull())
      .addColumn('owner_id', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('call_activity_bindings_pk', ['activity_id', 'owner_type_id', 'owner_id'])
      .execute();
    await db.schema.createIndex('call_activity_bindings_owner').on('call_activity_bindings').columns(['owner_type_id', 'owner_id']).execute();
  },
  async down(db: Kysely<any>) {
    for (const table of ['call_activity_bindings', 'call_activities', 'telephony_statistics', 'telephony_calls', 'telephony_lines']) {
      await db.schema.dropTable(table).execute();
    }
  },
});
