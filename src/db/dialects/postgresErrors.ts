// pg raises a DatabaseError with the SQLSTATE as `code` and a `severity` for what the server
// reported (https://www.postgresql.org/docs/current/errcodes-appendix.html), and plain errors
// (Node's socket errors, or its own messages) when it cannot reach the server or loses it.
// Recognised by shape, so the driver need not be loaded on SQLite.
import type { DatabaseErrorKind } from './types.js';

const KIND_BY_SQLSTATE: Readonly<Record<string, DatabaseErrorKind>> = {
  '23505': 'uniqueViolation',
  '23503': 'foreignKeyViolation',
  '23502': 'notNullViolation',
  '40001': 'conflict', // serialization_failure
  '40P01': 'conflict', // deadlock_detected
  '55P03': 'busy', // lock_not_available (NOWAIT, lock_timeout)
};

const SOCKET_FAILURES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ENOTFOUND', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);

// pg's and pg-pool's own texts for a connection that broke, or never came.
const CONNECTION_MESSAGES = /^(Connection terminated|Client has encountered a connection error|Client was closed|timeout exceeded when trying to connect)/;

/**
 * The kind of an error pg raised; null for anything else. An error the server reported is a
 * statement's failure even when the server ends the session with it (57P01): the statement
 * got an answer.
 */
export function classifyPostgresError(error: unknown): DatabaseErrorKind | null {
  if (!(error instanceof Error)) return null;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && typeof (error as { severity?: unknown }).severity === 'string' && /^[0-9A-Z]{5}$/.test(code)) {
    return KIND_BY_SQLSTATE[code] ?? 'statementFailed';
  }
  if (typeof code === 'string' && SOCKET_FAILURES.has(code)) return 'connectionLost';
  if (code === undefined && CONNECTION_MESSAGES.test(error.message)) return 'connectionLost';
  return null;
}
