// OAuth fixtures: registers an application and mints tokens with the same functions the
// `app add` and `app grant` commands use.
import { addApp, type OAuthApp } from '../../src/auth/oauth/apps.js';
import { setUserPassword } from '../../src/auth/oauth/passwords.js';
import { issueTokenPair, type IssuedPair } from '../../src/auth/oauth/tokens.js';
import { addUser } from '../../src/auth/users.js';
import type { TestServer } from './server.js';

export interface TestApp {
  readonly app: OAuthApp;
  readonly clientId: string;
  readonly clientSecret: string;
}

export async function createTestApp(server: TestServer, scopes: string[], redirectUri: string | null = null): Promise<TestApp> {
  const { app, clientSecret } = await addApp(
    server.services.db,
    { scopes, title: 'Test app', redirectUri },
    server.services.clock.now() / 1000,
  );
  return { app, clientId: app.clientId, clientSecret };
}

export function grantTokens(server: TestServer, appId: number, userId = 1): Promise<IssuedPair> {
  return issueTokenPair(server.services.db, appId, userId, server.services.clock.now() / 1000);
}

let userCounter = 0;

/** A second, non-admin user with a known password. */
export async function createTestUser(server: TestServer, password = 'correct horse battery'): Promise<{ id: number; login: string; password: string }> {
  const login = `user${++userCounter}_${Math.random().toString(36).slice(2, 8)}`;
  const user = await addUser(server.services.db, { login, name: 'Test' }, server.services.clock.now() / 1000);
  await setUserPassword(server.services.db, user.id, password);
  return { id: user.id, login, password };
}

/** POST a JSON body to `/rest/{method}` with the token in `auth`, as b24jssdk and the PHP SDK do. */
export async function callWithToken(server: TestServer, method: string, token: string, params: Record<string, unknown> = {}) {
  const response = await fetch(`${server.httpUrl}/rest/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ ...params, auth: token }),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
}
