// Runs one load burst in a separate process (bench/loadgen.mjs) and returns its figures.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { collectOutput, ORPHAN_GUARD, spawnChild } from './children.mjs';
import { startBackgroundMeter, startRssSampler } from './machine.mjs';
import { pinned } from './pinning.mjs';

const LOADGEN = fileURLToPath(new URL('../loadgen.mjs', import.meta.url));

/**
 * Runs one load burst against a server; `serverPid` also measures the server's RSS peak and the
 * CPU other processes on the machine used meanwhile (`cpu.otherCores`).
 */
export async function runLoad(spec, workDir, serverPid) {
  const file = path.join(workDir, `load-${process.hrtime.bigint()}.json`);
  fs.writeFileSync(file, JSON.stringify(spec));
  try {
    const rss = serverPid ? startRssSampler(serverPid) : null;
    const meter = serverPid ? startBackgroundMeter(serverPid) : null;
    const child = spawnChild(...pinned('load', process.execPath, ['--require', ORPHAN_GUARD, LOADGEN, file]));
    const out = await collectOutput(child, 'load generator');
    const result = JSON.parse(out.trim().split('\n').at(-1));
    if (serverPid) {
      result.rssPeakMB = rss.stop();
      result.cpu = meter.stop(result.cpuSeconds);
    }
    return result;
  } finally {
    fs.rmSync(file, { force: true });
  }
}

/** A run that had any failed, mismatched or non-2xx answer measures the wrong thing. */
export function loadProblems(result) {
  const problems = [];
  if (result.ok === 0) problems.push('no successful answer');
  if (result.non2xx) problems.push(`${result.non2xx} non-2xx answers ${JSON.stringify(result.statusCodes)}`);
  if (result.errors) problems.push(`${result.errors} connection errors (${result.timeouts} timeouts)`);
  if (result.mismatches) problems.push(`${result.mismatches} unexpected bodies, e.g. ${result.firstMismatch}`);
  return problems;
}
