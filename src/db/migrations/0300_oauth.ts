// OAuth applications, their codes and tokens, and the user passwords of the authorization form.
import type { Kysely } from 'kysely';
import type { MigrationFactory } from './factory.js';

export const oauth: MigrationFactory = (h) => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('oauth_apps')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('client_id', 'text', (c) => c.notNull().unique())
      .addColumn('client_secret_hash', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('redirect_uri', 'text')
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('restricted', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', h.bigint, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('oauth_app_users')
      .addColumn('app_id', 'integer', (c) => c.notNull().references('oauth_apps.id').onDelete('cascade'))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addPrimaryKeyConstraint('oauth_app_users_pk', ['app_id', 'user_id'])
      .execute();

    await db.schema
      .createTable('oauth_codes')
      .addColumn('code_hash', 'text', (c) => c.primaryKey())
      .addColumn('app_id', 'integer', (c) => c.notNull().references('oauth_apps.id').onDelete('cascade'))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('expires_at', h.bigint, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('oauth_tokens')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('app_id', 'integer', (c) => c.notNull().references('oauth_apps.id').onDelete('cascade'))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
      .addColumn('access_hash', 'text', (c) => c.notNull().unique())
      .addColumn('access_expires_at', h.bigint, (c) => c.notNull())
      .addColumn('refresh_hash', 'text', (c) => c.unique())
      .addColumn('refresh_expires_at', h.bigint, (c) => c.notNull())
      .addColumn('created_at', h.bigint, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('oauth_tokens_app').on('oauth_tokens').column('app_id').execute();

    await db.schema
      .createTable('user_passwords')
      .addColumn('user_id', 'integer', (c) => c.primaryKey().references('users.id').onDelete('cascade'))
      .addColumn('password_hash', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('user_passwords').execute();
    await db.schema.dropTable('oauth_tokens').execute();
    await db.schema.dropTable('oauth_codes').execute();
    await db.schema.dropTable('oauth_app_users').execute();
    await db.schema.dropTable('oauth_apps').execute();
  },
});
