// Methods that exist only when the server runs with test methods on (the test suite). They
// give tests a list of known size, a call that takes a set time, and errors on demand.
// Not part of the product: the server loads this module only when config.testMethods names it
// (src/methods.ts). `#salestrace/*` is the server's own code: src/ under vitest and tsc, the
// built dist/ when the compiled copy (dist-test/, buildTestMethods.mjs) runs in a spawned server.
import type { Clock } from '#salestrace/clock.js';
import type { DatabaseFaults } from '#salestrace/db/faults.js';
import { coreError, ERRORS, restError, type ErrorKey } from '#salestrace/rest/errors.js';
import { defineMethod, type MethodDeclaration } from '#salestrace/rest/method.js';
import { pageRequest, pagedResult } from '#salestrace/rest/paging.js';
import { phpIntval, phpString } from '#salestrace/php/values.js';

export interface TestPorts {
  readonly clock: Clock;
  readonly faults: DatabaseFaults;
}

function canAdvance(clock: Clock): clock is Clock & { advance(ms: number): void } {
  return typeof (clock as { advance?: unknown }).advance === 'function';
}

/**
 * `salestrace.test.list?count=N[&style=d7]`: rows {ID: 1..N} paged like a legacy list (or a D7
 * one), honouring `filter[>ID]` as the SDK list helpers send it.
 */
const testList = defineMethod({
  name: 'salestrace.test.list',
  scope: null,
  handler({ params, start }) {
    const count = Math.max(0, Math.min(100_000, phpIntval(params.count)));
    const page = pageRequest(start);
    const rows: { ID: string }[] = [];
    // Keyset paging as SDK list helpers do it: filter[>ID] with start=-1.
    const filter = params.filter as Record<string, unknown> | undefined;
    const after = filter && typeof filter === 'object' ? phpIntval(filter['>ID']) : 0;
    const firstId = Math.max(after, 0) + 1 + (page.countTotal ? page.offset : 0);
    for (let id = firstId; id <= count && rows.length < page.limit; id++) rows.push({ ID: String(id) });
    const total = Math.max(0, count - Math.max(after, 0));
    return pagedResult(rows, rows.length, page, total, params.style === 'd7' ? 'd7' : 'legacy');
  },
});

/**
 * `salestrace.test.work?seconds=S[&fail=ERROR_KEY|crash]`: takes S seconds of (clock) time,
 * without sleeping under a test clock, then succeeds or fails as `salestrace.test.fail` would.
 */
const testWork = defineMethod<Pick<TestPorts, 'clock'>>({
  name: 'salestrace.test.work',
  scope: null,
  async handler({ params, ports: { clock } }) {
    const seconds = Number(phpString(params.seconds)) || 0;
    if (canAdvance(clock)) clock.advance(seconds * 1000);
    else await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    const fail = phpString(params.fail);
    if (fail in ERRORS) throw restError(fail as ErrorKey, { message: 'test failure' });
    if (fail === 'crash') throw new Error('simulated crash after work');
    return true;
  },
});

/**
 * `salestrace.test.fail?key=ERROR_KEY` throws that registry error; `key=crash` throws a plain
 * Error, `key=sql` the database driver's own error for a query on a missing table.
 */
const testFail = defineMethod<Pick<TestPorts, 'faults'>>({
  name: 'salestrace.test.fail',
  scope: null,
  async handler({ params, ports: { faults } }) {
    const key = phpString(params.key);
    if (Object.hasOwn(ERRORS, key)) throw restError(key as ErrorKey, { message: 'test failure', reason: 'test', limit: 1 });
    if (key === 'crash') throw new Error('simulated crash with a secret stack');
    if (key === 'sql') await faults.queryMissingTable();
    throw coreError(`unknown test error key "${key}"`);
  },
});

/**
 * `salestrace.test.echo`: the parameters exactly as a method receives them (reserved names
 * removed) and the `start` offset, so tests can see what the decoder built.
 */
const testEcho = defineMethod({
  name: 'salestrace.test.echo',
  scope: null,
  handler({ params, start }) {
    return { params, start };
  },
});

/** `salestrace.test.scoped`: a method in the `crm` scope, for scope checks without the CRM module. */
const testScoped = defineMethod({
  name: 'salestrace.test.scoped',
  scope: 'crm',
  handler() {
    return 'scoped';
  },
});

export const testMethods: MethodDeclaration<TestPorts>[] = [testList, testWork, testFail, testEcho, testScoped];
