// Bundles and minifies the browser tracker (web/tracker/) into dist/web/, where the server reads
// it to serve /upload/crm/tag/call.tracker.js and guest.js with the configuration inlined.
import { build } from 'esbuild';

const entries = { 'call.tracker': 'web/tracker/callTrackerEntry.ts', guest: 'web/tracker/guestEntry.ts' };

await Promise.all(
  Object.entries(entries).map(([name, entry]) =>
    build({
      entryPoints: [entry],
      outfile: `dist/web/${name}.js`,
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
