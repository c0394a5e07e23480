// Builds the dashboard (web/app/) into dist/web/app/: one minified bundle for the script and
// one for the styles, plus the page. Run by `npm run build` after the server's tsc build.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.join(here, '..', 'dist', 'web', 'app');

fs.rmSync(out, { recursive: true, force: true });
await build({
  entryPoints: { app: path.join(here, 'app', 'src', 'main.jsx'), style: path.join(here, 'app', 'src', 'app.css') },
  outdir: path.join(out, 'assets'),
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  jsx: 'automatic',
  jsxImportSource: 'preact',
  legalComments: 'none',
  logLevel: 'warning',
});
fs.copyFileSync(path.join(here, 'app', 'index.html'), path.join(out, 'index.html'));
fs.copyFileSync(path.join(here, 'app', 'favicon.svg'), path.join(out, 'assets', 'favicon.svg'));
