// Shared helpers of the CRM tests: users with roles and their own webhooks, and a snapshot of
// every CRM table to prove that a refused call changed nothing.
import { addUser } from '../../src/auth/users.js';
import { addWebhook } from '../../src/auth/webhooks.js';
import { CRM_ENTITY_TYPES, type CrmEntityTypeName } from '../../src/crm/contract.js';
import type { CrmAction, PermissionLevel } from '../../src/crm/model/permissions.js';
import { assignRole, createRole, grantRole } from '../../src/crm/store/roles.js';
import { callJson, type HttpAnswer, type TestServer } from '../helpers/server.js';

export type Grants = Partial<Record<CrmEntityTypeName, Partial<Record<CrmAction, PermissionLevel>>>>;

let sequence = 0;

export interface TestUser {
  readonly id: number;
  /** Webhook base URL ending in `/`, with the crm scope. */
  readonly base: string;
}

/** A user with one role holding `grants` (or no role at all) and a crm webhook. */
export async function userWithGrants(server: TestServer, grants: Grants | null, options: { admin?: boolean } = {}): Promise<TestUser> {
  const db = server.services.db;
  const now = server.clock.now() / 1000;
  sequence++;
  const user = await addUser(db, { login: `user${sequence}-${Math.random().toString(36).slice(2, 8)}`, isAdmin: options.admin }, now);
  if (grants) {
    const role = await createRole(db, `role-${user.id}`, now);
    await grantAll(server, role.id, grants);
    await assignRole(db, user.id, role.id);
  }
  const { secret } = await addWebhook(db, { userId: user.id, scopes: ['crm'] }, now);
  return { id: user.id, base: `${server.httpUrl}/rest/${user.id}/${secret}/` };
}

export async function grantAll(server: TestServer, roleId: number, grants: Grants): Promise<void> {
  for (const [typeName, actions] of Object.entries(grants) as [CrmEntityTypeName, Partial<Record<CrmAction, PermissionLevel>>][]) {
    for (const [action, level] of Object.entries(actions) as [CrmAction, PermissionLevel][]) {
      await grantRole(server.services.db, roleId, { entityTypeId: CRM_ENTITY_TYPES[typeName], action, level });
    }
  }
}

/** Calls a method and expects success; returns `result`. */
export async function ok(server: TestServer, method: string, params: unknown = {}, base?: string): Promise<any> {
  const answer = await callJson(server, method, params, base);
  if (answer.status !== 200 || answer.body?.error !== undefined) {
    throw new Error(`${method} failed: ${answer.status} ${answer.text}`);
  }
  return answer.body.result;
}

/** Calls a method that must fail; returns the answer. */
export async function fails(server: TestServer, method: string, params: unknown = {}, base?: string): Promise<HttpAnswer> {
  const answer = await callJson(server, method, params, base);
  if (answer.status === 200) throw new Error(`${method} should have failed: ${answer.text}`);
  return answer;
}

const CRM_TABLES = [
  'crm_lead',
  'crm_deal',
  'crm_contact',
  'crm_company',
  'crm_quote',
  'crm_multifield',
  'crm_utm',
  'crm_contact_binding',
] as const;

/** Every CRM row, to compare before and after a call that must change nothing. */
export async function crmSnapshot(server: TestServer): Promise<Record<string, unknown[]>> {
  const snapshot: Record<string, unknown[]> = {};
  for (const table of CRM_TABLES) {
    const db = server.services.db as any;
    snapshot[table] = await db.selectFrom(table).selectAll().execute();
  }
  return snapshot;
}

export const TYPE_METHODS: [CrmEntityTypeName, string][] = [
  ['LEAD', 'lead'],
  ['DEAL', 'deal'],
  ['CONTACT', 'contact'],
  ['COMPANY', 'company'],
  ['QUOTE', 'quote'],
];

/** Fields that make a legacy add succeed for each type (company and quote need TITLE, contacts a name). */
export function minimalFields(method: string, title = 'Item'): Record<string, unknown> {
  return method === 'contact' ? { NAME: title } : { TITLE: title };
}
