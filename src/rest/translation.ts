// One method family's answer to the domain errors its methods can meet: a declared table from
// each error kind to a registry key, applied once around the family's handlers. Kinds a family
// cannot meet are declared too (NOT_MET), so a new kind fails to compile until every table says
// what becomes of it; an error a family does not expect goes on as an unexpected failure.
import { DomainError, type ErrorDetails } from '../domainError.js';
import { restError, type ErrorKey } from './errors.js';
import type { MethodDeclaration } from './method.js';

export interface Translation {
  readonly key: ErrorKey;
  /** The registry template's values; the error's own details when absent. */
  readonly args?: (details: ErrorDetails) => Record<string, string | number>;
  /** For ERROR_ARGUMENT answers: the offending parameter, sent as the extra `argument` key. */
  readonly argument?: (details: ErrorDetails) => string;
}

/** The family's methods cannot raise this kind (the table says why, next to the row). */
export const NOT_MET = 'not met';

export type TranslationTable<Kind extends string> = Readonly<Record<Kind, Translation | typeof NOT_MET>>;

export function translateDomainError(table: TranslationTable<string>, error: unknown): unknown {
  if (!(error instanceof DomainError) || !Object.hasOwn(table, error.kind)) return error;
  const row = table[error.kind];
  if (row === NOT_MET) return error;
  const args = row.args ? row.args(error.details) : error.details;
  return restError(row.key, args, row.argument ? { argument: row.argument(error.details) } : undefined);
}

/** Runs one handler body, answering its domain errors from the family's table. */
export async function withTranslation<T>(table: TranslationTable<string>, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw translateDomainError(table, error);
  }
}

/** The family's declarations with the table applied around every handler. */
export function translatingMethods<Ports>(
  table: TranslationTable<string>,
  methods: readonly MethodDeclaration<Ports>[],
): MethodDeclaration<Ports>[] {
  return methods.map((method) => ({
    ...method,
    handler: (context) => withTranslation(table, async () => method.handler(context)),
    // A batch's run of rows calls the two halves instead of the handler: the same table applies.
    ...(method.inRuns && {
      inRuns: {
        check: (context, previous) => withTranslation(table, () => method.inRuns!.check(context, previous)),
        write: (ports, checked) => withTranslation(table, () => method.inRuns!.write(ports, checked)),
      },
    }),
  }));
}
