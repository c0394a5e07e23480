// Plain-HTTP helpers for the dashboard's /app/api/ endpoints, sent as the dashboard's own page
// sends them: JSON, with this server as the Origin.
import { setUserPassword } from '../../src/auth/oauth/passwords.js';
import type { TestServer } from '../helpers/server.js';

export const ADMIN_PASSWORD = 'admin password 1';

export interface ApiAnswer {
  readonly status: number;
  readonly body: any;
  readonly headers: Headers;
  /** The session cookie's value from Set-Cookie, if one was set. */
  readonly cookie: string | undefined;
}

export async function appApi(base: string, path: string, body: unknown, options: { cookie?: string; origin?: string | null; site?: string } = {}): Promise<ApiAnswer> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  const origin = options.origin === undefined ? base : options.origin;
  if (origin !== null) headers.origin = origin;
  if (options.cookie !== undefined) headers.cookie = `salestrace_session=${options.cookie}`;
  if (options.site !== undefined) headers['sec-fetch-site'] = options.site;
  const response = await fetch(`${base}/app/api/${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
  const text = await response.text();
  const setCookie = response.headers.get('set-cookie') ?? '';
  const match = /^salestrace_session=([^;]*)/.exec(setCookie);
  return { status: response.status, body: text === '' ? null : JSON.parse(text), headers: response.headers, cookie: match ? match[1] : undefined };
}

export async function withPassword(server: TestServer, userId: number, password: string): Promise<void> {
  await setUserPassword(server.services.db, userId, password);
}

/** Signs in and returns the session cookie's value. */
export async function sessionOf(server: TestServer, login: string, password: string): Promise<string> {
  const answer = await appApi(server.httpUrl, 'login', { login, password });
  if (answer.status !== 200 || !answer.cookie) throw new Error(`sign-in failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.cookie;
}

export async function restWithToken(server: TestServer, token: string, method: string, params: unknown = {}): Promise<{ status: number; body: any }> {
  const response = await fetch(`${server.httpUrl}/rest/${method}.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(params),
  });
  return { status: response.status, body: await response.json() };
}

export async function rowsOf(server: TestServer, table: 'dashboard_sessions' | 'dashboard_tokens'): Promise<any[]> {
  return server.services.db.selectFrom(table).selectAll().execute();
}

export async function loginOf(server: TestServer, userId: number): Promise<string> {
  const row = await server.services.db.selectFrom('users').select('login').where('id', '=', userId).executeTakeFirstOrThrow();
  return row.login;
}
