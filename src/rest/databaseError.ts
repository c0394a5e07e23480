// Failures of the database itself. Core answers them with ERROR_CORE "SQL query error!" and
// status 500 (rest-protocol.md §3.3, SQL_ERROR in errors.ts), whatever the method; any other
// unexpected failure is a bug and answers INTERNAL_SERVER_ERROR.
import { restError, type RestError } from './errors.js';

function fieldOf(error: object, name: string): unknown {
  return (error as Record<string, unknown>)[name];
}

/**
 * An error a database driver raised for a statement: better-sqlite3's SqliteError (`SQLITE_*`
 * code) or pg's DatabaseError (a five-character SQLSTATE and a severity). Recognised by shape,
 * so the PostgreSQL driver need not be loaded on SQLite. Connection failures are not statement
 * errors and stay INTERNAL_SERVER_ERROR.
 */
export function isDatabaseError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = fieldOf(error, 'code');
  if (typeof code !== 'string') return false;
  if (error.name === 'SqliteError') return code.startsWith('SQLITE_');
  return typeof fieldOf(error, 'severity') === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/** The answer for a failure that is not a RestError (log it first: the answer has no details). */
export function unexpectedErrorAnswer(error: unknown): RestError {
  return restError(isDatabaseError(error) ? 'SQL_ERROR' : 'INTERNAL_SERVER_ERROR');
}
