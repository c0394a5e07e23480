// Traces that say who they are, and a whole-database reading of the tracking tables, so the
// hostile-condition tests can tell exactly what each request should have left behind: every
// trace carries a marker in its utm_term (its previous traces `marker/p0`, `marker/p1`, …).
import type { Db } from '../../src/db/schema.js';

/** A browser-like trace: two pages, a form channel and `previous` previous visits. */
export function markedTrace(marker: string, previous: number): Record<string, unknown> {
  const host = `${marker}.example`;
  return {
    url: `https://${host}/landing`,
    tags: { list: { utm_source: 'google', utm_term: marker } },
    pages: { list: [[`https://${host}/`, 1767000000, 'Home'], [`https://${host}/landing`, 1767000100, 'Landing']] },
    channels: [{ code: 'form', value: marker }],
    previous: {
      list: Array.from({ length: previous }, (_, j) => ({
        url: `https://${marker}-p${j}.example/`,
        tags: { ts: 1766000000 + j, list: { utm_term: `${marker}/p${j}` } },
      })),
    },
  };
}

export interface TraceRow {
  readonly id: number;
  readonly marker: string | undefined;
  readonly pages: number;
  readonly channels: string[];
  readonly children: number[];
  readonly parents: number[];
  /** `type:id` of every bound item, sorted. */
  readonly bindings: string[];
}

/** Every trace with everything attached, read in one go. */
export async function readAllTraces(db: Db): Promise<Map<number, TraceRow>> {
  const traces = await db.selectFrom('tracking_traces').select(['id', 'tags_json', 'pages_json']).orderBy('id').execute();
  const channels = await db.selectFrom('tracking_trace_channels').select(['trace_id', 'code']).orderBy('id').execute();
  const tree = await db.selectFrom('tracking_trace_tree').select(['parent_id', 'child_id']).orderBy('id').execute();
  const items = await db.selectFrom('tracking_trace_items').select(['trace_id', 'entity_type_id', 'entity_id']).execute();
  const rows = new Map<number, TraceRow>();
  for (const trace of traces) {
    const tags = JSON.parse(trace.tags_json) as Record<string, string>;
    rows.set(trace.id, {
      id: trace.id,
      marker: tags.UTM_TERM,
      pages: (JSON.parse(trace.pages_json) as unknown[]).length,
      channels: channels.filter((c) => c.trace_id === trace.id).map((c) => c.code),
      children: tree.filter((t) => t.parent_id === trace.id).map((t) => t.child_id),
      parents: tree.filter((t) => t.child_id === trace.id).map((t) => t.parent_id),
      bindings: items
        .filter((i) => i.trace_id === trace.id)
        .map((i) => `${i.entity_type_id}:${i.entity_id}`)
        .sort(),
    });
  }
  return rows;
}

export function mainTracesOf(all: Map<number, TraceRow>, marker: string): TraceRow[] {
  return [...all.values()].filter((row) => row.marker === marker);
}

export interface Expected {
  readonly previous: number;
  /** Channel codes of the trace itself, in order. */
  readonly channels: readonly string[];
  /** Exactly these bindings (`type:id`), when known. */
  readonly bindings?: readonly string[];
}

/** What is wrong with the trace carrying `marker`, if it exists: it must be complete. */
export function wholenessProblems(all: Map<number, TraceRow>, marker: string, expected: Expected): string[] {
  const mains = mainTracesOf(all, marker);
  if (mains.length === 0) return [];
  if (mains.length > 1) return [`${marker}: ${mains.length} traces`];
  const main = mains[0];
  const problems: string[] = [];
  const say = (text: string) => problems.push(`${marker} (trace ${main.id}): ${text}`);
  if (main.pages !== 2) say(`${main.pages} pages`);
  if (main.parents.length !== 0) say(`carried by ${main.parents.join(',')}`);
  if (JSON.stringify(main.channels) !== JSON.stringify(expected.channels)) say(`channels ${main.channels.join(',')}`);
  if (expected.bindings && JSON.stringify(main.bindings) !== JSON.stringify([...expected.bindings].sort())) say(`bindings ${main.bindings.join(',')}`);
  if (main.children.length !== expected.previous) say(`${main.children.length} previous traces, expected ${expected.previous}`);
  main.children.forEach((childId, j) => {
    const child = all.get(childId);
    if (!child) return say(`previous trace ${childId} missing`);
    if (child.marker !== `${marker}/p${j}`) say(`previous trace ${childId} is ${child.marker}`);
    if (JSON.stringify(child.channels) !== '["site-domain"]') say(`previous trace ${childId} channels ${child.channels.join(',')}`);
    if (JSON.stringify(child.parents) !== JSON.stringify([main.id])) say(`previous trace ${childId} parents ${child.parents.join(',')}`);
    if (JSON.stringify(child.bindings) !== JSON.stringify(main.bindings)) say(`previous trace ${childId} bindings ${child.bindings.join(',')}`);
  });
  return problems;
}

/** Traces that belong to no known marker (neither a trace nor one of its previous traces). */
export function strayTraces(all: Map<number, TraceRow>, markers: ReadonlySet<string>): number[] {
  return [...all.values()].filter((row) => row.marker === undefined || !markers.has(row.marker.split('/')[0])).map((row) => row.id);
}
