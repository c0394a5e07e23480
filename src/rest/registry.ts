// The one table of REST methods, built from declarations. `methods`, `scope` and `method.get`
// read it, so what they report is always what the server answers.
import type { MethodDeclaration } from './method.js';

export const SALESTRACE_NAMESPACE = 'salestrace.';

export interface RegistryOptions {
  /** `serve --strict`: hide every method Bitrix24 does not have. */
  readonly strict: boolean;
}

export class MethodRegistry<Ports> {
  private readonly byName = new Map<string, MethodDeclaration<Ports>>();

  constructor(declarations: Iterable<MethodDeclaration<Ports>>, options: RegistryOptions) {
    for (const declaration of declarations) {
      if (options.strict && declaration.name.startsWith(SALESTRACE_NAMESPACE)) continue;
      const name = declaration.name.toLowerCase();
      if (this.byName.has(name)) throw new Error(`REST method declared twice: ${name}`);
      this.byName.set(name, declaration);
    }
  }

  get(name: string): MethodDeclaration<Ports> | undefined {
    return this.byName.get(name.toLowerCase());
  }

  all(): MethodDeclaration<Ports>[] {
    return [...this.byName.values()];
  }

  /** Every scope some method needs, in first-seen order. */
  scopes(): string[] {
    const seen = new Set<string>();
    for (const method of this.byName.values()) if (method.scope) seen.add(method.scope);
    return [...seen];
  }
}
