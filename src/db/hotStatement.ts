// Statements on the hot write path (trace.add, trace.delete) built by Kysely once per dialect
// and shape instead of on every call: building and compiling a query cost more than running
// it on SQLite. The builder is given markers instead of values; the compiled text is kept and
// each call binds its own values where the markers were. Everything else Kysely does stays:
// the same SQL text per dialect (row-lock clauses included), run through the same executor.
import type { Compilable, CompiledQuery, Kysely, QueryResult, RawBuilder } from 'kysely';
import { dialectOf } from './dialects/dialectOf.js';
import { storableParameters } from './dialects/storableText.js';

/** Private-use characters, which no caller's value carries through the marker's exact text. */
const MARKER_PREFIX = '\uE000salestrace-parameter-';
const MARKER_SUFFIX = '\uE001';

/** Where a compiled parameter comes from: the call's value at an index, or a constant of the shape. */
type Slot = { readonly index: number } | { readonly constant: unknown };

interface Compiled {
  readonly template: CompiledQuery;
  readonly slots: readonly Slot[];
}

/** `$(i)` stands for the call's i-th value; typed `any` so it fits any column. */
export type Marker = (index: number) => any;

const marker: Marker = (index) => `${MARKER_PREFIX}${index}${MARKER_SUFFIX}`;

function slotOf(parameter: unknown): Slot {
  if (typeof parameter === 'string' && parameter.startsWith(MARKER_PREFIX) && parameter.endsWith(MARKER_SUFFIX)) {
    return { index: Number(parameter.slice(MARKER_PREFIX.length, -MARKER_SUFFIX.length)) };
  }
  return { constant: parameter };
}

/** Shapes kept per statement (row counts, tables); beyond it a shape is compiled per call. */
const MAX_SHAPES = 64;

/**
 * One statement whose text depends only on `shape` (1 unless it varies, e.g. the number of rows
 * of a multi-row insert, or a table name). `build` must put every value of a call through `$`,
 * in any order; whatever else it binds is kept as a constant of the shape.
 */
export class HotStatement<R = unknown, S extends string | number = number> {
  readonly #compiled = new Map<string, Compiled>();

  constructor(private readonly build: (db: Kysely<any>, $: Marker, shape: S) => Compilable<R>) {}

  #compile(db: Kysely<any>, shape: S): Compiled {
    const key = `${dialectOf(db).name}:${shape}`;
    const kept = this.#compiled.get(key);
    if (kept) return kept;
    const template = this.build(db, marker, shape).compile();
    const compiled = { template, slots: template.parameters.map(slotOf) };
    if (this.#compiled.size < MAX_SHAPES) {
      this.#compiled.set(key, compiled);
      // Sent on every call: where the database would parse it every time, it is prepared once.
      dialectOf(db).keepPrepared?.(template.sql);
    }
    return compiled;
  }

  /** The SQL and parameters this call runs (for tests: the same as building the query with the values). */
  compiledFor(db: Kysely<any>, values: readonly unknown[], shape: S = 1 as S): CompiledQuery<R> {
    const { template, slots } = this.#compile(db, shape);
    const parameters = slots.map((slot) => ('index' in slot ? values[slot.index] : slot.constant));
    return { ...template, parameters: storableParameters(parameters) } as CompiledQuery<R>;
  }

  execute(db: Kysely<any>, values: readonly unknown[], shape: S = 1 as S): Promise<QueryResult<R>> {
    return db.executeQuery(this.compiledFor(db, values, shape));
  }

  async rows(db: Kysely<any>, values: readonly unknown[], shape: S = 1 as S): Promise<R[]> {
    return (await this.execute(db, values, shape)).rows;
  }
}

/**
 * Runs a raw statement whose text is the same on every call (only its values differ), such as
 * the shared limits' statements: where the dialect would parse it on every call, it is prepared once.
 */
export function executeRepeated<R>(db: Kysely<any>, query: RawBuilder<R>): Promise<QueryResult<R>> {
  const compiled = query.compile(db);
  dialectOf(db).keepPrepared?.(compiled.sql);
  return db.executeQuery(compiled);
}
