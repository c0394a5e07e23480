// Cold start: from spawning `salestrace serve` to the first 200 on a real call (server.time
// through the webhook), on a fresh data directory and on a restart of an existing one.
import fs from 'node:fs';
import path from 'node:path';
import { median, round } from './stats.mjs';
import { postOnce, startSalestrace } from './servers.mjs';

async function oneStart(dataDir) {
  const t0 = performance.now();
  // No orphan guard preload here: the timed command is exactly what a user runs.
  const server = await startSalestrace('cold-start', dataDir, { guard: false });
  try {
    const listeningMs = performance.now() - t0;
    const answer = await postOnce(`${server.webhookUrl}server.time`, '{}');
    const firstAnswerMs = performance.now() - t0;
    if (answer.status !== 200) throw new Error(`cold start: server.time answered ${answer.status} ${answer.body}`);
    return { listeningMs, firstAnswerMs };
  } finally {
    await server.stop();
  }
}

export async function measureColdStart(workDir, runs) {
  const fresh = [];
  const restart = [];
  let dataDir;
  for (let i = 0; i < runs; i++) {
    dataDir = path.join(workDir, `cold-${i}`);
    fresh.push(await oneStart(dataDir));
    restart.push(await oneStart(dataDir));
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  const describe = (samples) => ({
    medianMs: round(median(samples.map((s) => s.firstAnswerMs)), 0),
    runsMs: samples.map((s) => round(s.firstAnswerMs, 0)),
    listeningMedianMs: round(median(samples.map((s) => s.listeningMs)), 0),
  });
  return { fresh: describe(fresh), restart: describe(restart) };
}
