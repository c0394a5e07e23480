// The two answers a REST call can get (rest-protocol.md §2, §3): the success envelope with
// `result`, optional `next` / `total` and the `time` block, or `{error, error_description}`.
import type { CallOutcome } from './dispatch.js';
import type { RestError } from './errors.js';
import { encodePhpJson, encodePhpXml, formatPhpFloat } from '../php/json.js';
import type { OutputFormat } from './route.js';
import type { TimeBlock } from './time.js';

export const CONTENT_TYPES: Record<OutputFormat, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

export function successBody(outcome: CallOutcome, format: OutputFormat): string {
  if (format === 'xml') {
    const envelope: Record<string, unknown> = { result: outcome.result };
    if (outcome.next !== undefined) envelope.next = outcome.next;
    if (outcome.total !== undefined) envelope.total = outcome.total;
    envelope.time = outcome.time;
    return encodePhpXml(envelope);
  }
  let body = '{"result":' + encodePhpJson(outcome.result);
  if (outcome.next !== undefined) body += ',"next":' + Math.trunc(outcome.next);
  if (outcome.total !== undefined) body += ',"total":' + Math.trunc(outcome.total);
  return body + ',"time":' + encodeTimeBlock(outcome.time) + '}';
}

/**
 * `encodePhpJson(time)` written out for the one shape every answer carries: the same bytes
 * without walking the object generically. The dates are `date('c')` text, which needs no escaping.
 */
export function encodeTimeBlock(time: TimeBlock): string {
  return (
    `{"start":${formatPhpFloat(time.start.value)},"finish":${formatPhpFloat(time.finish.value)}` +
    `,"duration":${formatPhpFloat(time.duration.value)},"processing":${formatPhpFloat(time.processing.value)}` +
    `,"date_start":"${time.date_start}","date_finish":"${time.date_finish}"` +
    `,"operating_reset_at":${Number.isFinite(time.operating_reset_at) ? String(time.operating_reset_at) : '0'}` +
    `,"operating":${formatPhpFloat(time.operating.value)}}`
  );
}

export function errorBody(error: RestError, format: OutputFormat): string {
  return format === 'xml' ? encodePhpXml(error.toBody()) : encodePhpJson(error.toBody());
}
