// Sales Intelligence: traces, their bindings to CRM items, channels, the tree of previous
// visits, and sources with their matching values (sales-intelligence.md §1).
import type { Kysely } from 'kysely';
import type { MigrationFactory } from './factory.js';

/** The built-in sources as this migration seeds them, in Bitrix's static order (§3.1). */
const BUILT_IN_SOURCES = [
  { code: 'google', name: 'Google Ads' },
  { code: 'fb', name: 'Facebook' },
  { code: 'instagram', name: 'Instagram' },
  { code: 'vkads', name: 'VK Ads' },
  { code: 'vk', name: 'VK' },
  { code: 'yandex', name: 'Yandex.Direct' },
];

export const tracking: MigrationFactory = (h) => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('tracking_traces')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('created_at', h.bigint, (c) => c.notNull())
      .addColumn('source_id', 'integer')
      .addColumn('is_mobile', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('tags_json', 'text', (c) => c.notNull().defaultTo('{}'))
      .addColumn('pages_json', 'text', (c) => c.notNull().defaultTo('[]'))
      .execute();
    await db.schema.createIndex('tracking_traces_source').on('tracking_traces').column('source_id').execute();
    await db.schema.createIndex('tracking_traces_created').on('tracking_traces').column('created_at').execute();

    // Bitrix has no unique key here and checks in code; the key makes binding idempotent
    // under concurrent calls too. It also serves the "bindings of a trace" lookup.
    await db.schema
      .createTable('tracking_trace_items')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('trace_id', 'integer', (c) => c.notNull().references('tracking_traces.id').onDelete('cascade'))
      .addColumn('entity_type_id', 'integer', (c) => c.notNull())
      .addColumn('entity_id', 'integer', (c) => c.notNull())
      .addUniqueConstraint('tracking_trace_items_pair', ['trace_id', 'entity_type_id', 'entity_id'])
      .execute();
    await db.schema
      .createIndex('tracking_trace_items_item')
      .on('tracking_trace_items')
      .columns(['entity_type_id', 'entity_id'])
      .execute();

    await db.schema
      .createTable('tracking_trace_channels')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('trace_id', 'integer', (c) => c.notNull().references('tracking_traces.id').onDelete('cascade'))
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('value', 'text')
      .addUniqueConstraint('tracking_trace_channels_code', ['trace_id', 'code'])
      .execute();

    await db.schema
      .createTable('tracking_trace_tree')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('parent_id', 'integer', (c) => c.notNull().references('tracking_traces.id').onDelete('cascade'))
      .addColumn('child_id', 'integer', (c) => c.notNull().references('tracking_traces.id').onDelete('cascade'))
      .addUniqueConstraint('tracking_trace_tree_pair', ['parent_id', 'child_id'])
      .execute();
    await db.schema.createIndex('tracking_trace_tree_child').on('tracking_trace_tree').column('child_id').execute();

    await db.schema
      .createTable('tracking_sources')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('code', 'text', (c) => c.unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', h.bigint)
      .execute();

    await db.schema
      .createTable('tracking_source_values')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('source_id', 'integer', (c) => c.notNull().references('tracking_sources.id').onDelete('cascade'))
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
    await db.schema.createIndex('tracking_source_values_source').on('tracking_source_values').column('source_id').execute();

    // One row at a time, without explicit IDs, so PostgreSQL's sequence stays in step.
    for (const source of BUILT_IN_SOURCES) {
      await db.insertInto('tracking_sources').values({ code: source.code, name: source.name, active: 1 }).execute();
    }
  },
  async down(db: Kysely<any>) {
    for (const table of [
      'tracking_source_values',
      'tracking_sources',
      'tracking_trace_tree',
      'tracking_trace_channels',
      'tracking_trace_items',
      'tracking_traces',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
});
