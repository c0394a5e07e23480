// Row types of the authentication tables (migration 0001).
import type { Generated } from 'kysely';

export interface UsersTable {
  id: Generated<number>;
  login: string;
  name: Generated<string>;
  last_name: Generated<string>;
  email: Generated<string>;
  gender: Generated<string>;
  time_zone: Generated<string>;
  is_admin: Generated<number>;
  active: Generated<number>;
  created_at: number;
}

export interface WebhooksTable {
  id: Generated<number>;
  user_id: number;
  secret_hash: string;
  /** Comma-separated scope codes. */
  scopes: string;
  title: Generated<string>;
  expires_at: number | null;
  active: Generated<number>;
  held: Generated<number>;
  created_at: number;
}

export interface SettingsTable {
  name: string;
  value: string;
}

export interface AuthTables {
  users: UsersTable;
  webhooks: WebhooksTable;
  settings: SettingsTable;
}
