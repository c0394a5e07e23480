// The application (or webhook) a telephony call is made by: lines and calls are kept per
// application, as Bitrix keeps them per REST_APP_ID (COMPATIBILITY.md for webhooks).
import type { Caller } from '../../auth/caller.js';
import type { AppDescriber } from '../../auth/contract.js';
import type { CallOwner } from '../contract.js';

export async function callOwner(caller: Caller, apps: AppDescriber | null): Promise<CallOwner> {
  if (caller.authType === 'oauth') {
    const described = apps ? await apps.describe(caller).catch(() => undefined) : undefined;
    const code = described?.CODE;
    return {
      key: `app:${caller.credentialId}`,
      appId: caller.credentialId,
      appName: typeof code === 'string' ? code : null,
      portalNumber: `REST_APP:${caller.credentialId}`,
    };
  }
  return { key: `webhook:${caller.credentialId}`, appId: null, appName: null, portalNumber: `REST_APP:webhook.${caller.credentialId}` };
}
