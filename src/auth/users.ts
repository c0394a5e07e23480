// Portal users. User 1 is the administrator created on first start.
import { fitsIntegerColumn } from '../db/integers.js';
import type { Executor } from '../db/schema.js';

export interface User {
  readonly id: number;
  readonly login: string;
  readonly name: string;
  readonly lastName: string;
  readonly email: string;
  readonly gender: string;
  readonly timeZone: string;
  readonly isAdmin: boolean;
  readonly active: boolean;
  /** Unix seconds. */
  readonly createdAt: number;
}

export interface NewUser {
  readonly login: string;
  readonly name?: string;
  readonly lastName?: string;
  readonly email?: string;
  readonly isAdmin?: boolean;
}

type UserRow = {
  id: number; login: string; name: string; last_name: string; email: string; gender: string;
  time_zone: string; is_admin: number; active: number; created_at: number | string;
};

function toUser(row: UserRow): User {
  return {
    id: row.id,
    login: row.login,
    name: row.name,
    lastName: row.last_name,
    email: row.email,
    gender: row.gender,
    timeZone: row.time_zone,
    isAdmin: row.is_admin === 1,
    active: row.active === 1,
    createdAt: Number(row.created_at),
  };
}

const USER_COLUMNS = ['id', 'login', 'name', 'last_name', 'email', 'gender', 'time_zone', 'is_admin', 'active', 'created_at'] as const;

export async function findUserById(db: Executor, id: number): Promise<User | undefined> {
  if (!fitsIntegerColumn(id)) return undefined;
  const row = await db.selectFrom('users').select(USER_COLUMNS).where('id', '=', id).executeTakeFirst();
  return row ? toUser(row) : undefined;
}

/** Users looked up by ID, for modules that may not reach the database (auth/contract.ts UserDirectory). */
export function userDirectory(db: Executor) {
  return { findById: (id: number) => findUserById(db, id) };
}

export async function findUserByLogin(db: Executor, login: string): Promise<User | undefined> {
  const row = await db.selectFrom('users').select(USER_COLUMNS).where('login', '=', login).executeTakeFirst();
  return row ? toUser(row) : undefined;
}

export async function listUsers(db: Executor): Promise<User[]> {
  const rows = await db.selectFrom('users').select(USER_COLUMNS).orderBy('id').execute();
  return rows.map(toUser);
}

export async function addUser(db: Executor, user: NewUser, nowSeconds: number): Promise<User> {
  const existing = await findUserByLogin(db, user.login);
  if (existing) throw new Error(`a user with login "${user.login}" already exists (ID ${existing.id})`);
  const inserted = await db
    .insertInto('users')
    .values({
      login: user.login,
      name: user.name ?? '',
      last_name: user.lastName ?? '',
      email: user.email ?? '',
      is_admin: user.isAdmin ? 1 : 0,
      created_at: Math.floor(nowSeconds),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const created = await findUserById(db, inserted.id);
  if (!created) throw new Error('user vanished after insert');
  return created;
}

/** Deactivated users cannot sign in, and their webhooks and tokens stop working. */
export async function setUserActive(db: Executor, id: number, active: boolean): Promise<boolean> {
  const result = await db.updateTable('users').set({ active: active ? 1 : 0 }).where('id', '=', id).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
