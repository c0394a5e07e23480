// Who created a trace, and the indexes salestrace.trace.get/.list need to start from what a
// caller may read instead of testing every trace (issue 18, finding 3; traceVisibility.ts).
import type { Kysely } from 'kysely';
import type { MigrationFactory } from '../migrate.js';

export const traceCreator: MigrationFactory = () => ({
  async up(db: Kysely<any>) {
    // NULL for the traces that predate the column: only administrators read those while unbound.
    // No foreign key: a deleted user's traces stay, as a deleted source stays referenced.
    await db.schema.alterTable('tracking_traces').addColumn('created_by', 'integer').execute();
    // "My unbound traces": the creator's traces in ID order, read from the index alone.
    await db.schema.createIndex('tracking_traces_creator').on('tracking_traces').columns(['created_by', 'id']).execute();
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
    await db.schema.dropIndex('tracking_traces_creator').execute();
    await db.schema.alterTable('tracking_traces').dropColumn('created_by').execute();
  },
});
