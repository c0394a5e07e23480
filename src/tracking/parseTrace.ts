// The TRACE JSON as Bitrix's Trace::create / loadByArray reads it (sales-intelligence.md §2.2),
// rule by rule and in the same order. Pure: sources are looked up through a SourceMatcher and
// "now" is passed in. Salestrace adds limits Bitrix lacks (size, depth of `previous`), each
// refused with a clear message (COMPATIBILITY.md, "Sales Intelligence").
import { hostOf, isChannelCode, normalizeChannelValue, siteChannelForUrl, type TraceChannel } from './channels.js';
import type { SourceMatcher } from './sourceMatcher.js';
import { isPhpArray, phpIsNumeric, phpTruthy, phpValues } from '../php/values.js';
import { TrackingError } from './errors.js';

/** Largest TRACE accepted, in UTF-8 bytes. A browser trace (6 visits of 5 pages) stays far below. */
export const TRACE_MAX_BYTES = 256 * 1024;
/** PHP's json_decode refuses structures nested deeper than this, and so does Bitrix. */
export const JSON_MAX_DEPTH = 512;
/** Levels of `previous` inside `previous`. The browser tracker sends one level. */
export const PREVIOUS_MAX_DEPTH = 3;
/** Bitrix keeps only the last five previous traces at every level (`array_slice($list, -5)`). */
export const PREVIOUS_PER_LEVEL = 5;

/** The UTM whitelist (b_crm_utm codes, §1.11). */
export const UTM_CODES = ['UTM_SOURCE', 'UTM_MEDIUM', 'UTM_CAMPAIGN', 'UTM_CONTENT', 'UTM_TERM'] as const;
export type UtmCode = (typeof UTM_CODES)[number];

/** Latest timestamp taken from a trace: 9999-12-31T23:59:59Z. Anything beyond is ignored. */
const MAX_TIMESTAMP = 253402300799;

/** A TRACE that cannot be used: over a limit, or not JSON. */
export class TraceInputError extends TrackingError {
  constructor(kind: 'traceInvalidJson' | 'traceTooLarge' | 'traceTooDeep', limit?: number) {
    super(kind, limit === undefined ? {} : { limit });
    this.name = 'TraceInputError';
  }
}

export interface TracePage {
  URL: string;
  /** Unix seconds from the page tuple; null when it carried none. */
  DATE_INSERT: number | null;
  TITLE: string | null;
  /** Only on the page made from `ref`. */
  IS_REF?: true;
}

export interface ParsedTrace {
  isMobile: boolean;
  pages: TracePage[];
  /** Whitelisted UTM tags, upper-case names, in arrival order. */
  tags: Partial<Record<UtmCode, string>>;
  channels: TraceChannel[];
  /** The source chosen by utm_source or the referrer; channels are consulted only when this is null (§2.3). */
  sourceId: number | null;
  /** Unix seconds from `tags.ts`; set only on previous traces (§2.4). */
  createdAt: number | null;
  previous: ParsedTrace[];
}

export function emptyTrace(): ParsedTrace {
  return { isMobile: false, pages: [], tags: {}, channels: [], sourceId: null, createdAt: null, previous: [] };
}

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * What PHP's json_decode refuses but JSON.parse accepts: nesting deeper than 512 levels and
 * `\u` escapes that are lone UTF-16 surrogates. Scans once, without recursion.
 */
function phpWouldRefuse(text: string): boolean {
  let depth = 0;
  let inString = false;
  let pendingHigh = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c && text[i + 1] === 'u') {
        const unit = parseInt(text.slice(i + 2, i + 6), 16);
        const isHigh = unit >= 0xd800 && unit <= 0xdbff;
        const isLow = unit >= 0xdc00 && unit <= 0xdfff;
        if (pendingHigh !== isLow) return true;
        pendingHigh = isHigh;
        i += 5;
        continue;
      }
      if (pendingHigh) return true;
      if (c === 0x5c) i++;
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > JSON_MAX_DEPTH) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

const ANY_SURROGATE = /[\uD800-\uDFFF]/;

/** Whether a decoded JSON value nests containers deeper than `limit` (iterative: the value may be deep). */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (typeof node !== 'object' || node === null) continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Decodes a TRACE string the way Bitrix's Json::decode does; any valid JSON passes, `123` and `null` too. */
export function decodeTraceText(text: string): unknown {
  if (Buffer.byteLength(text, 'utf8') > TRACE_MAX_BYTES) throw new TraceInputError('traceTooLarge', TRACE_MAX_BYTES);
  // The usual TRACE has no `\u` escape and no surrogate: then the only thing PHP refuses that
  // JSON.parse accepts is nesting past 512, which the decoded value shows (its containers nest
  // exactly as the brackets outside strings do), for less than a scan of the text costs.
  if (!text.includes('\\u') && !ANY_SURROGATE.test(text)) {
    let decoded: unknown;
    try {
      decoded = JSON.parse(text);
    } catch {
      throw new TraceInputError('traceInvalidJson');
    }
    if (nestsDeeperThan(decoded, JSON_MAX_DEPTH)) throw new TraceInputError('traceInvalidJson');
    return decoded;
  }
  if (LONE_SURROGATE.test(text) || phpWouldRefuse(text)) throw new TraceInputError('traceInvalidJson');
  try {
    return JSON.parse(text);
  } catch {
    throw new TraceInputError('traceInvalidJson');
  }
}

/** `$array[$key]` on a decoded PHP array: list indexes and map keys alike; undefined for non-arrays. */
function valueAt(container: unknown, key: string | number): unknown {
  if (!isPhpArray(container)) return undefined;
  if (Array.isArray(container)) return /^\d+$/.test(String(key)) ? container[Number(key)] : undefined;
  return Object.hasOwn(container, String(key)) ? container[String(key)] : undefined;
}

/** Bitrix's getValueByKey: the value only when it is set and truthy, so 0, "", "0", false and [] are absent. */
function truthyAt(container: unknown, key: string | number): unknown {
  const value = valueAt(container, key);
  return phpTruthy(value) ? value : undefined;
}

/** A string or number as text; anything else (arrays, booleans, null) has no text form here. */
function scalarText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return null;
}

/** A unix timestamp from a number or numeric string, or null when there is none or it is out of range. */
function timestampOf(value: unknown): number | null {
  if (!phpIsNumeric(value)) return null;
  const seconds = Math.trunc(Number(typeof value === 'string' ? value.trim() : value));
  return Math.abs(seconds) <= MAX_TIMESTAMP ? seconds : null;
}

/**
 * Trace::addUtm: the name is upper-cased and kept only if whitelisted and the value is truthy;
 * a utm_source picks the source while none is chosen yet. Also used for an item's UTM_* fields (§5.2).
 */
export function addUtmTag(trace: ParsedTrace, name: string, value: unknown, matcher: SourceMatcher): void {
  const code = name.toUpperCase();
  const text = scalarText(value);
  if ((UTM_CODES as readonly string[]).includes(code) && phpTruthy(value) && text !== null) {
    trace.tags[code as UtmCode] = text;
  }
  if (code === 'UTM_SOURCE' && trace.sourceId === null && text !== null) {
    trace.sourceId = matcher.byUtmSource(text);
  }
}

/** Adds a channel unless the trace already has one with that code (one per code, §1.3). */
export function addChannel(trace: ParsedTrace, channel: TraceChannel): void {
  if (trace.channels.some((existing) => existing.code === channel.code)) return;
  trace.channels.push({ code: channel.code, value: normalizeChannelValue(channel.code, channel.value) });
}

/** The trace's source: the one utm_source or the referrer chose, else the first channel that implies one (§2.3). */
export function traceSourceId(trace: ParsedTrace, matcher: SourceMatcher): number | null {
  if (trace.sourceId !== null) return trace.sourceId;
  for (const channel of trace.channels) {
    const id = matcher.byChannel(channel);
    if (id !== null) return id;
  }
  return null;
}

/**
 * A decoded TRACE as a trace. Scalar JSON (`123`, `null`, `"text"`) and objects without the
 * known keys give an empty trace, as in Bitrix.
 */
export function parseTrace(data: unknown, matcher: SourceMatcher, nowSeconds: number): ParsedTrace {
  return loadTrace(data, matcher, Math.floor(nowSeconds), 0);
}

function loadTrace(data: unknown, matcher: SourceMatcher, now: number, level: number): ParsedTrace {
  const trace = emptyTrace();
  if (!isPhpArray(data)) return trace;

  // 1. previous.list: the last five entries, each a trace of its own that may date itself.
  const previous = truthyAt(truthyAt(data, 'previous'), 'list');
  if (isPhpArray(previous)) {
    for (const entry of phpValues(previous).slice(-PREVIOUS_PER_LEVEL)) {
      if (!isPhpArray(entry) || !phpTruthy(entry)) continue;
      if (level + 1 > PREVIOUS_MAX_DEPTH) throw new TraceInputError('traceTooDeep', PREVIOUS_MAX_DEPTH);
      trace.previous.push(loadTrace(entry, matcher, now, level + 1));
    }
  }

  // 2. device.isMobile, with PHP's loose truthiness.
  trace.isMobile = phpTruthy(truthyAt(truthyAt(data, 'device'), 'isMobile'));

  // 3. pages.list: [url, ts, title] tuples; a tuple without a URL is skipped.
  const pages = truthyAt(truthyAt(data, 'pages'), 'list');
  if (isPhpArray(pages)) {
    for (const page of phpValues(pages)) {
      const url = scalarText(truthyAt(page, 0));
      if (url === null) continue;
      trace.pages.push({ URL: url, DATE_INSERT: timestampOf(valueAt(page, 1)), TITLE: scalarText(valueAt(page, 2)) });
    }
  }

  // 4. gid is not stored (Bitrix parses it and drops it).
  // 5. url, else the first page: the site channel, first in the list.
  const url = scalarText(truthyAt(data, 'url')) ?? trace.pages[0]?.URL ?? null;
  if (url !== null) addChannel(trace, siteChannelForUrl(url, matcher.bySiteHost));

  // 6. tags.ts dates previous traces only.
  const tags = truthyAt(data, 'tags');
  if (level > 0) trace.createdAt = timestampOf(truthyAt(tags, 'ts'));

  // 7. tags.list through the UTM whitelist; gclid and other keys are ignored.
  const tagList = truthyAt(tags, 'list');
  if (isPhpArray(tagList)) {
    const entries = Array.isArray(tagList) ? tagList.map((v, i): [string, unknown] => [String(i), v]) : Object.entries(tagList);
    for (const [name, value] of entries) addUtmTag(trace, name, value, matcher);
  }

  // 8. channels with a known code; others are skipped.
  const channels = truthyAt(data, 'channels');
  if (isPhpArray(channels)) {
    for (const channel of phpValues(channels)) {
      const code = truthyAt(channel, 'code');
      if (!isChannelCode(code)) continue;
      addChannel(trace, { code, value: scalarText(valueAt(channel, 'value')) });
    }
  }

  // 9. client only feeds an analytics event in Bitrix.
  // 10. ref: the source if none yet, and a referrer page in front of the others.
  const ref = scalarText(truthyAt(data, 'ref'))?.trim() ?? '';
  if (phpTruthy(ref)) {
    if (trace.sourceId === null) trace.sourceId = matcher.byReferrer(ref);
    const date = trace.pages.length > 0 ? trace.pages[0].DATE_INSERT : now;
    trace.pages.unshift({ URL: ref, DATE_INSERT: date, TITLE: hostOf(ref), IS_REF: true });
  }
  return trace;
}
