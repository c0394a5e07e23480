// The shape of one REST method declaration (DESIGN.md "Methods: one declaration each").
// A handler never sees HTTP: it gets decoded parameters, the caller, and the ports it declares
// (`defineMethod<{ crm: CrmItemAccess }>(…)`), each an interface its owning module states.
import type { Caller } from '../auth/caller.js';
import type { PhpMap } from '../php/query.js';

export interface MethodContext<Ports = {}> {
  /** Parameters with the reserved names removed (rest-protocol.md §1.4). */
  readonly params: PhpMap;
  /** The paging offset: `intval(start)`, 0 when absent. */
  readonly start: number;
  readonly caller: Caller;
  /** The contracts this method declared it needs, and nothing else it can name. */
  readonly ports: Ports;
  readonly inBatch: boolean;
}

/** What `methods`, `scope` and `method.get` may know of a method: everything but its handler. */
export interface MethodInfo {
  /** Lower-case, dotted, as listed by `methods`. */
  readonly name: string;
  /** Required scope; null for global methods that every credential may call. */
  readonly scope: string | null;
  /** Whether `batch` may run it; true unless a method says otherwise. */
  readonly batch?: boolean;
}

export interface MethodDeclaration<Ports = {}> extends MethodInfo {
  // A property, not a method, so that a method needing more ports than a list offers does not fit it.
  readonly handler: (context: MethodContext<Ports>) => unknown;
  /** How `batch` may write a run of consecutive rows of this method together (batch.ts). */
  readonly inRuns?: RunWriter<Ports>;
}

/**
 * A method's call split in two for `batch`: `check` does everything the handler does before it
 * writes, and throws the row's error as the handler would; `write` then writes checked rows,
 * in order, with the results and database contents the handler would give them one by one.
 */
export interface RunWriter<Ports = {}> {
  /**
   * `previous` is what `check` returned for the run's row before this one, if any: nothing but
   * checks ran in the batch's transaction since, so what it read that only writes change is
   * still true (trace.add's source matcher).
   */
  readonly check: (context: MethodContext<Ports>, previous?: unknown) => Promise<unknown>;
  readonly write: (ports: Ports, checked: readonly unknown[]) => Promise<unknown[]>;
}

/** A list page: `next` and `total` are lifted to the top of the envelope (§2.1). */
export class ListResult {
  constructor(
    readonly result: unknown,
    readonly next: number | undefined,
    readonly total: number | undefined,
  ) {}
}

export function defineMethod<Ports = {}>(declaration: MethodDeclaration<Ports>): MethodDeclaration<Ports> {
  return declaration;
}
