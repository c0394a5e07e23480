// Failures of the database itself. Core answers them with ERROR_CORE "SQL query error!" and
// status 500 (rest-protocol.md §3.3, SQL_ERROR in errors.ts), whatever the method; any other
// unexpected failure is a bug and answers INTERNAL_SERVER_ERROR. Which failure is which kind is
// the dialects' business (src/db/dialects/dialectOf.ts); here each kind only gets its answer.
import { classifyDatabaseError } from '../db/dialects/dialectOf.js';
import type { DatabaseErrorKind } from '../db/dialects/types.js';
import { restError, type ErrorKey, type RestError } from './errors.js';

/**
 * A failure the database reported for a statement answers SQL_ERROR; a statement that got no
 * answer (the connection was lost) is not a statement error and stays INTERNAL_SERVER_ERROR.
 */
const ANSWER_BY_KIND: Readonly<Record<DatabaseErrorKind, ErrorKey>> = {
  uniqueViolation: 'SQL_ERROR',
  foreignKeyViolation: 'SQL_ERROR',
  notNullViolation: 'SQL_ERROR',
  conflict: 'SQL_ERROR',
  busy: 'SQL_ERROR',
  statementFailed: 'SQL_ERROR',
  connectionLost: 'INTERNAL_SERVER_ERROR',
};

/** The answer for a failure that is not a RestError (log it first: the answer has no details). */
export function unexpectedErrorAnswer(error: unknown): RestError {
  const kind = classifyDatabaseError(error);
  return restError(kind === null ? 'INTERNAL_SERVER_ERROR' : ANSWER_BY_KIND[kind]);
}
