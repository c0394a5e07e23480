#!/usr/bin/env node
// `salestrace.report.attribution` at 1M traces: a thin wrapper of bench/reports.mjs, which holds
// the timing loop and the hand-written baseline (`npm run bench` runs it as report.attribution@1M).
//   npm run build && node bench/attribution.mjs [--calls 15] [--data DIR]
import { main } from './reports.mjs';

await main(['--only', 'attribution', ...process.argv.slice(2)]);
process.exit(0);
