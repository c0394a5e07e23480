// `batch` (rest-protocol.md §5, clients.md §8.3): up to 50 `method?query` rows run in order
// for the caller who sent the batch, with `$result[cmd][path]` references to earlier rows.
import { hasScope } from '../auth/scopes.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { MethodCalls } from './contract.js';
import { unexpectedErrorAnswer } from './databaseError.js';
import { RestError, restError } from './errors.js';
import { defineMethod, type MethodInfo } from './method.js';
import type { Caller } from '../auth/caller.js';
import { isPhpArray, paramCaseInsensitive, phpEntries, phpString, phpTruthy, type PhpArray } from '../php/values.js';
import { newPhpMap, parsePhpQuery, type PhpMap } from '../php/query.js';
import type { TimeBlock } from './time.js';
import { PhpFloat } from '../php/json.js';

export const MAX_BATCH_COMMANDS = 50;

export interface BatchPorts {
  readonly calls: MethodCalls;
  readonly config: Pick<Config, 'maxParamDepth' | 'maxParamVars'>;
  readonly log: Logger;
  readonly clock: Clock;
}

interface BatchMaps {
  result: PhpMap;
  result_error: PhpMap;
  result_total: PhpMap;
  result_next: PhpMap;
  result_time: PhpMap;
}

// Core's pattern (CRestUtil::processBatchElement): the map name, then everything up to the
// next whitespace; only the `[key]` segments inside that text form the path.
const REFERENCE = /\$(result|next|total|time|error)(\S*)/gi;

const MAP_OF: Record<string, keyof BatchMaps> = {
  result: 'result',
  next: 'result_next',
  total: 'result_total',
  time: 'result_time',
  error: 'result_error',
};

/** PHP `isset($node[$key])`: a missing key and a null value both stop the walk. */
function childOf(node: unknown, key: string): unknown {
  if (node instanceof PhpFloat) return undefined;
  if (typeof node === 'string') {
    // A string offset, as PHP reads `$str[2]`.
    return /^(0|[1-9]\d*)$/.test(key) && Number(key) < node.length ? node[Number(key)] : undefined;
  }
  if (!isPhpArray(node)) return undefined;
  const child = Array.isArray(node) ? (/^(0|[1-9]\d*)$/.test(key) ? node[Number(key)] : undefined) : node[key];
  return child === null ? undefined : child;
}

/**
 * The node a reference points to. The map is looked up by the name as written, so `$RESULT[…]`
 * matches the pattern but finds nothing (null), exactly as in core. A path that runs into a
 * missing key stops at the deepest node found.
 */
function resolveReference(maps: BatchMaps, name: string, segments: string[]): unknown {
  const mapKey = MAP_OF[name];
  let node: unknown = mapKey && name === name.toLowerCase() ? maps[mapKey] : null;
  for (const key of segments) {
    const child = childOf(node, key);
    if (child === undefined) break;
    node = child;
  }
  return node instanceof PhpFloat ? node.value : node;
}

/** The text a reference becomes inside a longer value: strings, and numbers as strings (core). */
function embeddedText(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (typeof node === 'number') return phpString(node);
  return undefined;
}

/**
 * Longest text one reference may stand for. Core has no limit, but it substitutes into text that
 * already holds earlier substitutions, so a value holding its own reference doubles per use; the
 * limits keep one batch's memory and answer bounded (COMPATIBILITY.md, "Batch").
 */
export const MAX_BATCH_REFERENCE_CHARS = 64 * 1024;
/** Longest a row may grow to by substitution (its query text plus what references added). */
export const MAX_BATCH_ROW_CHARS = 1024 * 1024;

/**
 * The `[key]` segments of the text after a map name, as core's `\[([^\]]+)\]` finds them: a
 * `[`, at least one character, the next `]`. An index scan: the pattern backtracks
 * quadratically through a run of `[` without a `]`.
 */
function referencePath(text: string): string[] {
  const segments: string[] = [];
  let open = text.indexOf('[');
  while (open !== -1) {
    const close = text.indexOf(']', open + 1);
    if (close === -1) break;
    if (close > open + 1) {
      segments.push(text.slice(open + 1, close));
      open = text.indexOf('[', close + 1);
    } else {
      open = text.indexOf('[', open + 1);
    }
  }
  return segments;
}

/** What substitution has added to one row so far, against the row limit. */
interface RowGrowth {
  readonly baseChars: number;
  addedChars: number;
}

function noteGrowth(growth: RowGrowth, referenceChars: number, replacementChars: number): void {
  if (replacementChars > MAX_BATCH_REFERENCE_CHARS) {
    throw restError('ERROR_BATCH_REFERENCE_TOO_LARGE', { limit: MAX_BATCH_REFERENCE_CHARS });
  }
  growth.addedChars += replacementChars - referenceChars;
  if (growth.addedChars > 0 && growth.baseChars + growth.addedChars > MAX_BATCH_ROW_CHARS) {
    throw restError('ERROR_BATCH_ROW_TOO_LARGE', { limit: MAX_BATCH_ROW_CHARS });
  }
}

/**
 * An array copied as PHP assigns arrays (by value). Without the copy, a reference that stops at
 * a map itself (a missing row: `$result[absent]` is all of `$result`) would store the map inside
 * itself. With it, each such row copies what the previous one did, so the copy counts against
 * the row limit as it is made (keys and strings by their length, other scalars as one). It does
 * not count against the reference limit: passing a whole earlier result on is an ordinary use.
 */
function copyOfArray(node: PhpArray, growth: RowGrowth): PhpArray {
  const spend = (chars: number) => {
    growth.addedChars += chars;
    if (growth.baseChars + growth.addedChars > MAX_BATCH_ROW_CHARS) {
      throw restError('ERROR_BATCH_ROW_TOO_LARGE', { limit: MAX_BATCH_ROW_CHARS });
    }
  };
  const copyOf = (child: unknown): unknown => {
    spend(typeof child === 'string' ? child.length : 1);
    return isPhpArray(child) && !(child instanceof PhpFloat) ? copyOfArray(child, growth) : child;
  };
  if (Array.isArray(node)) return node.map(copyOf);
  const out: PhpMap = newPhpMap();
  for (const [key, child] of Object.entries(node)) {
    spend(key.length);
    out[key] = copyOf(child);
  }
  return out;
}

/** What a parameter that is exactly one reference becomes: the node itself, arrays copied. */
function wholeValue(node: unknown, referenceChars: number, growth: RowGrowth): unknown {
  if (typeof node === 'string') noteGrowth(growth, referenceChars, node.length);
  if (!isPhpArray(node) || node instanceof PhpFloat) return node;
  growth.addedChars -= referenceChars;
  return copyOfArray(node, growth);
}

/**
 * Replaces references in one parameter value (strings only; arrays are walked). One pass over
 * the text as sent: a substituted value is never searched for references again.
 */
function substitute(value: unknown, maps: BatchMaps, growth: RowGrowth): unknown {
  if (typeof value === 'string') {
    if (!value.includes('$')) return value;
    let out = '';
    let copiedUpTo = 0;
    for (const match of value.matchAll(REFERENCE)) {
      const segments = referencePath(match[2]);
      if (segments.length === 0) continue;
      const node = resolveReference(maps, match[1], segments);
      if (match[0] === value) return wholeValue(node, value.length, growth);
      const text = embeddedText(node);
      if (text === undefined) continue;
      noteGrowth(growth, match[0].length, text.length);
      out += value.slice(copiedUpTo, match.index) + text;
      copiedUpTo = match.index + match[0].length;
    }
    return copiedUpTo === 0 ? value : out + value.slice(copiedUpTo);
  }
  if (isPhpArray(value)) {
    const out: PhpMap = newPhpMap();
    for (const [key, child] of phpEntries(value)) out[key] = substitute(child, maps, growth);
    return out;
  }
  return value;
}

/** PHP `parse_url` for a row: a `#` starts the fragment, the first `?` starts the query. */
function splitRow(row: string): { method: string; query: string } {
  const hash = row.indexOf('#');
  const url = hash === -1 ? row : row.slice(0, hash);
  const question = url.indexOf('?');
  if (question === -1) return { method: url, query: '' };
  return { method: url.slice(0, question), query: url.slice(question + 1) };
}

type RowOutcome =
  | { ok: true; result: unknown; next?: number; total?: number; time: TimeBlock }
  | { ok: false; error: RestError };

/** A row's error as core answers it in the row's place; an unexpected one is logged first. */
function rowError(ports: BatchPorts, key: string, methodName: string, error: unknown): RestError {
  if (error instanceof RestError) return error;
  // Core catches each row's exception and answers it in that row's place; the other rows run.
  // The row's parameters are not logged: they may carry credentials.
  ports.log.error({ err: error, row: key, method: methodName }, 'unexpected error in a batch row');
  return unexpectedErrorAnswer(error);
}

/**
 * Runs one row; with `checkOnly` a method that writes in runs only checks it, and the result is
 * what its run's write takes (`RunWriter`).
 */
async function runRow(
  ports: BatchPorts,
  caller: Caller,
  key: string,
  row: string,
  maps: BatchMaps,
  startedAt: number,
  checkOnly: boolean,
  previous?: unknown,
): Promise<RowOutcome> {
  const { method: name, query } = splitRow(row);
  const method = ports.calls.find(name);
  if (!method) return { ok: false, error: restError('ERROR_METHOD_NOT_FOUND') };
  if (method.batch === false) return { ok: false, error: restError('ERROR_BATCH_METHOD_NOT_ALLOWED') };
  // The parent's credentials are not re-checked, but each row's scope is (§5).
  if (!hasScope(caller.scopes, method.scope)) return { ok: false, error: restError('INSUFFICIENT_SCOPE_BATCH') };
  try {
    // Core skips a falsy query string, so `method?0` has no parameters (ParseBatchQuery).
    const parsed =
      query === '' || query === '0'
        ? newPhpMap()
        : parsePhpQuery(query, { maxDepth: ports.config.maxParamDepth, maxVars: ports.config.maxParamVars });
    const params = substitute(parsed, maps, { baseChars: query.length, addedChars: 0 }) as PhpMap;
    const outcome = checkOnly
      ? await ports.calls.check(method, caller, params, startedAt, previous)
      : await ports.calls.run(method, caller, params, startedAt, true);
    return { ok: true, ...outcome };
  } catch (error) {
    return { ok: false, error: rowError(ports, key, method.name, error) };
  }
}

/** Checked rows of one method waiting to be written together. */
interface PendingRow {
  readonly key: string;
  readonly checked: unknown;
  readonly time: TimeBlock;
}

/**
 * Whether a row may join a run: its method writes in runs, and it holds no reference (`$`,
 * possibly percent-encoded), which could name a row of the run not yet written.
 */
function joinsRun(ports: BatchPorts, row: string): MethodInfo | undefined {
  if (row.includes('$') || row.includes('%24')) return undefined;
  const method = ports.calls.find(splitRow(row).method);
  return method && ports.calls.writesInRuns(method) ? method : undefined;
}

export const batchMethod = defineMethod<BatchPorts>({
  name: 'batch',
  scope: null,
  batch: false,
  async handler({ params, caller, ports }) {
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
    // One transaction for all rows where the database allows it: each row's own transactions
    // become savepoints in it, so a failing row is still undone alone. Its COMMIT comes before
    // the answer; when it fails this throws and the batch answers an error instead.
    await ports.calls.inOneTransaction(async () => {
      // Consecutive rows of a method that writes in runs (trace.add) are checked one by one and
      // written together when the run ends; only inside the one transaction, where a check sees
      // the state the write will (issue 17).
      const runsAllowed = ports.calls.insideOneTransaction();
      let run: { method: MethodInfo; rows: PendingRow[] } | null = null;
      const record = (key: string, outcome: RowOutcome & { ok: true }) => {
        maps.result[key] = outcome.result;
        if (outcome.total !== undefined) maps.result_total[key] = outcome.total;
        if (outcome.next !== undefined) maps.result_next[key] = outcome.next;
        maps.result_time[key] = outcome.time;
      };
      /** Writes the pending run; true when a row of it failed and `halt` stops the batch there. */
      const flush = async (): Promise<boolean> => {
        if (!run) return false;
        const { method, rows } = run;
        run = null;
        try {
          const results = await ports.calls.writeRun(method, caller, rows.map((row) => row.checked));
          rows.forEach((row, at) => record(row.key, { ok: true, result: results[at], time: row.time }));
          return false;
        } catch {
          // The run's write is undone as a whole; each row again alone, in its own savepoint, so
          // a failing row gets its own error and `halt` stops where it would have.
        }
        for (const row of rows) {
          try {
            const [result] = await ports.calls.writeRun(method, caller, [row.checked]);
            record(row.key, { ok: true, result, time: row.time });
          } catch (error) {
            maps.result_error[row.key] = rowError(ports, row.key, method.name, error).toBody();
            if (halt) return true;
          }
        }
        return false;
      };
      let position = 0;
      for (const [key, row] of rows) {
        position++;
        if (position > MAX_BATCH_COMMANDS) {
          if (halt && (await flush())) break;
          maps.result_error[key] = restError('ERROR_BATCH_LENGTH_EXCEEDED').toBody();
          if (halt) break;
          continue;
        }
        // Non-string rows are skipped but still count towards the 50 (core ParseBatchQuery).
        if (typeof row !== 'string') continue;
        const runWriter = runsAllowed ? joinsRun(ports, row) : undefined;
        // Anything else sees the run's rows written, as it would one row at a time.
        if (run && run.method !== runWriter && (await flush()) && halt) break;
        const startedAt = ports.clock.now() / 1000;
        // The run's last checked row, for the next check of the same run (RunWriter.check).
        const previous = run && runWriter ? run.rows.at(-1)?.checked : undefined;
        const outcome = await runRow(ports, caller, key, row, maps, startedAt, runWriter !== undefined, previous);
        if (!outcome.ok) {
          if (halt && (await flush())) break;
          maps.result_error[key] = outcome.error.toBody();
          if (halt) break;
          continue;
        }
        if (runWriter) {
          run ??= { method: runWriter, rows: [] };
          run.rows.push({ key, checked: outcome.result, time: outcome.time });
        } else {
          record(key, outcome);
        }
      }
      await flush();
    });
    return maps;
  },
});
