// Passwords for the authorization form (/oauth/authorize/), set with `salestrace user passwd`.
// Unlike webhook codes and tokens they are chosen by people, so they get a slow, salted hash.
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import type { Executor } from '../../db/schema.js';

const SCRYPT = { N: 16384, r: 8, p: 1, keyLength: 32 };
export const MIN_PASSWORD_LENGTH = 8;

function derive(password: string, salt: Buffer, options: ScryptOptions, keyLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const { N, r, p, keyLength } = SCRYPT;
  const key = await derive(password, salt, { N, r, p }, keyLength);
  return ['scrypt', N, r, p, salt.toString('hex'), key.toString('hex')].join('$');
}

export async function passwordMatches(password: string, stored: string): Promise<boolean> {
  const [kind, n, r, p, saltHex, keyHex] = stored.split('$');
  if (kind !== 'scrypt' || !keyHex) return false;
  const expected = Buffer.from(keyHex, 'hex');
  const key = await derive(password, Buffer.from(saltHex, 'hex'), { N: Number(n), r: Number(r), p: Number(p) }, expected.length);
  return timingSafeEqual(key, expected);
}

export async function setUserPassword(db: Executor, userId: number, password: string): Promise<void> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new Error(`a password needs at least ${MIN_PASSWORD_LENGTH} characters`);
  const hash = await hashPassword(password);
  await db
    .insertInto('user_passwords')
    .values({ user_id: userId, password_hash: hash })
    .onConflict((conflict) => conflict.column('user_id').doUpdateSet({ password_hash: hash }))
    .execute();
}

/** A hash to compare against when the login is unknown, so both cases take the same time. */
let decoyHash: Promise<string> | null = null;

/** The active user with this login and password, or undefined. */
export async function checkLogin(db: Executor, login: string, password: string): Promise<number | undefined> {
  const row = await db
    .selectFrom('users')
    .leftJoin('user_passwords', 'user_passwords.user_id', 'users.id')
    .select(['users.id', 'users.active', 'user_passwords.password_hash'])
    .where('users.login', '=', login)
    .executeTakeFirst();
  decoyHash ??= hashPassword(randomBytes(16).toString('hex'));
  const stored = row?.password_hash ?? (await decoyHash);
  const matches = await passwordMatches(password, stored);
  return row && row.password_hash && matches && row.active === 1 ? row.id : undefined;
}
