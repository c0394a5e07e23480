// Runs one method for an authenticated caller: the operating-time check, the handler, and the
// figures for the `time` block. Shared by plain calls and batch rows.
import { operatingKey } from '../limits/operatingTime.js';
import type { Services } from '../services.js';
import { phpIntval } from '../php/values.js';
import { newPhpMap, type PhpMap } from '../php/query.js';
import { ListResult, type MethodDeclaration } from './method.js';
import type { Caller } from '../auth/caller.js';
import { buildTimeBlock, type TimeBlock } from './time.js';
import { RESERVED_PARAMS } from '../auth/authenticate.js';

export interface CallOutcome {
  readonly result: unknown;
  readonly next: number | undefined;
  readonly total: number | undefined;
  readonly time: TimeBlock;
}

const RESERVED = new Set<string>(RESERVED_PARAMS);

/** Drops the names the protocol consumed and reads `start` (rest-protocol.md §1.4). */
export function methodParams(params: PhpMap): { params: PhpMap; start: number } {
  const out = newPhpMap();
  for (const key of Object.keys(params)) {
    if (!RESERVED.has(key)) out[key] = params[key];
  }
  return { params: out, start: params.start === undefined ? 0 : phpIntval(params.start) };
}

/** `batch` itself is not counted; its rows are, under their own names (§4.2). */
function isCounted(method: MethodDeclaration): boolean {
  return method.name !== 'batch';
}

export async function runMethod(
  services: Services,
  method: MethodDeclaration,
  caller: Caller,
  rawParams: PhpMap,
  startedAt: number,
  inBatch: boolean,
): Promise<CallOutcome> {
  const key = operatingKey(caller.authType, caller.credentialId, method.name);
  const counted = isCounted(method);
  if (counted) services.operating.check(key);
  const { params, start } = methodParams(rawParams);
  const handlerStartMs = services.clock.now();
  let value: unknown;
  try {
    value = await method.handler({ params, start, caller, services, inBatch });
    // A handler that returns nothing answers null, like a PHP function without `return`.
    value ??= null;
  } finally {
    // A call that fails still used the time it took (the limit protects the server).
    if (counted) services.operating.record(key, handlerStartMs / 1000, (services.clock.now() - handlerStartMs) / 1000);
  }
  const handlerEndMs = services.clock.now();
  // Differences in milliseconds first: seconds-then-subtract would make 0.1 s a hair longer.
  const processing = (handlerEndMs - handlerStartMs) / 1000;
  const report = services.operating.report(key, startedAt, handlerEndMs / 1000);
  const time = buildTimeBlock(startedAt, services.clock.now() / 1000, processing, report);
  if (value instanceof ListResult) {
    return { result: value.result, next: value.next, total: value.total, time };
  }
  return { result: value, next: undefined, total: undefined, time };
}
