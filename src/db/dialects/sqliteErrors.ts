// better-sqlite3 raises a SqliteError whose `code` is SQLite's extended result code
// (https://www.sqlite.org/rescode.html). Recognised by shape, like the PostgreSQL errors.
import type { DatabaseErrorKind } from './types.js';

const KIND_BY_CODE: Readonly<Record<string, DatabaseErrorKind>> = {
  SQLITE_CONSTRAINT_UNIQUE: 'uniqueViolation',
  SQLITE_CONSTRAINT_PRIMARYKEY: 'uniqueViolation',
  SQLITE_CONSTRAINT_FOREIGNKEY: 'foreignKeyViolation',
  SQLITE_CONSTRAINT_NOTNULL: 'notNullViolation',
};

/** The kind of an error better-sqlite3 raised for a statement; null for anything else. */
export function classifySqliteError(error: unknown): DatabaseErrorKind | null {
  if (!(error instanceof Error) || error.name !== 'SqliteError') return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !code.startsWith('SQLITE_')) return null;
  const kind = KIND_BY_CODE[code];
  if (kind) return kind;
  // The primary code is the part before the extension: SQLITE_BUSY_SNAPSHOT is SQLITE_BUSY.
  if (/^SQLITE_(BUSY|LOCKED)(_|$)/.test(code)) return 'busy';
  return 'statementFailed';
}
