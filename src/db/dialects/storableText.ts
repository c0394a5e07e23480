// PostgreSQL cannot store U+0000 in text, where SQLite keeps it. So that a value means the same
// on both, every string bound to a query has U+0000 replaced with U+FFFD, the way a lone UTF-16
// surrogate already becomes U+FFFD when a string is encoded to UTF-8 on its way to either
// database. Filters are bound the same way, so they keep matching what was stored.
import type { CompiledQuery, Dialect, QueryCompiler } from 'kysely';

const NUL = '\u0000';

function storable(value: unknown): unknown {
  return typeof value === 'string' && value.includes(NUL) ? value.replaceAll(NUL, '\uFFFD') : value;
}

/** Parameters as the compiler below binds them; for SQL compiled once and run with new values (hotStatement.ts). */
export function storableParameters(parameters: readonly unknown[]): readonly unknown[] {
  if (!parameters.some((value) => typeof value === 'string' && value.includes(NUL))) return parameters;
  return parameters.map(storable);
}

/** The query with its string parameters made storable (for SQL compiled once and bound again: traceRun.ts). */
export function withStorableParameters(query: CompiledQuery): CompiledQuery {
  const parameters = storableParameters(query.parameters);
  return parameters === query.parameters ? query : { ...query, parameters };
}

export function withStorableText(dialect: Dialect): Dialect {
  return {
    createDriver: () => dialect.createDriver(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
    createQueryCompiler: (): QueryCompiler => {
      const compiler = dialect.createQueryCompiler();
      return { compileQuery: (node, queryId) => withStorableParameters(compiler.compileQuery(node, queryId)) };
    },
  };
}
