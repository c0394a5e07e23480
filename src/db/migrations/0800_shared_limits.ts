// The request-rate buckets and operating-time buckets that several server processes on one
// PostgreSQL database share (src/limits/sharedRateLimit.ts, sharedOperatingTime.ts). SQLite
// keeps its limits in the memory of its one process and leaves these tables empty.
import type { Kysely } from 'kysely';
import type { MigrationFactory } from './factory.js';

export const sharedLimits: MigrationFactory = (h) => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('rate_buckets')
      .addColumn('client', 'text', (c) => c.primaryKey())
      .addColumn('level', 'double precision', (c) => c.notNull())
      .addColumn('at_ms', h.bigint, (c) => c.notNull())
      // Whether the request that wrote the row last was refused (RETURNING tells only the new row).
      .addColumn('refused', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .createTable('operating_buckets')
      .addColumn('credential', 'text', (c) => c.notNull())
      .addColumn('minute', h.bigint, (c) => c.notNull())
      .addColumn('seconds', 'double precision', (c) => c.notNull())
      .addColumn('first_call_at', h.bigint, (c) => c.notNull())
      .addPrimaryKeyConstraint('operating_buckets_pk', ['credential', 'minute'])
      .execute();
    await db.schema.createIndex('operating_buckets_expiry').on('operating_buckets').column('first_call_at').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('operating_buckets').execute();
    await db.schema.dropTable('rate_buckets').execute();
  },
});
