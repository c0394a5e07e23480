// Row types of the dashboard's sign-in tables (migration 0900). A session ID and an access
// token are random strings stored only as SHA-256 hashes (auth/secrets.ts).
import type { Generated } from 'kysely';

export interface DashboardSessionsTable {
  id: Generated<number>;
  session_hash: string;
  user_id: number;
  /** Unix seconds. */
  created_at: number;
  /** Unix seconds; the session ends then, whatever happens before. */
  expires_at: number;
}

export interface DashboardTokensTable {
  token_hash: string;
  session_id: number;
  /** Unix seconds. */
  expires_at: number;
}

export interface DashboardTables {
  dashboard_sessions: DashboardSessionsTable;
  dashboard_tokens: DashboardTokensTable;
}
