// Who created a trace, whether any item is bound to it, and the indexes salestrace.trace.get
// and .list need to start from what a caller may read instead of testing every trace (issue 18,
// finding 3; traceVisibility.ts).
import { sql, type Kysely } from 'kysely';
import type { MigrationFactory } from './factory.js';

export const traceCreator: MigrationFactory = (h) => ({
  async up(db: Kysely<any>) {
    // NULL for the traces that predate the column: only administrators read those while unbound.
    // No foreign key: a deleted user's traces stay, as a deleted source stays referenced.
    await db.schema.alterTable('tracking_traces').addColumn('created_by', 'integer').execute();
    // 1 while at least one item is bound (kept by bindings.ts), so the unbound traces, which
    // only their creators and administrators read, can be found without testing every trace.
    await db.schema.alterTable('tracking_traces').addColumn('bound', 'integer', (c) => c.notNull().defaultTo(0)).execute();
    await db
      .updateTable('tracking_traces')
      .set({ bound: 1 })
      .where(({ exists, selectFrom }) => exists(selectFrom('tracking_trace_items').select('id').whereRef('tracking_trace_items.trace_id', '=', 'tracking_traces.id')))
      .execute();
    // The unbound traces, by creator: "my unbound traces", and all of them for a READ ALL user.
    await db.schema
      .createIndex('tracking_traces_unbound')
      .on('tracking_traces')
      .columns(['created_by', 'id'])
      .where(sql.ref('bound'), '=', sql.lit(0))
      .execute();
    // SQLite keeps rows in the table's own b-tree, so a page of IDs deep into the list (the
    // administrator's `start=500000`) walked half the table; an index of the IDs alone is a
    // hundredth of its size. PostgreSQL's primary key is such an index already.
    if (h.name === 'sqlite') await db.schema.createIndex('tracking_traces_id').on('tracking_traces').column('id').execute();
    // An item's bindings with their traces, from the index alone (replaces the index without trace_id).
    await db.schema.dropIndex('tracking_trace_items_item').execute();
    await db.schema
      .createIndex('tracking_trace_items_item_trace')
      .on('tracking_trace_items')
      .columns(['entity_type_id', 'entity_id', 'trace_id'])
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('tracking_trace_items_item_trace').execute();
    await db.schema.createIndex('tracking_trace_items_item').on('tracking_trace_items').columns(['entity_type_id', 'entity_id']).execute();
    await db.schema.dropIndex('tracking_traces_unbound').execute();
    if (h.name === 'sqlite') await db.schema.dropIndex('tracking_traces_id').execute();
    await db.schema.alterTable('tracking_traces').dropColumn('bound').execute();
    await db.schema.alterTable('tracking_traces').dropColumn('created_by').execute();
  },
});
