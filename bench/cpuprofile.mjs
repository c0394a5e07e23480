#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function, per file or package,
// and inclusive time per function (time with that function anywhere on the stack, counted
// once per sample).
//   node bench/cpuprofile.mjs <file.cpuprofile> [--top 25] [--markdown]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatNumber, table } from './lib/markdown.mjs';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

/** Where a frame's code lives: a project file, a package, Node's own code, or a V8 pseudo-frame. */
export function frameFile(url) {
  if (!url) return '(native/V8)';
  if (url.startsWith('node:')) return 'node:internal';
  const file = url.startsWith('file://') ? fileURLToPath(url) : url;
  const modules = file.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const rest = file.slice(modules + 'node_modules/'.length).split('/');
    return `npm:${rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]}`;
  }
  // whatif.mjs serves patched copies of dist/ from bench/.work/<run>/dist-<variant>/.
  return (path.relative(ROOT, file) || file).replace(/^bench\/\.work\/[^/]+\/dist-[^/]+\//, 'dist/');
}

function frameKey(frame) {
  const name = frame.functionName || '(anonymous)';
  if (!frame.url) return name;
  return `${name} ${frameFile(frame.url)}:${frame.lineNumber + 1}`;
}

export function analyse(profile) {
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

  const deltas = profile.timeDeltas;
  const selfByNode = new Map();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // A sample stands for the time until the next one.
    const us = deltas[i + 1] ?? deltas[i] ?? 0;
    selfByNode.set(profile.samples[i], (selfByNode.get(profile.samples[i]) ?? 0) + us);
    total += us;
  }

  const selfByFunction = new Map();
  const selfByFile = new Map();
  const inclusive = new Map();
  const add = (map, key, us) => map.set(key, (map.get(key) ?? 0) + us);
  for (const [id, us] of selfByNode) {
    const frame = nodes.get(id).callFrame;
    add(selfByFunction, frameKey(frame), us);
    add(selfByFile, frameFile(frame.url) === '(native/V8)' ? frame.functionName || '(native/V8)' : frameFile(frame.url), us);
    const seen = new Set();
    for (let cursor = id; cursor !== undefined; cursor = parent.get(cursor)) {
      const key = frameKey(nodes.get(cursor).callFrame);
      if (!seen.has(key)) {
        seen.add(key);
        add(inclusive, key, us);
      }
    }
  }
  const idle = selfByFile.get('(idle)') ?? 0;
  const busy = total - idle;
  const ranked = (map) =>
    [...map]
      .filter(([key]) => key !== '(idle)' && key !== '(root)')
      .sort((a, b) => b[1] - a[1])
      .map(([key, us]) => ({ key, ms: us / 1000, share: us / busy }));
  return { totalMs: total / 1000, busyMs: busy / 1000, idleMs: idle / 1000, byFunction: ranked(selfByFunction), byFile: ranked(selfByFile), inclusive: ranked(inclusive) };
}

const pct = (share) => `${formatNumber(share * 100, 1)}%`;

/** Markdown tables of a summary; with `requests` (answered while profiling) also µs per request. */
export function profileMarkdown(summary, top = 25, requests = 0) {
  const perRequest = requests > 0;
  const rows = (list) =>
    list.slice(0, top).map((r) => [`\`${r.key}\``, formatNumber(r.ms, 0), pct(r.share), ...(perRequest ? [formatNumber((r.ms * 1000) / requests, 1)] : [])]);
  const header = (first, ms) => [first, ms, 'share', ...(perRequest ? ['µs/request'] : [])];
  return [
    `Sampled ${formatNumber(summary.totalMs, 0)} ms, of which ${formatNumber(summary.busyMs, 0)} ms busy (shares below are of busy time)` +
      (perRequest ? `; ${formatNumber(requests)} requests answered, ${formatNumber((summary.busyMs * 1000) / requests, 0)} µs busy per request.` : '.'),
    '',
    '**Self time by file or package**',
    '',
    table(header('File / package', 'self ms'), rows(summary.byFile)),
    '',
    '**Self time by function**',
    '',
    table(header('Function', 'self ms'), rows(summary.byFunction)),
    '',
    '**Inclusive time by function** (on the stack; async continuations are not under their caller)',
    '',
    table(header('Function', 'incl. ms'), rows(summary.inclusive.filter((r) => !r.key.startsWith('(program)')))),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' }, markdown: { type: 'boolean' } } });
  if (positionals.length !== 1) {
    console.error('usage: node bench/cpuprofile.mjs <file.cpuprofile> [--top N] [--markdown]');
    process.exit(2);
  }
  const summary = analyse(JSON.parse(fs.readFileSync(positionals[0], 'utf8')));
  const top = Number(values.top);
  if (values.markdown) console.log(profileMarkdown(summary, top));
  else {
    const print = (title, list) => {
      console.log(`\n${title}`);
      for (const r of list.slice(0, top)) console.log(`${formatNumber(r.ms, 0).padStart(8)} ms ${pct(r.share).padStart(6)}  ${r.key}`);
    };
    console.log(`sampled ${formatNumber(summary.totalMs, 0)} ms, busy ${formatNumber(summary.busyMs, 0)} ms`);
    print('self time by file/package', summary.byFile);
    print('self time by function', summary.byFunction);
    print('inclusive time by function', summary.inclusive);
  }
}
