// Traces for `salestrace seed`: browser-like TRACE data (sales-intelligence.md §2.1) run through
// the server's own parser, then written the way crm.tracking.trace.add writes them: previous
// visits first (lower IDs), the tree rows, the channels, and the bindings of the trace's items
// to the trace and its previous visits, with the item UTM copy of the first binding.
import { parseTrace, type ParsedTrace } from '../tracking/parseTrace.js';
import type { SourceMatcher } from '../tracking/sourceMatcher.js';
import { traceRow, type ItemRef } from '../tracking/traceStore.js';
import { copyableTags } from '../crm/contract.js';
import type { SeededRandom } from './random.js';
import type { Connection, Statement } from './sqlite.js';
import { itemKey, type TimeWindow } from './world.js';

interface VisitKind {
  readonly weight: number;
  readonly utm?: { utm_source: string; utm_medium: string };
  readonly ref?: string;
}

/** Where visitors come from; the sources they match are the built-ins and world.ts's custom ones. */
const VISIT_KINDS: readonly VisitKind[] = [
  { weight: 20, utm: { utm_source: 'google', utm_medium: 'cpc' }, ref: 'https://www.google.com/' },
  { weight: 12, utm: { utm_source: 'fb', utm_medium: 'social' }, ref: 'https://www.facebook.com/' },
  { weight: 8, ref: 'https://www.instagram.com/' },
  { weight: 12, utm: { utm_source: 'newsletter', utm_medium: 'email' } },
  { weight: 8, ref: 'https://blog.partner-example.org/reviews/outdoor-gear/' },
  { weight: 10, utm: { utm_source: 'pricecompare', utm_medium: 'cpc' }, ref: 'https://compare.example.net/' },
  { weight: 10, ref: 'https://duckduckgo.com/' },
  { weight: 20 },
];
const PRODUCTS = ['running-shoes', 'trail-jacket', 'yoga-mat', 'water-bottle', 'head-lamp', 'rain-poncho', 'gym-bag', 'wool-socks', 'tent', 'sleeping-bag'];
const FOLLOW_UPS: readonly [string, string][] = [
  ['reviews/', 'Reviews'],
  ['sizes/', 'Size guide'],
  ['../', 'Catalog'],
];
const CALL_TRACKING_PHONE = '+1 (555) 010-0200';

/** One visit as the browser tracker reports it, `ts` seconds after the epoch. */
function browserVisit(random: SeededRandom, ts: number): Record<string, unknown> {
  const kind = random.weighted(VISIT_KINDS);
  const product = random.pick(PRODUCTS);
  const tags: Record<string, string> = {};
  if (kind.utm) {
    Object.assign(tags, kind.utm, { utm_campaign: `campaign_${random.int(1, 12)}` });
    if (random.chance(0.5)) tags.utm_content = `banner_${random.int(1, 4)}`;
    if (random.chance(0.3)) tags.utm_term = product.replace('-', ' ');
  }
  const query = Object.keys(tags).length > 0 ? `?${new URLSearchParams(tags)}` : '';
  const landing = `https://shop.example.com/catalog/${product}/${query}`;
  const pages: [string, number, string][] = [[landing, ts, `${product.replace('-', ' ')} | Example Shop`]];
  let at = ts;
  for (let i = 0, more = random.int(0, 3); i < more; i++) {
    at += random.int(10, 300);
    const [path, title] = i < FOLLOW_UPS.length ? FOLLOW_UPS[i] : ['', 'Page'];
    pages.push([`https://shop.example.com/catalog/${product}/${path}`, at, title]);
  }
  if (random.chance(0.3)) pages.push(['https://shop.example.com/cart/', at + random.int(10, 120), 'Your cart']);
  const visit: Record<string, unknown> = {
    url: landing,
    device: { isMobile: random.chance(0.45) },
    tags: { ts, list: tags },
    pages: { list: pages },
    gid: `guest-${random.int(100000, 999999)}`,
  };
  if (kind.ref) visit.ref = kind.ref;
  // A share of visitors call the tracked number or send the contact form.
  const channels: { code: string; value: string }[] = [];
  if (random.chance(0.06)) channels.push({ code: 'call', value: CALL_TRACKING_PHONE });
  if (random.chance(0.1)) channels.push({ code: 'form', value: String(random.int(1, 5)) });
  if (channels.length > 0) visit.channels = channels;
  return visit;
}

/** Statements for the trace tables, prepared once. */
export class TraceStatements {
  readonly trace: Statement;
  readonly tree: Statement;
  readonly channel: Statement;
  readonly binding: Statement;
  readonly utm: Statement;

  constructor(connection: Connection) {
    this.trace = connection.prepare('insert into tracking_traces (created_at, source_id, is_mobile, tags_json, pages_json, created_by, bound) values (?, ?, ?, ?, ?, ?, ?)');
    this.tree = connection.prepare('insert into tracking_trace_tree (parent_id, child_id) values (?, ?)');
    this.channel = connection.prepare('insert into tracking_trace_channels (trace_id, code, value) values (?, ?, ?)');
    this.binding = connection.prepare('insert into tracking_trace_items (trace_id, entity_type_id, entity_id) values (?, ?, ?)');
    this.utm = connection.prepare('insert into crm_utm (entity_type_id, entity_id, code, value) values (?, ?, ?, ?)');
  }
}

export interface TraceSeedState {
  readonly matcher: SourceMatcher;
  readonly window: TimeWindow;
  /** Items traces are bound to; empty leaves traces unbound. */
  readonly items: readonly ItemRef[];
  /** Items with UTM rows; a binding gives the others the trace's tags and adds them here. */
  readonly withUtm: Set<string>;
  /** The user the traces are written as (the seed's author, as for its items). */
  readonly createdBy: number;
}

/** saveTraceTree's rows: previous visits first, then the trace, its tree rows and channels. Returns the IDs, trace last. */
function saveParsed(sql: TraceStatements, trace: ParsedTrace, state: TraceSeedState, now: number, ids: number[]): number {
  const childIds = trace.previous.map((previous) => saveParsed(sql, previous, state, now, ids));
  const row = traceRow(trace, state.matcher, now, state.createdBy);
  // bindJourney binds every trace of the journey when there are items, none when there are not.
  const bound = state.items.length > 0 ? 1 : 0;
  const id = Number(sql.trace.run(row.created_at, row.source_id, row.is_mobile, row.tags_json, row.pages_json, row.created_by, bound).lastInsertRowid);
  for (const childId of childIds) sql.tree.run(id, childId);
  for (const channel of trace.channels) sql.channel.run(id, channel.code, channel.value);
  ids.push(id);
  return id;
}

/**
 * Writes `count` trace rows, journeys of one trace and up to two previous visits, as rows
 * `offset`… of `total`: the journeys' times rise through the window with the row number.
 * Call inside a transaction.
 */
export function seedTraceChunk(sql: TraceStatements, random: SeededRandom, state: TraceSeedState, count: number, offset: number, total: number): void {
  let written = 0;
  while (written < count) {
    const left = count - written;
    const now = state.window.start + Math.floor(((offset + written) * state.window.seconds) / total);
    const roll = random.next();
    const previousCount = Math.min(left - 1, roll < 0.65 ? 0 : roll < 0.9 ? 1 : 2);
    const visit = browserVisit(random, now);
    if (previousCount > 0) {
      // Earlier visits, oldest first, each dated by its tags.ts (§2.4).
      const list = [];
      let at = now;
      const earlier: number[] = [];
      for (let i = 0; i < previousCount; i++) earlier.push((at -= random.int(3600, 14 * 86400)));
      for (const ts of earlier.reverse()) list.push(browserVisit(random, ts));
      visit.previous = { list };
    }
    const trace = parseTrace(visit, state.matcher, now);
    const ids: number[] = [];
    const traceId = saveParsed(sql, trace, state, now, ids);
    written += ids.length;
    if (state.items.length > 0) bindJourney(sql, random, state, trace, traceId, ids);
  }
}

/** bindItems for a fresh trace: each item bound to the previous visits (newest first) and then the trace. */
function bindJourney(sql: TraceStatements, random: SeededRandom, state: TraceSeedState, trace: ParsedTrace, traceId: number, ids: number[]): void {
  const first = random.pick(state.items);
  const items = [first];
  if (state.items.length > 1 && random.chance(0.4)) {
    let second = random.pick(state.items);
    while (second === first) second = random.pick(state.items);
    items.push(second);
  }
  // descendantIds lists the previous visits in tree order; bindItems takes them reversed.
  const previous = ids.slice(0, -1).reverse();
  for (const item of items) {
    for (const id of [...previous, traceId]) sql.binding.run(id, item.entityTypeId, item.entityId);
  }
  const tags = copyableTags(trace.tags);
  if (tags.length === 0) return;
  for (const item of [...items].sort((a, b) => a.entityTypeId - b.entityTypeId || a.entityId - b.entityId)) {
    const key = itemKey(item);
    if (state.withUtm.has(key)) continue;
    for (const [code, value] of tags) sql.utm.run(item.entityTypeId, item.entityId, code, value);
    state.withUtm.add(key);
  }
}
