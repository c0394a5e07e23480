// The Node versions package.json admits must run every locked package: otherwise `npm install`
// on the oldest admitted Node warns (EBADENGINE) and the tooling may refuse to start.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const readJson = (name: string) => JSON.parse(fs.readFileSync(path.join(ROOT, name), 'utf8'));

type Version = [number, number, number];

/** `20`, `20.19`, `20.x`, `10.*` → the lowest version the text stands for, and how many parts it fixes. */
function partial(text: string): { version: Version; fixed: number } {
  const parts = text.replace(/^v/, '').split('.').filter((part) => part !== '' && part !== 'x' && part !== '*');
  const numbers = parts.map(Number);
  return { version: [numbers[0] ?? 0, numbers[1] ?? 0, numbers[2] ?? 0], fixed: parts.length };
}

const compare = (a: Version, b: Version) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

/** The subset of npm's range syntax package-lock.json's `engines.node` fields use. */
function satisfies(version: Version, range: string): boolean {
  return range.split('||').some((alternative) => {
    const comparators = alternative.trim().replace(/(>=|<=|>|<|\^|~)\s+/g, '$1').split(/\s+/);
    return comparators.every((comparator) => {
      if (comparator === '*' || comparator === '') return true;
      const match = /^(>=|<=|>|<|\^|~)?(.*)$/.exec(comparator)!;
      const { version: bound, fixed } = partial(match[2]);
      switch (match[1]) {
        case '>=':
          return compare(version, bound) >= 0;
        case '>':
          return compare(version, bound) > 0;
        case '<':
          return compare(version, bound) < 0;
        case '<=':
          return compare(version, bound) <= 0;
        case '^':
          return compare(version, bound) >= 0 && (bound[0] > 0 ? version[0] === bound[0] : version[1] === bound[1]);
        case '~':
          return compare(version, bound) >= 0 && version[0] === bound[0] && (fixed < 2 || version[1] === bound[1]);
        default:
          // A bare, possibly partial version: every part it names must match.
          return version.slice(0, fixed).every((part, i) => part === bound[i]);
      }
    });
  });
}

describe('engines.node', () => {
  it('understands the range forms it checks', () => {
    expect(satisfies([20, 19, 0], '^20.19.0 || >=22.12.0')).toBe(true);
    expect(satisfies([20, 18, 1], '^20.19.0 || >=22.12.0')).toBe(false);
    expect(satisfies([22, 11, 0], '^20.19.0 || >=22.12.0')).toBe(false);
    expect(satisfies([20, 0, 0], '20.x || 22.x')).toBe(true);
    expect(satisfies([21, 0, 0], '20.x || 22.x')).toBe(false);
    expect(satisfies([20, 0, 0], '>= 10.x')).toBe(true);
    expect(satisfies([20, 0, 0], '^10 || ^12 || >=14')).toBe(true);
    expect(satisfies([13, 6, 0], '^10 || ^12 || ^13.7 || ^14 || >=15.0.1')).toBe(false);
  });

  it('admits no Node version that a locked package refuses', () => {
    const admitted = readJson('package.json').engines.node as string;
    expect(admitted).toMatch(/^>=\d+(\.\d+){0,2}$/);
    const oldest = partial(admitted.slice(2)).version;
    const lock = readJson('package-lock.json');
    expect(lock.packages[''].engines.node).toBe(admitted);
    const refusing = Object.entries(lock.packages as Record<string, { engines?: { node?: string } }>)
      .filter(([, entry]) => typeof entry.engines?.node === 'string' && !satisfies(oldest, entry.engines.node))
      .map(([name, entry]) => `${name} (${entry.engines!.node})`);
    expect(refusing).toEqual([]);
  });
});
