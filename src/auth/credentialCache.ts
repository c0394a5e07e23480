// Webhook credentials from memory instead of two queries per call. An entry is the user and the
// webhook row that a (login, secret) pair found, exactly as the database gave them; every check
// on them (active, held, scopes, expiry against the clock, plan) still runs per request in
// authenticate.ts. The whole cache is dropped as soon as the change token moves, i.e. after any
// committed write to `users` or `webhooks`, from this process or another one
// (src/system/changeToken.ts explains why that is exact; on PostgreSQL the token follows
// LISTEN/NOTIFY, so a webhook revoked through another process is seen here on the next request).
// Where the token is null (PostgreSQL while the listening connection is down) nothing is cached.
//
// Only pairs that found both a user and a webhook are kept, so unknown secrets cannot fill the
// memory; the key holds the secret's SHA-256, never the secret.
import { hash } from 'node:crypto';
import type { ChangeToken } from '../system/changeToken.js';
import type { User } from './users.js';
import type { Webhook } from './webhooks.js';

export interface WebhookCredentials {
  readonly user: User | undefined;
  readonly webhook: Webhook | undefined;
}

/** Enough for every webhook of a large portal; past it the cache starts over. */
const MAX_ENTRIES = 10_000;

export class WebhookCredentialCache {
  private token: string | null = null;
  private readonly entries = new Map<string, WebhookCredentials>();

  constructor(private readonly changes: ChangeToken) {}

  /** What `load` would answer for this pair, read from the database only when it may have changed. */
  async lookup(login: string, secret: string, load: () => Promise<WebhookCredentials>): Promise<WebhookCredentials> {
    const token = await this.changes.read();
    if (token === null) return load();
    if (token !== this.token) {
      this.entries.clear();
      this.token = token;
    }
    const key = `${login}\n${hash('sha256', secret, 'base64')}`;
    const cached = this.entries.get(key);
    if (cached) return cached;
    const found = await load();
    // Stored under the token read before loading: a change meanwhile moves the token, and the
    // next call starts over instead of trusting this entry.
    if (found.user && found.webhook && this.token === token) {
      if (this.entries.size >= MAX_ENTRIES) this.entries.clear();
      this.entries.set(key, found);
    }
    return found;
  }
}
