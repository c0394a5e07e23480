// The system methods SDKs call on their own (rest-protocol.md §9): methods, scope, method.get,
// server.time, profile, user.current and app.info. The method lists come from the registry.
import { KNOWN_SCOPES, hasScope } from '../auth/scopes.js';
import { findUserById } from '../auth/users.js';
import { restError } from '../rest/errors.js';
import { defineMethod, type Caller, type MethodDeclaration } from '../rest/method.js';
import { phpString, phpTruthy } from '../rest/php.js';
import { formatDateC } from '../rest/time.js';
import type { Services } from '../services.js';

function visibleMethods(services: Services): MethodDeclaration[] {
  return services.registry.all();
}

/** Granted scopes in the registry's order, for `scope` and app.info. */
function grantedScopes(caller: Caller): string[] {
  return KNOWN_SCOPES.filter((scope) => caller.scopes.has(scope));
}

export const methodsMethod = defineMethod({
  name: 'methods',
  scope: null,
  handler({ params, caller, services }) {
    const all = visibleMethods(services);
    if (phpTruthy(params.full) && phpString(params.full).toLowerCase() !== 'false') return all.map((m) => m.name);
    if ('scope' in params) {
      const wanted = phpString(params.scope).toLowerCase();
      // `scope=` with no value lists the global methods (docs: methods.md).
      if (wanted === '') return all.filter((m) => m.scope === null).map((m) => m.name);
      return all.filter((m) => m.scope === wanted).map((m) => m.name);
    }
    return all.filter((m) => hasScope(caller.scopes, m.scope)).map((m) => m.name);
  },
});

export const scopeMethod = defineMethod({
  name: 'scope',
  scope: null,
  handler({ params, caller }) {
    if (phpTruthy(params.full) && phpString(params.full).toLowerCase() !== 'false') return [...KNOWN_SCOPES];
    return grantedScopes(caller);
  },
});

export const methodGetMethod = defineMethod({
  name: 'method.get',
  scope: null,
  handler({ params, caller, services }) {
    const name = typeof params.name === 'string' ? params.name.toLowerCase() : '';
    const method = name === '' ? undefined : services.registry.get(name);
    return {
      isExisting: method !== undefined,
      isAvailable: method !== undefined && hasScope(caller.scopes, method.scope),
    };
  },
});

export const serverTimeMethod = defineMethod({
  name: 'server.time',
  scope: null,
  handler({ services }) {
    return formatDateC(services.clock.now() / 1000);
  },
});

function timeZoneOffsetSeconds(): number {
  return -new Date().getTimezoneOffset() * 60;
}

export const profileMethod = defineMethod({
  name: 'profile',
  scope: null,
  async handler({ caller, services }) {
    const user = await findUserById(services.db, caller.userId);
    if (!user || !user.active) return [];
    return {
      ID: String(user.id),
      ADMIN: user.isAdmin,
      NAME: user.name,
      LAST_NAME: user.lastName,
      PERSONAL_GENDER: user.gender,
      TIME_ZONE: user.timeZone,
      TIME_ZONE_OFFSET: timeZoneOffsetSeconds(),
    };
  },
});

export const userCurrentMethod = defineMethod({
  name: 'user.current',
  scope: 'user',
  async handler({ caller, services }) {
    const user = await findUserById(services.db, caller.userId);
    if (!user) throw restError('ACCESS_DENIED_REASON', { reason: 'User authorization required' });
    return {
      ID: String(user.id),
      XML_ID: '',
      ACTIVE: user.active,
      NAME: user.name,
      LAST_NAME: user.lastName,
      SECOND_NAME: '',
      EMAIL: user.email,
      PERSONAL_GENDER: user.gender,
      TIME_ZONE: user.timeZone,
      TIME_ZONE_OFFSET: String(timeZoneOffsetSeconds()),
      IS_ADMIN: user.isAdmin,
    };
  },
});

/** The plan as a Bitrix LICENSE code; a self-hosted server has no cloud tariff. */
export function licenseCode(services: Services): string {
  return services.config.plan === 'unlimited' ? 'selfhosted' : `selfhosted_${services.config.plan}`;
}

export const appInfoMethod = defineMethod({
  name: 'app.info',
  scope: null,
  async handler(context) {
    const { caller, services } = context;
    if (caller.authType === 'webhook') {
      // What Bitrix answers on a webhook: the granted scopes and the license.
      return { SCOPE: grantedScopes(caller), LICENSE: licenseCode(services) };
    }
    const describe = services.appInfo;
    if (!describe) throw restError('ACCESS_DENIED_REASON', { reason: 'Application context required' });
    return describe(context);
  },
});

export const systemMethods: MethodDeclaration[] = [
  methodsMethod,
  scopeMethod,
  methodGetMethod,
  serverTimeMethod,
  profileMethod,
  userCurrentMethod,
  appInfoMethod,
];
