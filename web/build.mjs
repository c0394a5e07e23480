// Builds what the server serves to browsers into dist/web/, after the server's tsc build:
//  - the site tracker (web/tracker/) into dist/web/, where the server reads it to serve
//    /upload/crm/tag/call.tracker.js and guest.js with the configuration inlined;
//  - the dashboard (web/app/) into dist/web/app/: one minified bundle for the script, one for
//    the styles, plus the page.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.join(here, '..');

async function buildTracker() {
  const entries = { 'call.tracker': 'web/tracker/callTrackerEntry.ts', guest: 'web/tracker/guestEntry.ts' };
  await Promise.all(
    Object.entries(entries).map(([name, entry]) =>
      build({
        entryPoints: [path.join(root, entry)],
        outfile: path.join(root, 'dist', 'web', `${name}.js`),
        bundle: true,
        minify: true,
        format: 'iife',
        target: 'es2017',
        platform: 'browser',
        legalComments: 'none',
        logLevel: 'warning',
      }),
    ),
  );
}

async function buildDashboard() {
  const out = path.join(root, 'dist', 'web', 'app');
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
}

await Promise.all([buildTracker(), buildDashboard()]);
