// `batch` (rest-protocol.md §5, clients.md §8.3): up to 50 `method?query` rows run in order
// for the caller who sent the batch, with `$result[cmd][path]` references to earlier rows.
import { hasScope } from '../auth/scopes.js';
import type { Services } from '../services.js';
import { runMethod } from './dispatch.js';
import { RestError, restError } from './errors.js';
import { defineMethod, type Caller } from './method.js';
import { isPhpArray, paramCaseInsensitive, phpEntries, phpString, phpTruthy } from './php.js';
import { newPhpMap, parsePhpQuery, type PhpMap } from './phpQuery.js';
import type { TimeBlock } from './time.js';
import { PhpFloat } from './phpJson.js';

export const MAX_BATCH_COMMANDS = 50;

interface BatchMaps {
  result: PhpMap;
  result_error: PhpMap;
  result_total: PhpMap;
  result_next: PhpMap;
  result_time: PhpMap;
}

const REFERENCE = /\$(result|next|total|time|error)((?:\[[^\]]*\])+)/gi;

const MAP_OF: Record<string, keyof BatchMaps> = {
  result: 'result',
  next: 'result_next',
  total: 'result_total',
  time: 'result_time',
  error: 'result_error',
};

/** Walks `[a][b]…` from a result map; a missing key stops at the deepest node found. */
function resolveReference(maps: BatchMaps, name: string, path: string): unknown {
  let node: unknown = maps[MAP_OF[name.toLowerCase()]];
  for (const match of path.matchAll(/\[([^\]]*)\]/g)) {
    const key = match[1];
    if (!isPhpArray(node)) break;
    const child = Array.isArray(node) ? node[Number(key)] : (node as Record<string, unknown>)[key];
    if (child === undefined || (Array.isArray(node) && !/^\d+$/.test(key))) break;
    node = child;
  }
  return node instanceof PhpFloat ? node.value : node;
}

function isScalar(value: unknown): boolean {
  return value === null || ['string', 'number', 'boolean'].includes(typeof value) || value instanceof PhpFloat;
}

/** Replaces references in one parameter value (strings only; arrays are walked). */
function substitute(value: unknown, maps: BatchMaps): unknown {
  if (typeof value === 'string') {
    const whole = new RegExp(`^${REFERENCE.source}$`, 'i').exec(value);
    if (whole) return resolveReference(maps, whole[1], whole[2]);
    return value.replace(REFERENCE, (text, name: string, path: string) => {
      const node = resolveReference(maps, name, path);
      return isScalar(node) ? phpString(node instanceof PhpFloat ? node.value : node) : text;
    });
  }
  if (isPhpArray(value)) {
    const out: PhpMap = newPhpMap();
    for (const [key, child] of phpEntries(value)) out[key] = substitute(child, maps);
    return out;
  }
  return value;
}

function splitRow(row: string): { method: string; query: string } {
  const question = row.indexOf('?');
  if (question === -1) return { method: row.trim(), query: '' };
  return { method: row.slice(0, question).trim(), query: row.slice(question + 1) };
}

function errorBody(error: RestError): Record<string, unknown> {
  return error.toBody();
}

async function runRow(
  services: Services,
  caller: Caller,
  row: string,
  maps: BatchMaps,
  startedAt: number,
): Promise<{ ok: true; result: unknown; next?: number; total?: number; time: TimeBlock } | { ok: false; error: RestError }> {
  const { method: name, query } = splitRow(row);
  const method = services.registry.get(name);
  if (!method) return { ok: false, error: restError('ERROR_METHOD_NOT_FOUND') };
  if (method.batch === false) return { ok: false, error: restError('ERROR_BATCH_METHOD_NOT_ALLOWED') };
  // The parent's credentials are not re-checked, but each row's scope is (§5).
  if (!hasScope(caller.scopes, method.scope)) {
    return {
      ok: false,
      error: restError(caller.authType === 'webhook' ? 'INSUFFICIENT_SCOPE_WEBHOOK' : 'INSUFFICIENT_SCOPE_TOKEN'),
    };
  }
  try {
    const parsed = parsePhpQuery(query, {
      maxDepth: services.config.maxParamDepth,
      maxVars: services.config.maxParamVars,
    });
    const params = substitute(parsed, maps) as PhpMap;
    const outcome = await runMethod(services, method, caller, params, startedAt, true);
    return { ok: true, ...outcome };
  } catch (error) {
    if (error instanceof RestError) return { ok: false, error };
    throw error;
  }
}

export const batchMethod = defineMethod({
  name: 'batch',
  scope: null,
  batch: false,
  async handler({ params, caller, services }) {
    const cmd = paramCaseInsensitive(params, 'cmd');
    const halt = phpTruthy(paramCaseInsensitive(params, 'halt'));
    const maps: BatchMaps = {
      result: newPhpMap(),
      result_error: newPhpMap(),
      result_total: newPhpMap(),
      result_next: newPhpMap(),
      result_time: newPhpMap(),
    };
    const rows = isPhpArray(cmd) ? phpEntries(cmd) : [];
    let position = 0;
    for (const [key, row] of rows) {
      position++;
      if (position > MAX_BATCH_COMMANDS) {
        maps.result_error[key] = errorBody(restError('ERROR_BATCH_LENGTH_EXCEEDED'));
        if (halt) break;
        continue;
      }
      // Non-string rows are skipped but still count towards the 50 (core ParseBatchQuery).
      if (typeof row !== 'string') continue;
      const startedAt = services.clock.now() / 1000;
      const outcome = await runRow(services, caller, row, maps, startedAt);
      if (!outcome.ok) {
        maps.result_error[key] = errorBody(outcome.error);
        if (halt) break;
        continue;
      }
      maps.result[key] = outcome.result;
      if (outcome.total !== undefined) maps.result_total[key] = outcome.total;
      if (outcome.next !== undefined) maps.result_next[key] = outcome.next;
      maps.result_time[key] = outcome.time;
    }
    return maps;
  },
});
