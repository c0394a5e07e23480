// Attribution (issue 10): won deals are found by stage semantic and the time they were won
// (MOVED_TIME, which the stage change that made them won wrote), so the report reads a period's
// won deals from an index instead of every deal.
import type { Kysely } from 'kysely';
import type { MigrationFactory } from './factory.js';

export const attribution: MigrationFactory = () => ({
  async up(db: Kysely<any>) {
    await db.schema.createIndex('crm_deal_semantic_moved').on('crm_deal').columns(['stage_semantic_id', 'moved_time']).execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropIndex('crm_deal_semantic_moved').execute();
  },
});
