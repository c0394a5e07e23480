// Which token a token-form call carries (rest-protocol.md §1.5, core's getAuthKey): the Bearer
// header first, then `auth`, then `access_token`; arrays never count.
import { describe, expect, it } from 'vitest';
import { findAccessToken } from '../../src/auth/authenticate.js';
import { newPhpMap } from '../../src/php/query.js';

function find(authorization: string | undefined, params: Record<string, unknown>): string | undefined {
  return findAccessToken({ authorization, params: Object.assign(newPhpMap(), params), isHttps: true });
}

describe('findAccessToken', () => {
  it('prefers the Bearer header over auth and access_token', () => {
    expect(find('Bearer header-token', { auth: 'auth-token', access_token: 'access' })).toBe('header-token');
    expect(find('bearer   header-token  ', {})).toBe('header-token');
  });

  it('takes auth before access_token', () => {
    expect(find(undefined, { auth: 'auth-token', access_token: 'access' })).toBe('auth-token');
    expect(find(undefined, { access_token: 'access' })).toBe('access');
  });

  it('skips headers that are not Bearer, empty values and arrays', () => {
    expect(find('Basic dXNlcjpwYXNz', { auth: 'auth-token' })).toBe('auth-token');
    expect(find('Bearer ', { auth: ['x'], access_token: 'access' })).toBe('access');
    expect(find(undefined, { auth: '' })).toBeUndefined();
    expect(find(undefined, { auth: { a: 1 } })).toBeUndefined();
    expect(find(undefined, {})).toBeUndefined();
  });

  it('accepts a numeric JSON token as its text', () => {
    expect(find(undefined, { auth: 12345 })).toBe('12345');
  });
});
