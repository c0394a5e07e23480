// The trace a typed CRM add method builds from an item's fields (sales-intelligence.md §5.2):
// the TRACE JSON, then the item's UTM_* fields on top of its tags.
import type { PhpMap } from '../php/query.js';
import { phpTruthy } from '../php/values.js';
import {
  addUtmTag,
  decodeTraceText,
  emptyTrace,
  parseTrace,
  TraceInputError,
  UTM_CODES,
  type ParsedTrace,
} from './parseTrace.js';
import type { SourceMatcher } from './sourceMatcher.js';

function traceText(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

/**
 * Bitrix's Trace::create swallows JSON errors here, so a TRACE that is not JSON still gives the
 * item an (empty) trace; a TRACE over the size or `previous` depth limits is refused.
 */
export function traceFromItemFields(fields: PhpMap, matcher: SourceMatcher, nowSeconds: number): ParsedTrace {
  const text = traceText(fields.TRACE);
  let trace = emptyTrace();
  if (phpTruthy(text)) {
    let decoded: unknown;
    try {
      decoded = decodeTraceText(text);
    } catch (error) {
      if (!(error instanceof TraceInputError) || error.kind !== 'traceInvalidJson') throw error;
    }
    trace = parseTrace(decoded, matcher, nowSeconds);
  }
  // The item's own UTM fields override the JSON tags; UTM_SOURCE picks the source only if the JSON did not.
  for (const code of UTM_CODES) {
    if (phpTruthy(fields[code])) addUtmTag(trace, code, fields[code], matcher);
  }
  return trace;
}
