// Sales Intelligence analytics: expense packs and their daily rows (sales-intelligence.md §1.9,
// §4.2), the ad structure of a source (§1.8) and the decomposition of traces by ad level
// (§1.5, §4.3), plus the indexes the source report reads items by.
import type { Kysely } from 'kysely';
import type { MigrationFactory } from './factory.js';

export const analytics: MigrationFactory = (h) => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('analytics_expense_packs')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('source_id', 'integer', (c) => c.notNull())
      .addColumn('type_id', 'integer', (c) => c.notNull())
      .addColumn('date_from', 'text', (c) => c.notNull())
      .addColumn('date_to', 'text', (c) => c.notNull())
      .addColumn('actions', h.bigint, (c) => c.notNull().defaultTo(0))
      .addColumn('impressions', h.bigint, (c) => c.notNull().defaultTo(0))
      // Money in cents: exact on both databases, summed without float drift.
      .addColumn('expenses_cents', h.bigint, (c) => c.notNull())
      .addColumn('currency_id', 'text', (c) => c.notNull())
      .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('created_at', h.bigint, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('analytics_expense_packs_source').on('analytics_expense_packs').columns(['source_id', 'date_from']).execute();

    await db.schema
      .createTable('analytics_expenses')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('pack_id', 'integer', (c) => c.notNull().references('analytics_expense_packs.id').onDelete('cascade'))
      .addColumn('source_id', 'integer', (c) => c.notNull())
      .addColumn('type_id', 'integer', (c) => c.notNull())
      .addColumn('date_stat', 'text', (c) => c.notNull())
      .addColumn('actions', h.bigint, (c) => c.notNull().defaultTo(0))
      .addColumn('impressions', h.bigint, (c) => c.notNull().defaultTo(0))
      .addColumn('expenses_cents', h.bigint, (c) => c.notNull())
      .addColumn('currency_id', 'text', (c) => c.notNull())
      .addColumn('source_child_id', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema.createIndex('analytics_expenses_date').on('analytics_expenses').columns(['date_stat', 'source_id']).execute();
    await db.schema.createIndex('analytics_expenses_pack').on('analytics_expenses').column('pack_id').execute();
    await db.schema.createIndex('analytics_expenses_child').on('analytics_expenses').columns(['source_child_id', 'date_stat']).execute();

    await db.schema
      .createTable('analytics_source_children')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('source_id', 'integer', (c) => c.notNull())
      .addColumn('parent_id', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('level', 'integer', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('is_enabled', 'integer', (c) => c.notNull().defaultTo(1))
      .addUniqueConstraint('analytics_source_children_code', ['source_id', 'parent_id', 'code'])
      .execute();
    await db.schema.createIndex('analytics_source_children_level').on('analytics_source_children').columns(['source_id', 'level', 'code']).execute();

    await db.schema
      .createTable('analytics_trace_levels')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('trace_id', 'integer', (c) => c.notNull().references('tracking_traces.id').onDelete('cascade'))
      .addColumn('source_id', 'integer', (c) => c.notNull())
      .addColumn('level', 'integer', (c) => c.notNull())
      .addColumn('code', 'text', (c) => c.notNull())
      .addColumn('source_child_id', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('processed', 'integer', (c) => c.notNull().defaultTo(0))
      .addUniqueConstraint('analytics_trace_levels_trace', ['trace_id', 'level'])
      .execute();
    await db.schema.createIndex('analytics_trace_levels_code').on('analytics_trace_levels').columns(['source_id', 'level', 'code', 'trace_id']).execute();

    // The report reads the leads and deals created in a period.
    await db.schema.createIndex('crm_lead_date_create').on('crm_lead').column('date_create').execute();
    await db.schema.createIndex('crm_deal_date_create').on('crm_deal').column('date_create').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('crm_deal_date_create').execute();
    await db.schema.dropIndex('crm_lead_date_create').execute();
    for (const table of ['analytics_trace_levels', 'analytics_source_children', 'analytics_expenses', 'analytics_expense_packs']) {
      await db.schema.dropTable(table).execute();
    }
  },
});
