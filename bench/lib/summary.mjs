// Turns the rounds of a run into medians, ratios and target verdicts.
import os from 'node:os';
import { median, round } from './stats.mjs';

/**
 * autocannon runs on one thread: near one core of CPU it cannot send faster, and the rate it
 * measured is its own limit, not the server's (a ratio against a baseline it also limited then
 * says little).
 */
export const LOAD_GENERATOR_SATURATED_CORES = 0.85;

/**
 * The other way a client-bound rate shows: every core busy (server, load generator and other
 * processes together), so neither side can go faster. Loopback networking in the kernel is not
 * always charged to either process, hence the margin.
 */
export const MACHINE_SATURATED_SHARE = 0.9;

export function summariseScenario(scenario, runs) {
  const units = scenario.unitsPerRequest ?? 1;
  const rps = median(runs.map((r) => r.rps));
  const loadGeneratorCores = median(runs.map((r) => r.cpu?.loadGeneratorCores));
  return {
    name: scenario.name,
    server: scenario.server,
    baseline: Boolean(scenario.baseline),
    postgres: Boolean(scenario.postgres),
    about: scenario.about,
    unit: scenario.unit ?? 'requests',
    ...(scenario.batchOf ? { batchOf: scenario.batchOf, unitsPerRequest: units } : {}),
    requestsPerSecond: round(rps, 0),
    unitsPerSecond: round(rps * units, 0),
    latencyMs: {
      p50: round(median(runs.map((r) => r.latencyMs.p50)), 2),
      p99: round(median(runs.map((r) => r.latencyMs.p99)), 2),
      worstP99: round(Math.max(...runs.map((r) => r.latencyMs.p99)), 2),
    },
    peakRssMB: round(Math.max(...runs.map((r) => r.rssPeakMB)), 1),
    cpuCores: {
      server: round(median(runs.map((r) => r.cpu?.serverCores)), 2),
      loadGenerator: round(loadGeneratorCores, 2),
      otherMax: round(Math.max(...runs.map((r) => r.cpu?.otherCores ?? 0)), 2),
    },
    loadGeneratorSaturated: loadGeneratorCores >= LOAD_GENERATOR_SATURATED_CORES,
    machineSaturated:
      median(runs.map((r) => (r.cpu ? r.cpu.serverCores + r.cpu.loadGeneratorCores + r.cpu.otherCores : null))) >=
      MACHINE_SATURATED_SHARE * (os.availableParallelism?.() ?? os.cpus().length),
    rounds: runs.map((r) => ({
      requestsPerSecond: round(r.rps, 0),
      seconds: round(r.seconds, 2),
      drainSeconds: r.drainSeconds === undefined ? null : round(r.drainSeconds, 2),
      requests: r.ok,
      p50: round(r.latencyMs.p50, 2),
      p90: round(r.latencyMs.p90, 2),
      p99: round(r.latencyMs.p99, 2),
      maxMs: round(r.latencyMs.max, 2),
      peakRssMB: round(r.rssPeakMB, 1),
      cpuCores: r.cpu ? { server: round(r.cpu.serverCores, 2), loadGenerator: round(r.cpu.loadGeneratorCores, 2), other: round(r.cpu.otherCores, 2) } : null,
      ...(r.poolExhausted ? { poolExhausted: true } : {}),
    })),
  };
}

/** Each target's measured value and verdict; `null` verdict when what it needs was not run. */
export function evaluateTargets(targets, summaries, coldStart) {
  const byName = new Map(summaries.map((s) => [s.name, s]));
  // The p99 and RSS bounds are SQLite's (issue 6); PostgreSQL rows are compared by their ratios.
  const protocol = summaries.filter((s) => !s.baseline && !s.postgres);
  return targets.map((target) => {
    if (target.ratio) {
      const [a, b] = target.ratio.map((name) => byName.get(name));
      if (!a || !b) return { ...target, measured: null, pass: null, note: `needs ${target.ratio.filter((n) => !byName.has(n)).join(', ')}` };
      const value = a.unitsPerSecond / b.unitsPerSecond;
      const saturated = [a, b].filter((s) => s.loadGeneratorSaturated).map((s) => s.name);
      return { ...target, measured: round(value, 3), pass: value >= target.min, ...(saturated.length ? { saturated } : {}) };
    }
    if (target.p99BelowMs) {
      if (protocol.length === 0) return { ...target, measured: null, pass: null };
      // A batch of n calls may take n / (its speed-up) times as long as one call (issue 17).
      const boundFor = (s) => {
        const single = s.batchOf && byName.get(s.batchOf);
        if (!single) return target.p99BelowMs;
        const speedUp = s.unitsPerSecond / single.unitsPerSecond;
        return (target.p99BelowMs * s.unitsPerRequest) / Math.max(speedUp, 1);
      };
      const worst = protocol.reduce((w, s) => (s.latencyMs.p99 / boundFor(s) > w.latencyMs.p99 / boundFor(w) ? s : w));
      const failing = protocol.filter((s) => s.latencyMs.p99 >= boundFor(s)).map((s) => s.name);
      return { ...target, measured: worst.latencyMs.p99, bound: round(boundFor(worst), 1), worst: worst.name, failing, pass: failing.length === 0 };
    }
    if (target.rssBelowMB) {
      if (protocol.length === 0) return { ...target, measured: null, pass: null };
      const worst = protocol.reduce((w, s) => (s.peakRssMB > w.peakRssMB ? s : w));
      return { ...target, measured: worst.peakRssMB, worst: worst.name, pass: worst.peakRssMB < target.rssBelowMB };
    }
    if (target.coldStartBelowMs) {
      if (!coldStart) return { ...target, measured: null, pass: null };
      const worst = Math.max(coldStart.fresh.medianMs, coldStart.restart.medianMs);
      return { ...target, measured: worst, pass: worst < target.coldStartBelowMs };
    }
    throw new Error(`target ${target.id} has no rule`);
  });
}
