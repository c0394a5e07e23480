// Who is calling, as authentication establishes it. Owned by auth and read by every module that
// decides what a caller may see or change; the REST layer only passes it on.

/** `session`: a signed-in dashboard page (src/dashboard/tokenAuth.ts). */
export type AuthType = 'webhook' | 'oauth' | 'session';

export interface Caller {
  readonly userId: number;
  readonly isAdmin: boolean;
  readonly authType: AuthType;
  /** Webhook ID, OAuth application ID or dashboard session ID: the operating-time limit is kept per credential. */
  readonly credentialId: number;
  /** The OAuth application's client_id; undefined for webhooks. */
  readonly clientId?: string;
  readonly scopes: ReadonlySet<string>;
  /**
   * OAuth only: the request's `auth_connector` (events.md §2.1), an auth-level parameter that
   * names which of the app's offline handlers a change must not be queued for.
   */
  readonly authConnector?: string;
  /**
   * The change token's mark (ChangeToken.mark) taken when this request's authentication began,
   * where reading the token costs a round trip: the request's later cache checks may take a
   * token read issued after it (one round trip per request instead of one per cache).
   */
  readonly changesReadAfter?: number;
}
