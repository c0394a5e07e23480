// The events this server raises, by scope (events.md §5): what `events` lists, what event.bind
// accepts, and what each event may be bound as. An event outside the caller's scopes and the
// global scope is "not found" (§2.1 step 7).

export interface EventSpec {
  readonly name: string;
  /** null: the global scope, which every app has. */
  readonly scope: string | null;
  /** ONOFFLINEEVENT cannot be bound offline (§2.7). */
  readonly disableOffline?: boolean;
  /** `auth` carries tokens (false for ONAPPUNINSTALL, §4.2). */
  readonly sendAuth: boolean;
  /** `auth[refresh_token]` too (ONAPPINSTALL, ONAPPTEST, ONOFFLINEEVENT). */
  readonly sendRefreshToken: boolean;
}

/** The CRM types whose add/update/delete raise ONCRM<TYPE>ADD|UPDATE|DELETE (§5.1). */
export const CRM_EVENT_TYPES: Readonly<Record<number, string>> = { 1: 'LEAD', 2: 'DEAL', 3: 'CONTACT', 4: 'COMPANY', 7: 'QUOTE' };

export type CrmChange = 'ADD' | 'UPDATE' | 'DELETE';

export function crmEventName(entityTypeId: number, change: CrmChange): string | undefined {
  const type = CRM_EVENT_TYPES[entityTypeId];
  return type === undefined ? undefined : `ONCRM${type}${change}`;
}

const global = (name: string, sendAuth: boolean, sendRefreshToken: boolean, disableOffline = false): EventSpec => ({
  name,
  scope: null,
  sendAuth,
  sendRefreshToken,
  disableOffline,
});

export const EVENT_CATALOGUE: readonly EventSpec[] = [
  global('ONAPPUNINSTALL', false, false),
  global('ONAPPINSTALL', true, true),
  global('ONAPPTEST', true, true),
  global('ONOFFLINEEVENT', true, true, true),
  ...Object.values(CRM_EVENT_TYPES).flatMap((type) =>
    (['ADD', 'UPDATE', 'DELETE'] as const).map((change) => ({
      name: `ONCRM${type}${change}`,
      scope: 'crm',
      sendAuth: true,
      sendRefreshToken: false,
    })),
  ),
];

const BY_NAME = new Map(EVENT_CATALOGUE.map((spec) => [spec.name, spec]));

export function eventSpec(name: string): EventSpec | undefined {
  return BY_NAME.get(name);
}

/** The events a holder of these scopes may bind: its scopes' and the global ones. */
export function eventVisible(spec: EventSpec, scopes: ReadonlySet<string>): boolean {
  return spec.scope === null || scopes.has(spec.scope);
}
