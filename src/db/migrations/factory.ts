// The shape of one migration: built for the dialect it runs on. Its own file, so that the
// migrations and the runner that imports them do not import each other.
import type { Migration } from 'kysely';
import type { DialectHelpers } from '../dialects/types.js';

export type MigrationFactory = (helpers: DialectHelpers) => Migration;
