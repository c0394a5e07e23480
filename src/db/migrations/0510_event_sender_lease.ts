// Several processes on one database (serve --workers, several machines) each start an event
// sender; the lease row names the one that delivers, so no event goes out twice.
import type { Kysely } from 'kysely';
import type { MigrationFactory } from './factory.js';

export const eventSenderLease: MigrationFactory = (h) => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('event_sender_lease')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('holder', 'text', (c) => c.notNull())
      // Milliseconds since the epoch; a lease past this may be taken over.
      .addColumn('until_ms', h.bigint, (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('event_sender_lease').execute();
  },
});
