// Row types of the OAuth tables (migration 0300). Every secret (client secret, code, access
// and refresh token, password) is stored only as a hash.
import type { Generated } from 'kysely';

export interface OAuthAppsTable {
  id: Generated<number>;
  client_id: string;
  client_secret_hash: string;
  title: Generated<string>;
  /** Comma-separated scope codes. */
  scopes: string;
  /** Where /oauth/authorize/ sends the code; null shows the code on the page instead. */
  redirect_uri: string | null;
  active: Generated<number>;
  /** 1 when only the users in oauth_app_users may use the app (`app restrict --users`). */
  restricted: Generated<number>;
  created_at: number;
}

export interface OAuthAppUsersTable {
  app_id: number;
  user_id: number;
}

export interface OAuthCodesTable {
  code_hash: string;
  app_id: number;
  user_id: number;
  expires_at: number;
}

export interface OAuthTokensTable {
  id: Generated<number>;
  app_id: number;
  user_id: number;
  access_hash: string;
  access_expires_at: number;
  /** Null once the pair was refreshed: a refresh token works once. */
  refresh_hash: string | null;
  refresh_expires_at: number;
  created_at: number;
}

export interface UserPasswordsTable {
  user_id: number;
  /** `scrypt$N$r$p$salt$hash`, hex. */
  password_hash: string;
}

export interface OAuthTables {
  oauth_apps: OAuthAppsTable;
  oauth_app_users: OAuthAppUsersTable;
  oauth_codes: OAuthCodesTable;
  oauth_tokens: OAuthTokensTable;
  user_passwords: UserPasswordsTable;
}
