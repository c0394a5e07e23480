// The spawned binary runs dist/ (and dist-test/, the suite's methods), which only `npm run
// build` and `npm run build:test` refresh (`npm test` runs both; `npx vitest run` alone does
// not). A test that spawned a stale build would test old code, so spawning refuses instead.
import fs from 'node:fs';
import path from 'node:path';

/** Files under `dir` (relative paths) whose names end with `extension`. */
function filesIn(dir: string, extension: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((file) => file.endsWith(extension) && !file.endsWith('.d.ts'));
}

/** Why `built` is not the current compilation of `source`, or null when it is. */
function staleOutput(root: string, source: string, built: string): string | null {
  if (!fs.existsSync(built)) return `${path.relative(root, built)} is missing`;
  if (fs.statSync(source).mtimeMs > fs.statSync(built).mtimeMs) return `${path.relative(root, source)} changed after the build`;
  return null;
}

/** The first reason the build under `root` does not match its sources, or null. */
export function staleBuild(root: string): string | null {
  const src = path.join(root, 'src');
  const dist = path.join(root, 'dist');
  for (const file of filesIn(src, '.ts')) {
    const reason = staleOutput(root, path.join(src, file), path.join(dist, file.replace(/\.ts$/, '.js')));
    if (reason) return reason;
  }
  // Output whose source was moved or deleted would still be importable. dist/web/ is the
  // browser bundles of web/tracker/ and web/app/ (web/build.mjs), checked below.
  for (const file of filesIn(dist, '.js')) {
    if (file.startsWith(`web${path.sep}`)) continue;
    if (!fs.existsSync(path.join(src, file.replace(/\.js$/, '.ts')))) return `dist/${file} has no source in src/`;
  }
  const web = path.join(root, 'web', 'tracker');
  for (const file of filesIn(web, '.ts')) {
    for (const bundle of ['call.tracker.js', 'guest.js']) {
      const reason = staleOutput(root, path.join(web, file), path.join(dist, 'web', bundle));
      if (reason) return reason;
    }
  }
  return staleOutput(root, path.join(root, 'test', 'support', 'testMethods.ts'), path.join(root, 'dist-test', 'testMethods.js'));
}

let checked: string | null | undefined;

/** Throws, once per test process and then on every call, when dist/ or dist-test/ is stale. */
export function requireFreshBuild(root: string): void {
  checked ??= staleBuild(root);
  if (checked) throw new Error(`the built CLI is stale (${checked}): run \`npm run build && npm run build:test\` (npm test does)`);
}
