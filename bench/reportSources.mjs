#!/usr/bin/env node
// `salestrace.report.sources` at 1M traces: a thin wrapper of bench/reports.mjs, which holds the
// timing loop and the hand-written baseline (`npm run bench` runs it as report.sources@1M).
//   npm run build && node bench/reportSources.mjs [--calls 15] [--data DIR]
import { main } from './reports.mjs';

await main(['--only', 'sources', ...process.argv.slice(2)]);
process.exit(0);
