// What the auth module promises the rest of the server: who a token belongs to, the users'
// profiles, and what an OAuth application says about itself.
import type { Caller } from './caller.js';
import type { User } from './users.js';

/** Validates an OAuth access token; the OAuth module supplies the real one. */
export interface TokenAuthenticator {
  authenticate(token: string, requiredScope: string | null): Promise<Caller>;
}

export interface UserDirectory {
  findById(id: number): Promise<User | undefined>;
}

/** `app.info` for a caller authenticated by an application token. */
export interface AppDescriber {
  describe(caller: Caller): Promise<Record<string, unknown>>;
}
