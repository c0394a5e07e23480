// Binding a trace saved in the same transaction skips reading it back (bindings.ts FreshTrace):
// previousIdsOf must list the previous traces exactly as descendantIds reads them from the tree
// rows, for wide and deep trees alike.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendantIds } from '../../src/tracking/bindings.js';
import { parseTrace } from '../../src/tracking/parseTrace.js';
import { previousIdsOf, saveTraceTree } from '../../src/tracking/traceStore.js';
import { startTestServices, type TestServices } from '../helpers/server.js';

let running: TestServices;
beforeAll(async () => {
  running = await startTestServices();
});
afterAll(async () => {
  await running.close();
});

/** A visit with `width` previous visits per level, `depth` levels deep. */
function visits(label: string, width: number, depth: number): Record<string, unknown> {
  const visit: Record<string, unknown> = { url: `https://${label}.example/` };
  if (depth > 0) visit.previous = { list: Array.from({ length: width }, (_, i) => visits(`${label}-${i}`, width, depth - 1)) };
  return visit;
}

describe('previousIdsOf', () => {
  for (const [width, depth] of [
    [0, 0],
    [1, 1],
    [3, 1],
    [2, 3],
    [5, 2],
    [3, 3],
  ]) {
    it(`matches descendantIds for ${width} previous traces a level, ${depth} levels`, async () => {
      const { services } = running;
      const matcher = (await services.tracking.prepare({})).matcher;
      const trace = parseTrace(visits(`w${width}d${depth}`, width, depth), matcher, 1767225600);
      const saved = await services.db.transaction().execute((trx) => saveTraceTree(trx, trace, matcher, 1767225600, 1));
      const fromRows = await descendantIds(services.db, saved.id);
      expect(previousIdsOf(saved)).toEqual(fromRows);
      expect(fromRows).toHaveLength(width === 0 ? 0 : Array.from({ length: depth }, (_, i) => width ** (i + 1)).reduce((a, b) => a + b, 0));
    });
  }
});
