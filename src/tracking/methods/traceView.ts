// How a trace reads back through salestrace.trace.get / .list: Bitrix-style upper-case keys,
// the source resolved to its code and name, dates as ISO 8601 in the server's zone.
import { entityTypeName } from '../../crm/contract.js';
import { formatDateC } from '../../rest/time.js';
import { ORGANIC_SOURCE, type SourceRecord } from '../sourceCatalog.js';
import type { TraceRecord } from '../traceStore.js';

export interface SourceSummary {
  ID: number;
  CODE: string | null;
  NAME: string;
}

export function sourceSummary(sourceId: number | null, sources: readonly SourceRecord[]): SourceSummary | null {
  if (sourceId === null || sourceId === 0) return { ID: ORGANIC_SOURCE.id, CODE: ORGANIC_SOURCE.code, NAME: ORGANIC_SOURCE.name };
  const source = sources.find((candidate) => candidate.id === sourceId);
  // A deleted source: the trace keeps its ID, but there is nothing left to name.
  return source ? { ID: source.id, CODE: source.code, NAME: source.name } : null;
}

export function traceView(trace: TraceRecord, sources: readonly SourceRecord[]): Record<string, unknown> {
  return {
    ID: trace.id,
    DATE_CREATE: formatDateC(trace.createdAt),
    SOURCE_ID: trace.sourceId ?? 0,
    SOURCE: sourceSummary(trace.sourceId, sources),
    IS_MOBILE: trace.isMobile ? 'Y' : 'N',
    TAGS: trace.tags,
    PAGES: trace.pages.map((page) => ({
      URL: page.URL,
      DATE_INSERT: page.DATE_INSERT,
      TITLE: page.TITLE,
      IS_REF: page.IS_REF ? 'Y' : 'N',
    })),
    CHANNELS: trace.channels.map((channel) => ({ CODE: channel.code, VALUE: channel.value })),
    ENTITIES: trace.items.map((item) => ({
      TYPE: entityTypeName(item.entityTypeId) ?? null,
      ENTITY_TYPE_ID: item.entityTypeId,
      ID: item.entityId,
    })),
    PARENT_IDS: trace.parentIds,
    PREVIOUS_IDS: trace.childIds,
  };
}

/** A trace with its previous traces nested under PREVIOUS, as deep as the tree goes. */
export function traceTreeView(rootId: number, traces: readonly TraceRecord[], sources: readonly SourceRecord[]): Record<string, unknown> {
  const byId = new Map(traces.map((trace) => [trace.id, trace]));
  const build = (id: number, path: ReadonlySet<number>): Record<string, unknown> | null => {
    const trace = byId.get(id);
    if (!trace) return null;
    const inner = new Set(path).add(id);
    const previous = trace.childIds.filter((child) => !inner.has(child)).map((child) => build(child, inner));
    return { ...traceView(trace, sources), PREVIOUS: previous.filter((view) => view !== null) };
  };
  return build(rootId, new Set()) ?? {};
}
