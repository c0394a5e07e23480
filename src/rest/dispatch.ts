// Runs one method for an authenticated caller: the operating-time check, the handler, and the
// figures for the `time` block. Shared by plain calls and batch rows.
import type { Clock } from '../clock.js';
import type { OperatingTime } from '../limits/contract.js';
import { operatingKey, WINDOW_SECONDS } from '../limits/operatingTime.js';
import { phpIntval } from '../php/values.js';
import { newPhpMap, type PhpMap } from '../php/query.js';
import { ListResult, type MethodContext, type MethodDeclaration, type MethodInfo, type RunWriter } from './method.js';
import type { Caller } from '../auth/caller.js';
import { buildTimeBlock, type TimeBlock } from './time.js';

export interface CallOutcome {
  readonly result: unknown;
  readonly next: number | undefined;
  readonly total: number | undefined;
  readonly time: TimeBlock;
}

/** Parameter names the protocol consumes before a method sees the rest (§1.4). */
export const RESERVED_PARAMS = ['method', 'aplogin', 'ap', 'auth', 'access_token', 'auth_connector', 'start', 'state'] as const;

const RESERVED = new Set<string>(RESERVED_PARAMS);

/** What running a method takes besides the method: the ports handed to it, the limiter, the clock. */
export interface MethodRuntime<Ports> {
  readonly ports: Ports;
  readonly operating: OperatingTime;
  readonly clock: Clock;
}

/** Drops the names the protocol consumed and reads `start` (rest-protocol.md §1.4). */
export function methodParams(params: PhpMap): { params: PhpMap; start: number } {
  const out = newPhpMap();
  for (const key of Object.keys(params)) {
    if (!RESERVED.has(key)) out[key] = params[key];
  }
  return { params: out, start: params.start === undefined ? 0 : phpIntval(params.start) };
}

/** `batch` itself is not counted; its rows are, under their own names (§4.2). */
function isCounted(method: MethodInfo): boolean {
  return method.name !== 'batch';
}

export async function runMethod<Ports>(
  runtime: MethodRuntime<Ports>,
  method: MethodDeclaration<Ports>,
  caller: Caller,
  rawParams: PhpMap,
  startedAt: number,
  inBatch: boolean,
  body: (context: MethodContext<Ports>) => unknown = method.handler,
): Promise<CallOutcome> {
  const key = operatingKey(caller.authType, caller.credentialId, method.name);
  const counted = isCounted(method);
  const seen = counted ? await runtime.operating.check(key) : null;
  const { params, start } = methodParams(rawParams);
  const handlerStartMs = runtime.clock.now();
  let value: unknown;
  let ranSeconds = 0;
  try {
    value = await body({ params, start, caller, ports: runtime.ports, inBatch });
    // A handler that returns nothing answers null, like a PHP function without `return`.
    value ??= null;
  } finally {
    // A call that fails still used the time it took (the limit protects the server).
    ranSeconds = (runtime.clock.now() - handlerStartMs) / 1000;
    if (counted) await runtime.operating.record(key, handlerStartMs / 1000, ranSeconds);
  }
  const handlerEndMs = runtime.clock.now();
  // Differences in milliseconds first: seconds-then-subtract would make 0.1 s a hair longer.
  const processing = (handlerEndMs - handlerStartMs) / 1000;
  const call = { startSeconds: handlerStartMs / 1000, durationSeconds: ranSeconds };
  // `batch` is never recorded under its own name: nothing to read.
  const report = counted
    ? await runtime.operating.report(key, startedAt, handlerEndMs / 1000, seen, call)
    : { operating: 0, resetAt: Math.floor(startedAt) + WINDOW_SECONDS };
  const time = buildTimeBlock(startedAt, runtime.clock.now() / 1000, processing, report);
  if (value instanceof ListResult) {
    return { result: value.result, next: value.next, total: value.total, time };
  }
  return { result: value, next: undefined, total: undefined, time };
}

function runWriterOf<Ports>(method: MethodDeclaration<Ports>): RunWriter<Ports> {
  if (!method.inRuns) throw new Error(`${method.name} does not write rows in runs`);
  return method.inRuns;
}

/** A batch row's checks only, for a method that writes runs (`RunWriter`); the result is what `writeRun` takes. */
export function checkForRun<Ports>(
  runtime: MethodRuntime<Ports>,
  method: MethodDeclaration<Ports>,
  caller: Caller,
  rawParams: PhpMap,
  startedAt: number,
  previous?: unknown,
): Promise<CallOutcome> {
  const { check } = runWriterOf(method);
  return runMethod(runtime, method, caller, rawParams, startedAt, true, (context) => check(context, previous));
}

/** Writes checked rows of one method; their time counts towards the caller's operating time like a handler's. */
export async function writeRun<Ports>(
  runtime: MethodRuntime<Ports>,
  method: MethodDeclaration<Ports>,
  caller: Caller,
  checked: readonly unknown[],
): Promise<unknown[]> {
  const { write } = runWriterOf(method);
  const key = operatingKey(caller.authType, caller.credentialId, method.name);
  const startMs = runtime.clock.now();
  try {
    return await write(runtime.ports, checked);
  } finally {
    await runtime.operating.record(key, startMs / 1000, (runtime.clock.now() - startMs) / 1000);
  }
}
