// The shape of one REST method declaration (DESIGN.md "Methods: one declaration each").
// A handler never sees HTTP: it gets decoded parameters, the caller and the services.
import type { Services } from '../services.js';
import type { Caller } from '../auth/caller.js';
import type { PhpMap } from '../php/query.js';

export interface MethodContext {
  /** Parameters with the reserved names removed (rest-protocol.md §1.4). */
  readonly params: PhpMap;
  /** The paging offset: `intval(start)`, 0 when absent. */
  readonly start: number;
  readonly caller: Caller;
  readonly services: Services;
  readonly inBatch: boolean;
}

export interface MethodDeclaration {
  /** Lower-case, dotted, as listed by `methods`. */
  readonly name: string;
  /** Required scope; null for global methods that every credential may call. */
  readonly scope: string | null;
  /** Whether `batch` may run it; true unless a method says otherwise. */
  readonly batch?: boolean;
  handler(context: MethodContext): unknown;
}

/** A list page: `next` and `total` are lifted to the top of the envelope (§2.1). */
export class ListResult {
  constructor(
    readonly result: unknown,
    readonly next: number | undefined,
    readonly total: number | undefined,
  ) {}
}

export function defineMethod(declaration: MethodDeclaration): MethodDeclaration {
  return declaration;
}
