// Every entry of the error registry (src/rest/errors.ts) is either raised somewhere in the
// source or listed in NEVER_RAISED with its reason, and each listed one is explained in
// COMPATIBILITY.md. A key that is added and never raised, or one that stops being raised,
// fails here instead of lingering as dead text.
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERRORS, NEVER_RAISED } from '../../src/rest/errors.js';

const root = path.resolve(import.meta.dirname, '../..');
const REGISTRY = path.join('src', 'rest', 'errors.ts');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(relative);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

/** Keys named as a string literal outside the registry, or passed to restError inside it (its helpers). */
function raisedKeys(): Set<string> {
  const raised = new Set<string>();
  for (const file of sourceFiles('src')) {
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const key of Object.keys(ERRORS)) {
      const literal = new RegExp(`['"\`]${key}['"\`]`);
      const used = file === REGISTRY ? new RegExp(`restError\\(\\s*['"\`]${key}['"\`]`).test(text) : literal.test(text);
      if (used) raised.add(key);
    }
  }
  return raised;
}

describe('the error registry', () => {
  it('lists in NEVER_RAISED exactly the keys no code raises', () => {
    const raised = raisedKeys();
    const unraised = Object.keys(ERRORS).filter((key) => !raised.has(key));
    expect(unraised.sort()).toEqual([...NEVER_RAISED].sort());
  });

  it('explains every never-raised error in COMPATIBILITY.md', () => {
    const compatibility = fs.readFileSync(path.join(root, 'COMPATIBILITY.md'), 'utf8');
    const section = compatibility.split('### Errors that cannot occur on a self-hosted server')[1]?.split('\n#')[0] ?? '';
    for (const key of NEVER_RAISED) {
      expect(section, key).toMatch(new RegExp(`^\\|[^\\n]*\`${ERRORS[key].code}\``, 'm'));
    }
  });
});
