// The web dashboard's sign-in sessions and the short-lived access tokens a session's pages
// call /rest/ with (src/dashboard/sessions.ts).
import type { Kysely } from 'kysely';
import type { MigrationFactory } from './factory.js';

export const dashboard: MigrationFactory = (h) => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('dashboard_sessions')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('session_hash', 'text', (c) => c.notNull().unique())
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('created_at', h.bigint, (c) => c.notNull())
      .addColumn('expires_at', h.bigint, (c) => c.notNull())
      .execute();
    await db.schema
      .createTable('dashboard_tokens')
      .addColumn('token_hash', 'text', (c) => c.primaryKey())
      .addColumn('session_id', 'integer', (c) => c.notNull().references('dashboard_sessions.id').onDelete('cascade'))
      .addColumn('expires_at', h.bigint, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('dashboard_tokens_session').on('dashboard_tokens').column('session_id').execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('dashboard_tokens').execute();
    await db.schema.dropTable('dashboard_sessions').execute();
  },
});
