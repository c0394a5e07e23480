// The bundled browser code (web/tracker/, built by web/build.mjs into dist/web/), read once.
import fs from 'node:fs';
import type { PackName } from './contract.js';

// Two levels up from both src/tracker/ (tests) and dist/tracker/ (the built server) is the package root.
const WEB_DIR = new URL('../../dist/web/', import.meta.url);

const cache = new Map<PackName, string>();

export function bundledCode(name: PackName): string {
  let code = cache.get(name);
  if (code === undefined) {
    code = fs.readFileSync(new URL(`${name}.js`, WEB_DIR), 'utf8');
    cache.set(name, code);
  }
  return code;
}
