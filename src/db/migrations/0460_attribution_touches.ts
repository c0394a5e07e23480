// Attribution at a million traces (issue 10, item 6): the report looks up each journey binding's
// trace by ID for its time and source only. Reading those from the table itself lands on a
// different wide page (pages and tags JSON) per lookup; an index of (id, created_at, source_id)
// answers them from pages a few dozen times smaller. On SQLite it replaces the ID-only index of
// 0210 (the trace list's deep pages walk it just as well, in ID order), so a trace insert still
// writes the same number of indexes. PostgreSQL keeps its primary key alone: an added index would
// cost every trace insert a write, and the report's speed target is SQLite's.
import type { Kysely } from 'kysely';
import type { MigrationFactory } from './factory.js';

export const attributionTouches: MigrationFactory = (h) => ({
  async up(db: Kysely<any>) {
    if (h.name !== 'sqlite') return;
    await db.schema.createIndex('tracking_traces_id_time_source').on('tracking_traces').columns(['id', 'created_at', 'source_id']).execute();
    await db.schema.dropIndex('tracking_traces_id').execute();
  },
  async down(db: Kysely<any>) {
    if (h.name !== 'sqlite') return;
    await db.schema.createIndex('tracking_traces_id').on('tracking_traces').column('id').execute();
    await db.schema.dropIndex('tracking_traces_id_time_source').execute();
  },
});
