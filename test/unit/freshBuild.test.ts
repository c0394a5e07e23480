// The guard that keeps spawned-CLI tests off a stale dist/ (test/cli/freshBuild.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { staleBuild } from '../cli/freshBuild.js';

let root: string;

function write(file: string, mtimeSeconds: number): void {
  const full = path.join(root, file);
  fs.mkdirSync(path.dirname(full), { recursive: true });
  fs.writeFileSync(full, '');
  fs.utimesSync(full, mtimeSeconds, mtimeSeconds);
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-fresh-'));
  write('src/cli/main.ts', 100);
  write('src/types.d.ts', 100);
  write('dist/cli/main.js', 200);
  write('dist/cli/main.js.map', 200);
  write('test/support/testMethods.ts', 100);
  write('dist-test/testMethods.js', 200);
});
afterEach(() => {
  fs.rmSync(root, { recursive: true, force: true });
});

describe('staleBuild', () => {
  it('accepts a build newer than every source', () => {
    expect(staleBuild(root)).toBeNull();
  });

  it('names a source changed after the build', () => {
    write('src/cli/main.ts', 300);
    expect(staleBuild(root)).toBe(`${path.join('src', 'cli', 'main.ts')} changed after the build`);
  });

  it('names a source that was never built', () => {
    write('src/cli/run.ts', 100);
    expect(staleBuild(root)).toBe(`${path.join('dist', 'cli', 'run.js')} is missing`);
  });

  it('names built output whose source is gone', () => {
    write('dist/rest/phpJson.js', 200);
    expect(staleBuild(root)).toBe(`dist/${path.join('rest', 'phpJson.js')} has no source in src/`);
  });

  it('checks the compiled test methods too', () => {
    write('test/support/testMethods.ts', 300);
    expect(staleBuild(root)).toBe(`${path.join('test', 'support', 'testMethods.ts')} changed after the build`);
    fs.rmSync(path.join(root, 'dist-test'), { recursive: true });
    expect(staleBuild(root)).toBe(`${path.join('dist-test', 'testMethods.js')} is missing`);
  });
});
