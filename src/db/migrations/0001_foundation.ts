// Users, incoming webhooks and server settings.
import type { Kysely } from 'kysely';
import type { MigrationFactory } from './factory.js';

export const foundation: MigrationFactory = (h) => ({
  async up(db: Kysely<any>) {
    await db.schema
      .createTable('users')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('login', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('last_name', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('email', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('gender', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('time_zone', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('created_at', h.bigint, (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('webhooks')
      .addColumn('id', h.serial, (c) => h.autoId(c))
      .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
      .addColumn('secret_hash', 'text', (c) => c.notNull().unique())
      .addColumn('scopes', 'text', (c) => c.notNull())
      .addColumn('title', 'text', (c) => c.notNull().defaultTo(''))
      .addColumn('expires_at', h.bigint)
      .addColumn('active', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('held', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('created_at', h.bigint, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('webhooks_user').on('webhooks').column('user_id').execute();

    await db.schema
      .createTable('settings')
      .addColumn('name', 'text', (c) => c.primaryKey())
      .addColumn('value', 'text', (c) => c.notNull())
      .execute();
  },
  async down(db: Kysely<any>) {
    await db.schema.dropTable('settings').execute();
    await db.schema.dropTable('webhooks').execute();
    await db.schema.dropTable('users').execute();
  },
});
