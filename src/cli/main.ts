// The `salestrace` command line. Every command takes --data DIR.
import { processIo } from './io.js';
import { runCli } from './run.js';

const code = await runCli(process.argv.slice(2), processIo);
// A failed command exits at once; a successful one (serve) keeps running while it listens.
if (code !== 0) process.exit(code);
