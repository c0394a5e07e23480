// The human-readable side of a run: the results section of BENCHMARKS.md (also printed).
import { formatNumber, table } from './markdown.mjs';
import { LOAD_GENERATOR_SATURATED_CORES, MACHINE_SATURATED_SHARE } from './summary.mjs';

/** What each scenario's rate is compared with in the table (the targets' pairs, and the baselines). */
const COMPARED_WITH = {
  'server.time': 'bare-http',
  'fastify-floor': 'bare-http',
  'raw-sqlite': 'raw-durable',
  'trace.add': 'raw-durable',
  'trace.delete': 'raw-durable',
  'crm.item.list': 'raw-item-list',
  'batch-50': 'trace.add',
  'trace.add@1M': 'trace.add',
};

function percent(value) {
  return value === null || value === undefined ? '–' : `${formatNumber(value * 100, 0)}%`;
}

function verdict(target) {
  const text = target.pass === null ? 'not measured yet' : target.pass ? 'met' : '**missed**';
  return target.saturated ? `${text} (load generator saturated in ${target.saturated.join(', ')})` : text;
}

function measuredText(target) {
  if (target.measured === null) return target.note ? `– (${target.note})` : '–';
  if (target.ratio) return target.min >= 2 ? `${formatNumber(target.measured, 1)}×` : percent(target.measured);
  if (target.p99BelowMs) return `${formatNumber(target.measured, 2)} ms (${target.worst}, bound ${formatNumber(target.bound, 1)} ms)`;
  if (target.rssBelowMB) return `${formatNumber(target.measured, 0)} MB (${target.worst})`;
  if (target.coldStartBelowMs) return `${formatNumber(target.measured, 0)} ms`;
  return String(target.measured);
}

function saturationNote(scenarios) {
  const saturated = scenarios.filter((s) => s.loadGeneratorSaturated).map((s) => `\`${s.name}\``);
  const rule = `The load generator (autocannon, one thread) counts as saturated at ≥ ${formatNumber(LOAD_GENERATOR_SATURATED_CORES, 2)} cores (median over the rounds): it then sends as fast as it can and the rate is its limit, not the server's.`;
  return saturated.length === 0
    ? `${rule} No scenario reached it in this run.`
    : `${rule} **Saturated in this run: ${saturated.join(', ')}**; their rates, and the ratios that use them, are lower bounds for the server.`;
}

function machineNote(scenarios) {
  const busy = scenarios.filter((s) => s.machineSaturated).map((s) => `\`${s.name}\``);
  if (busy.length === 0) return '';
  return ` Every core was busy (server + load generator + other ≥ ${formatNumber(MACHINE_SATURATED_SHARE * 100, 0)}% of the machine, median) during ${busy.join(', ')}: there the rate is what the machine had left, and ratios between them compare shares of a contended machine.`;
}

export function resultsMarkdown(run) {
  const { machine, settings } = run;
  const byName = new Map(run.scenarios.map((s) => [s.name, s]));
  const rows = run.scenarios.map((s) => {
    const base = byName.get(COMPARED_WITH[s.name]);
    const ratio = base ? s.unitsPerSecond / base.unitsPerSecond : null;
    const share = ratio === null ? '' : ratio >= 2 ? `${formatNumber(ratio, 1)}× ${base.name}` : `${percent(ratio)} of ${base.name}`;
    const vs = share || (s.baseline ? 'baseline' : '');
    const units = s.unit === 'requests' ? '' : `${formatNumber(s.unitsPerSecond)} ${s.unit}/s`;
    return [
      `\`${s.name}\``,
      formatNumber(s.requestsPerSecond),
      units,
      formatNumber(s.latencyMs.p50, 2),
      formatNumber(s.latencyMs.p99, 2),
      formatNumber(s.peakRssMB, 0),
      `${formatNumber(s.cpuCores.server, 2)} / ${formatNumber(s.cpuCores.loadGenerator, 2)}${s.loadGeneratorSaturated ? ' (saturated)' : ''} / ${formatNumber(s.cpuCores.otherMax, 2)}`,
      vs,
    ];
  });
  for (const skipped of run.notRun) rows.push([`\`${skipped.name}\``, '–', '', '–', '–', '–', '–', `not run: ${skipped.reason}`]);

  const targets = table(
    ['Target (issues 6, 17)', 'Measured', 'Status'],
    run.targets.map((t) => [t.text, measuredText(t), verdict(t)]),
  );

  const cold = run.coldStart
    ? `Cold start, spawn of \`node dist/cli/main.js serve\` → first 200 on \`server.time\` through the webhook ` +
      `(${run.coldStart.fresh.runsMs.length} runs each): fresh data directory (migrations, administrator, webhook) ` +
      `median **${formatNumber(run.coldStart.fresh.medianMs)} ms** (${run.coldStart.fresh.runsMs.map((v) => formatNumber(v)).join(', ')}); ` +
      `restart on an existing one median **${formatNumber(run.coldStart.restart.medianMs)} ms** ` +
      `(${run.coldStart.restart.runsMs.map((v) => formatNumber(v)).join(', ')}).`
    : 'Cold start: not measured in this run.';

  const seeded = run.seed ? `\nSeeding ${formatNumber(run.seed.traces)} traces and ${formatNumber(run.seed.items)} items took ${formatNumber(run.seed.seconds, 1)} s.\n` : '';

  return `Run of ${run.date} (\`bench/results/${run.file}\`), ${formatNumber(run.elapsedSeconds)} s in all.
Machine: ${machine.cpu}, ${machine.cores} cores, ${formatNumber(machine.memoryMB / 1024, 0)} GB RAM, Node ${machine.node}, ${machine.platform}; databases on ${machine.dataFileSystem}.
Each scenario: ${settings.connections} connections for ${settings.seconds} s, ${settings.rounds} interleaved rounds after a ${settings.warmupSeconds} s warm-up; figures are medians over the rounds, peak RSS the maximum.

${table(['Scenario', 'req/s', 'units/s', 'p50 ms', 'p99 ms', 'peak RSS MB', 'CPU cores: server / load gen. / other (max)', 'vs baseline'], rows)}

"Other" is CPU that processes outside the bench used during the scenario's runs (the worst round); well above 0 means the machine was shared and the figures are disturbed.${
    run.discardedDisturbedRounds.length ? ` ${run.discardedDisturbedRounds.length} disturbed attempts were repeated and set aside (\`--retry-disturbed\`: the least disturbed attempt of each round counts; the JSON lists the others).` : ''
  }

${saturationNote(run.scenarios)}${machineNote(run.scenarios)}

${targets}

${cold}
${seeded}`;
}
