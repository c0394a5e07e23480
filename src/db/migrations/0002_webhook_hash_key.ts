// The per-installation key webhook codes are hashed with (src/auth/webhookKey.ts), made once
// with the database so that it exists before any request arrives.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { WEBHOOK_KEY_SETTING } from '../../auth/webhookKey.js';
import type { MigrationFactory } from './factory.js';

export const webhookHashKey: MigrationFactory = () => ({
  async up(db: Kysely<any>) {
    await db.insertInto('settings').values({ name: WEBHOOK_KEY_SETTING, value: randomBytes(32).toString('hex') }).execute();
  },
  async down(db: Kysely<any>) {
    await db.deleteFrom('settings').where('name', '=', WEBHOOK_KEY_SETTING).execute();
  },
});
