// Outbound events (events.md §1, §2.6, §4): the bound handlers (b_rest_event), the offline
// queue (b_rest_event_offline), and the outbox the sender delivers from. The outbox is written
// in the same transaction as the change that raised the event, so a crash loses none.
import type { Kysely } from 'kysely';
import type { MigrationFactory } from './factory.js';

export const events: MigrationFactory = (h) => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('event_handlers')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      // 0 for outgoing webhooks; no foreign key, so the webhooks' rows can share the column.
      .addColumn('app_id', 'integer', (c) => c.notNull())
      .addColumn('event_name', 'text', (c) => c.notNull())
      // '' is an offline handler.
      .addColumn('handler', 'text', (c) => c.notNull())
      // The auth_type user; 0 is the user whose action raised the event.
      .addColumn('user_id', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('connector_id', 'text', (c) => c.notNull().defaultTo(''))
      // Outgoing webhooks only: the token shown to the user; '' for apps.
      .addColumn('application_token', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('options_json', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('created_at', h.bigint, (c) => c.notNull())
      .execute();
    await db.schema
      .createIndex('event_handlers_unique')
      .on('event_handlers')
      .columns(['app_id', 'event_name', 'handler', 'user_id', 'connector_id', 'application_token'])
      .unique()
      .execute();
    await db.schema.createIndex('event_handlers_event').on('event_handlers').columns(['event_name', 'id']).execute();

    await db.schema
      .createTable('event_outbox')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('handler_id', 'integer', (c) => c.notNull())
      .addColumn('event_name', 'text', (c) => c.notNull())
      // `data` as JSON, exactly as the handler receives it.
      .addColumn('data_json', 'text', (c) => c.notNull())
      // Whose token `auth` carries; 0 for none.
      .addColumn('user_id', 'integer', (c) => c.notNull().defaultTo(0))
      // Unix seconds of the change (`ts`).
      .addColumn('ts', h.bigint, (c) => c.notNull())
      .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
      // Unix milliseconds before which the next attempt waits.
      .addColumn('next_at', h.bigint, (c) => c.notNull().defaultTo(0))
      // For a delivery that outlives its handler row (ONAPPUNINSTALL): {"url", "applicationToken"}.
      .addColumn('detached_json', 'text')
      .execute();
    await db.schema.createIndex('event_outbox_handler').on('event_outbox').columns(['handler_id', 'id']).execute();

    await db.schema
      .createTable('event_offline')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      // Unix milliseconds of the latest enqueue (TIMESTAMP_X).
      .addColumn('timestamp_x', h.bigint, (c) => c.notNull())
      .addColumn('message_id', 'text', (c) => c.notNull())
      .addColumn('app_id', 'integer', (c) => c.notNull())
      .addColumn('event_name', 'text', (c) => c.notNull())
      .addColumn('event_data', 'text', (c) => c.notNull())
      .addColumn('event_additional', 'text', (c) => c.notNull())
      .addColumn('process_id', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('connector_id', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('error', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createIndex('event_offline_queue')
      .on('event_offline')
      .columns(['app_id', 'connector_id', 'process_id', 'message_id'])
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('event_offline').execute();
    await db.schema.dropTable('event_outbox').execute();
    await db.schema.dropTable('event_handlers').execute();
  },
});
