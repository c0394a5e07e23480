// What `serve` does the first time it meets a data directory: the administrator (user 1) and
// an incoming webhook with every scope. The secret is stored hashed, so the only copy of the
// URL is written to a file readable by the owner alone.
import fs from 'node:fs';
import path from 'node:path';
import { KNOWN_SCOPES } from '../auth/scopes.js';
import { addUser, findUserById } from '../auth/users.js';
import { WEBHOOK_KEY_SETTING } from '../auth/webhookKey.js';
import { addWebhook } from '../auth/webhooks.js';
import type { Services } from '../services.js';
import { lockSetting } from '../system/settings.js';

export const WEBHOOK_FILE = 'webhook.txt';

export interface Bootstrap {
  /** Set only on the start that created the webhook. */
  readonly created?: { readonly userId: number; readonly secret: string };
  readonly webhookFile: string;
}

/**
 * Creates user 1 and its webhook unless user 1 exists. `saveSecret` runs inside the same
 * transaction, so the secret is never committed without its only copy having been written.
 */
export async function ensureAdministrator(
  services: Services,
  saveSecret: (userId: number, secret: string) => void = () => {},
): Promise<Bootstrap> {
  const webhookFile = path.join(services.config.dataDir, WEBHOOK_FILE);
  const now = services.clock.now() / 1000;
  const created = await services.db.transaction().execute(async (trx) => {
    // Two first starts on one PostgreSQL database: the second waits here for the first to
    // commit, then finds the administrator. The webhook key's row exists in every migrated database.
    await lockSetting(trx, WEBHOOK_KEY_SETTING);
    if (await findUserById(trx, 1)) return undefined;
    const admin = await addUser(trx, { login: 'admin', name: 'Administrator', isAdmin: true }, now);
    const { secret } = await addWebhook(trx, { userId: admin.id, scopes: KNOWN_SCOPES, title: 'Default administrator webhook' }, now);
    saveSecret(admin.id, secret);
    return { userId: admin.id, secret };
  });
  return created ? { created, webhookFile } : { webhookFile };
}

/**
 * The host to put in a URL for clients on this machine: a wildcard listen address is reached
 * through 127.0.0.1 (which the certificate covers), and an IPv6 address goes in brackets.
 */
export function reachableHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

export function webhookUrls(host: string, ports: { http: number; https: number | null }, userId: number, secret: string): string[] {
  const shownHost = reachableHost(host);
  const urls: string[] = [];
  if (ports.https !== null) urls.push(`https://${shownHost}:${ports.https}/rest/${userId}/${secret}/`);
  urls.push(`http://${shownHost}:${ports.http}/rest/${userId}/${secret}/`);
  return urls;
}

export function writeWebhookFile(file: string, urls: string[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const text =
    '# Salestrace administrator webhook (user 1, every scope).\n' +
    '# The database keeps only a hash of the secret: this file is its only copy.\n' +
    urls.join('\n') +
    '\n';
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
}
