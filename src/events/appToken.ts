// The portal's member_id and an app's application_token, as events carry them (events.md §4.4).
import { createHash, randomBytes } from 'node:crypto';
import type { Executor } from '../db/schema.js';
import { settingOrDefault } from '../system/settings.js';

/** The same setting the OAuth answers use (auth/oauth/portal.ts portalMemberId). */
export function portalMemberId(db: Executor): Promise<string> {
  return settingOrDefault(db, 'member_id', randomBytes(16).toString('hex'));
}

/** Bitrix's CRestUtil::getApplicationToken, from what this server stores: stable per app (§4.4). */
export function applicationTokenOf(memberId: string, appId: number, secretHash: string): string {
  return createHash('md5').update(`${memberId}|${appId}|${secretHash}`).digest('hex');
}
