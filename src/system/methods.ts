// The system methods SDKs call on their own (rest-protocol.md §9): methods, scope, method.get,
// server.time, profile, user.current and app.info. They follow core's CRestProvider: what they
// list comes from the one method registry, and the caller's scopes are the credential's scopes
// that some registered method uses (core's getAuthScope).
import type { AppDescriber, UserDirectory } from '../auth/contract.js';
import type { User } from '../auth/users.js';
import type { Clock } from '../clock.js';
import type { MethodCatalog } from '../rest/contract.js';
import { restError } from '../rest/errors.js';
import { defineMethod, type MethodDeclaration } from '../rest/method.js';
import { NOT_MET, translatingMethods, type TranslationTable } from '../rest/translation.js';
import type { AuthErrorKind } from '../auth/errors.js';
import type { Caller } from '../auth/caller.js';
import { paramCaseInsensitive, phpString, phpTruthy } from '../php/values.js';
import { formatDateC } from '../rest/time.js';

/** What the system methods ask of the rest of the server. */
export interface SystemPorts {
  readonly methods: MethodCatalog;
  readonly clock: Clock;
  readonly users: UserDirectory;
  /** Null when the server has no OAuth applications to describe. */
  readonly apps: AppDescriber | null;
}

/** Scope → method names, global methods first, then scopes in the registry's order. */
function methodsByScope(methods: MethodCatalog): Map<string | null, string[]> {
  const byScope = new Map<string | null, string[]>([[null, []]]);
  for (const method of methods.all()) {
    const names = byScope.get(method.scope) ?? [];
    names.push(method.name);
    byScope.set(method.scope, names);
  }
  return byScope;
}

/** The caller's granted scopes that exist on this server, in the credential's order. */
export function authScopes(caller: Caller, methods: MethodCatalog): string[] {
  const existing = new Set(methods.scopes());
  return [...caller.scopes].filter((scope) => existing.has(scope));
}

function namesIn(methods: MethodCatalog, wanted: (scope: string | null) => boolean): string[] {
  const names: string[] = [];
  for (const [scope, list] of methodsByScope(methods)) if (wanted(scope)) names.push(...list);
  return names;
}

export const methodsMethod = defineMethod<Pick<SystemPorts, 'methods'>>({
  name: 'methods',
  scope: null,
  handler({ params, caller, ports: { methods } }) {
    // Core: SCOPE beats FULL; `scope=` (empty) lists the global methods; `full` is compared
    // loosely with true, so "false" counts as true (methods.md, CRestProvider::methodsList).
    const scope = paramCaseInsensitive(params, 'scope');
    if (scope !== undefined && scope !== null) {
      const wanted = phpString(scope);
      return namesIn(methods, (s) => (wanted === '' ? s === null : s === wanted));
    }
    if (phpTruthy(paramCaseInsensitive(params, 'full'))) return namesIn(methods, () => true);
    const granted = new Set(authScopes(caller, methods));
    return namesIn(methods, (s) => s === null || granted.has(s));
  },
});

export const scopeMethod = defineMethod<Pick<SystemPorts, 'methods'>>({
  name: 'scope',
  scope: null,
  handler({ params, caller, ports: { methods } }) {
    if (phpTruthy(paramCaseInsensitive(params, 'full'))) return methods.scopes();
    return authScopes(caller, methods);
  },
});

export const methodGetMethod = defineMethod<Pick<SystemPorts, 'methods'>>({
  name: 'method.get',
  scope: null,
  handler({ params, caller, ports: { methods } }) {
    const result = { isExisting: false, isAvailable: false };
    const name = params.name;
    if (typeof name !== 'string' && typeof name !== 'number') return result;
    const method = methods.get(String(name));
    if (!method) return result;
    result.isExisting = true;
    result.isAvailable = method.scope === null || authScopes(caller, methods).includes(method.scope);
    return result;
  },
});

export const serverTimeMethod = defineMethod<Pick<SystemPorts, 'clock'>>({
  name: 'server.time',
  scope: null,
  handler({ ports: { clock } }) {
    return formatDateC(clock.now() / 1000);
  },
});

/** Offset from UTC in seconds of the user's zone (the server's when the user has none). */
function timeZoneOffsetSeconds(user: User, atMs: number): number {
  if (user.timeZone !== '') {
    try {
      const label = new Intl.DateTimeFormat('en-US', { timeZone: user.timeZone, timeZoneName: 'longOffset' })
        .formatToParts(new Date(atMs))
        .find((part) => part.type === 'timeZoneName')?.value;
      const match = /GMT([+-])(\d\d):(\d\d)/.exec(label ?? '');
      if (label === 'GMT') return 0;
      if (match) return (match[1] === '-' ? -1 : 1) * (Number(match[2]) * 3600 + Number(match[3]) * 60);
    } catch {
      // An unknown zone name falls back to the server's zone, as an unset one does.
    }
  }
  return -new Date(atMs).getTimezoneOffset() * 60;
}

export const profileMethod = defineMethod<Pick<SystemPorts, 'users' | 'clock'>>({
  name: 'profile',
  scope: null,
  async handler({ caller, ports: { users, clock } }) {
    const user = await users.findById(caller.userId);
    // An inactive user's profile is empty (profile.md), which PHP encodes as [].
    if (!user || !user.active) return [];
    return {
      ID: String(user.id),
      ADMIN: user.isAdmin,
      NAME: user.name,
      LAST_NAME: user.lastName,
      PERSONAL_GENDER: user.gender,
      TIME_ZONE: user.timeZone,
      TIME_ZONE_OFFSET: timeZoneOffsetSeconds(user, clock.now()),
    };
  },
});

/** Bitrix's LAST_ACTIVITY_DATE form (batch.md's example): `Y-m-d H:i:s` in the server's zone. */
function activityDate(seconds: number): string {
  return formatDateC(seconds).slice(0, 19).replace('T', ' ');
}

export const userCurrentMethod = defineMethod<Pick<SystemPorts, 'users' | 'clock'>>({
  name: 'user.current',
  scope: 'user',
  async handler({ caller, ports: { users, clock } }) {
    const user = await users.findById(caller.userId);
    if (!user) throw restError('ACCESS_DENIED_USER_REQUIRED');
    // The fields of the user.current answer in batch.md's example that Salestrace can fill. There
    // is no web interface: the user is active when calling, and this call is that activity.
    const now = clock.now() / 1000;
    return {
      ID: String(user.id),
      XML_ID: '',
      ACTIVE: user.active,
      NAME: user.name,
      LAST_NAME: user.lastName,
      SECOND_NAME: '',
      EMAIL: user.email,
      LAST_LOGIN: '',
      DATE_REGISTER: formatDateC(user.createdAt),
      TIME_ZONE: user.timeZone,
      IS_ONLINE: 'Y',
      TIME_ZONE_OFFSET: String(timeZoneOffsetSeconds(user, clock.now())),
      LAST_ACTIVITY_DATE: activityDate(now),
      PERSONAL_GENDER: user.gender,
      PERSONAL_BIRTHDAY: '',
      // Salestrace keeps no job titles.
      WORK_POSITION: '',
      UF_EMPLOYMENT_DATE: '',
      UF_DEPARTMENT: [],
    };
  },
});

/** Core's LICENSE on a server without the cloud's bitrix24 module: `LANGUAGE_ID . '_selfhosted'`. */
export const SELF_HOSTED_LICENSE = 'en_selfhosted';

export const appInfoMethod = defineMethod<Pick<SystemPorts, 'methods' | 'apps'>>({
  name: 'app.info',
  scope: null,
  async handler({ caller, ports: { methods, apps } }) {
    if (caller.authType !== 'oauth') {
      // What core answers on a webhook (app-info.md), and on a dashboard page, which is no app:
      // the granted scopes and the license.
      return { SCOPE: authScopes(caller, methods), LICENSE: SELF_HOSTED_LICENSE };
    }
    if (!apps) throw restError('ACCESS_DENIED_APP_CONTEXT');
    return apps.describe(caller);
  },
});

/** app.info asks the auth module about the token's application; nothing else here can be refused by auth. */
export const SYSTEM_ERRORS: TranslationTable<AuthErrorKind> = {
  appNotFound: { key: 'APPLICATION_NOT_FOUND' },
  credentialsMissing: NOT_MET,
  httpsRequired: NOT_MET,
  webhookInvalid: NOT_MET,
  webhookScopeMissing: NOT_MET,
  webhookHeld: NOT_MET,
  restNotInPlan: NOT_MET,
  userInactive: NOT_MET,
  tokenInvalid: NOT_MET,
  tokenExpired: NOT_MET,
  tokenScopeMissing: NOT_MET,
  userNotAllowed: NOT_MET,
};

export const systemMethods: MethodDeclaration<SystemPorts>[] = translatingMethods<SystemPorts>(SYSTEM_ERRORS, [
  methodsMethod,
  scopeMethod,
  methodGetMethod,
  serverTimeMethod,
  profileMethod,
  userCurrentMethod,
  appInfoMethod,
]);
