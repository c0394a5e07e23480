// The source report counts a custom source's traces of a period (§4.1, Provider\Action): an index
// by source and creation time answers that from the index alone instead of reading every trace
// of the source.
import type { Kysely } from 'kysely';
import type { MigrationFactory } from './factory.js';

export const analyticsTraceCounts: MigrationFactory = () => ({
  async up(db: Kysely<any>) {
    await db.schema.createIndex('tracking_traces_source_created').on('tracking_traces').columns(['source_id', 'created_at']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('tracking_traces_source_created').execute();
  },
});
