// Every benchmark scenario, declared in one place. A scenario names the server it loads, what
// it needs from that server, how to set it up, the request(s) autocannon sends and how every
// answer is checked. Requests are shaped exactly like b24jssdk's (clients.md §1.2): POST, JSON
// body, the three bx24_* query parameters, the SDK's headers, to the webhook URL.
//
// A scenario runs when `enabled`; the run first checks `requires` against the server's own
// `methods` list (and `seed` against the CLI) and stops with a clear message if anything is
// missing. `node bench/run.mjs --all` also runs the ones that are not enabled (references).
import { callBatch, callRest, inParallel } from './lib/rest.mjs';
import { batchRow, traceAddParams } from './traces.mjs';
import { measureReaders, setUpReaders, traceListMarkdown } from './traceList.mjs';
import { measureReport, REPORT_SEED, REPORT_TARGETS, reportsMarkdown } from './reports.mjs';

const SDK_QUERY = 'bx24_sdk_ver=2.2.0&bx24_sdk_type=b24-js-sdk';
const SDK_HEADERS = {
  accept: 'application/json, text/plain, */*',
  'content-type': 'application/json',
  'user-agent': 'b24-js-sdk/2.2.0',
  'accept-encoding': 'gzip, compress, deflate, br',
};

/** One call as b24jssdk sends it; `i` makes the request id differ between variants. */
export function sdkRequest(webhookPath, method, params, i = 0) {
  const requestId = `bench${String(i).padStart(4, '0')}-1910-793d-ab22-31e05891d22b`;
  return {
    method: 'POST',
    path: `${webhookPath}${method}?bx24_request_id=${requestId}&${SDK_QUERY}`,
    headers: SDK_HEADERS,
    body: JSON.stringify(params),
  };
}

/** A stand-in webhook path of the same length as the real one, for the baselines. */
const BASELINE_WEBHOOK_PATH = '/rest/1/abcdefgh12345678/';
/** The crm.item.list scenario's call, also sent to its raw baseline (raw-item-list). */
const ITEM_LIST_PARAMS = {
  entityTypeId: 2,
  select: ['id', 'title', 'stageId', 'opportunity'],
  filter: { '>=opportunity': 5000, stageId: 'NEW' },
  order: { id: 'DESC' },
  start: 0,
};
const TRACE_VARIANTS = 64;
const BATCH_VARIANTS = 8;
const BATCH_SIZE = 50;

/** One contact and one deal every trace is bound to, made through the API (crm.item.add). */
function boundItems(server) {
  return server.once('boundItems', async () => {
    const contact = await callRest(server.webhookUrl, 'crm.item.add', {
      entityTypeId: 3,
      fields: { name: 'Bench', lastName: 'Contact' },
    });
    const deal = await callRest(server.webhookUrl, 'crm.item.add', {
      entityTypeId: 2,
      fields: { title: 'Bench deal', opportunity: 1200 },
    });
    return { contactId: contact.result.item.id, dealId: deal.result.item.id };
  });
}

function traceAddRequests(server, items) {
  return Array.from({ length: TRACE_VARIANTS }, (_, i) =>
    sdkRequest(server.webhookPath, 'crm.tracking.trace.add', traceAddParams(i, items), i),
  );
}

/** Adds `count` traces through batch (50 a request, 4 requests in flight) and returns their IDs. */
async function addTraces(server, items, count, firstVariant = 0) {
  const jobs = [];
  for (let done = 0; done < count; done += BATCH_SIZE) {
    const n = Math.min(BATCH_SIZE, count - done);
    const rows = Array.from({ length: n }, (_, k) =>
      batchRow('crm.tracking.trace.add', traceAddParams(firstVariant + done + k, items)),
    );
    jobs.push(() => callBatch(server.webhookUrl, rows));
  }
  return (await inParallel(jobs, 4)).flat();
}

const TRACE_ADD_REQUIRES = { methods: ['crm.tracking.trace.add', 'crm.item.add'] };

/** trace.add, trace.delete and crm.item.list on PostgreSQL: `pg` one worker, `pg-2w` two (serve --workers 2). */
function postgresVariants(tag) {
  const server = tag === 'pg' ? 'salestrace-pg' : 'salestrace-pg-2w';
  const workers = tag === 'pg' ? '1 worker' : '2 workers';
  return ['trace.add', 'trace.delete', 'crm.item.list'].map((name) => {
    const base = SQLITE_SCENARIOS.find((s) => s.name === name);
    return {
      ...base,
      name: `${tag}:${name}`,
      postgres: true,
      server,
      about: `${base.about}; PostgreSQL, ${workers}`,
      ...(base.poolRateLike ? { poolRateLike: `${tag}:${base.poolRateLike}` } : {}),
    };
  });
}

const SQLITE_SCENARIOS = [
  {
    name: 'bare-http',
    baseline: true,
    enabled: true,
    server: 'bare-http',
    verify: 'envelope',
    about: 'node:http reading the body and answering a fixed server.time-sized envelope (the runtime\'s limit); sent the server.time request',
    requests: () => [sdkRequest(BASELINE_WEBHOOK_PATH, 'server.time', {})],
  },
  {
    name: 'raw-sqlite',
    baseline: true,
    enabled: true,
    server: 'raw-sqlite',
    verify: 'traceId',
    about: 'node:http + better-sqlite3 (WAL, synchronous=FULL): parse the trace.add body, insert 1 trace + 2 binding rows in one transaction; sent the trace.add requests',
    requests: () => traceAddRequests({ webhookPath: BASELINE_WEBHOOK_PATH }, { contactId: 1, dealId: 1 }),
  },
  {
    name: 'raw-durable',
    baseline: true,
    enabled: true,
    server: 'raw-durable',
    verify: 'traceId',
    about: 'the raw-sqlite write with Salestrace\'s durability: WAL, synchronous=NORMAL, each answer after an fdatasync of the -wal file begun after its COMMIT (one in flight, shared by every commit before it); sent the trace.add requests',
    requests: () => traceAddRequests({ webhookPath: BASELINE_WEBHOOK_PATH }, { contactId: 1, dealId: 1 }),
  },
  {
    name: 'raw-item-list',
    baseline: true,
    enabled: true,
    server: 'raw-item-list',
    verify: 'itemPage',
    about: 'node:http + better-sqlite3 running the SQL Salestrace runs for the crm.item.list scenario (its page and its count) on Salestrace\'s schema and the same 1,000 deals, answering the same envelope; sent the crm.item.list request',
    requests: () => [sdkRequest(BASELINE_WEBHOOK_PATH, 'crm.item.list', ITEM_LIST_PARAMS)],
  },
  {
    name: 'fastify-floor',
    baseline: true,
    reference: true, // not a target: run it with --only to see the framework's share
    enabled: false,
    server: 'fastify-floor',
    verify: 'envelope',
    about: 'Fastify set up like src/server.ts answering the bare-http envelope: the framework\'s own floor',
    requests: () => [sdkRequest(BASELINE_WEBHOOK_PATH, 'server.time', {})],
  },
  {
    name: 'server.time',
    enabled: true,
    server: 'salestrace',
    verify: 'envelope',
    about: 'full protocol through the webhook: route, params, method lookup, webhook auth, operating-time, envelope',
    requires: { methods: ['server.time'] },
    requests: (server) => [sdkRequest(server.webhookPath, 'server.time', {})],
  },
  {
    name: 'trace.add',
    enabled: true,
    server: 'salestrace',
    verify: 'traceId',
    about: 'crm.tracking.trace.add: 3 pages, 5 UTM tags, a referrer, one previous trace; bound to a contact and a deal',
    requires: TRACE_ADD_REQUIRES,
    requests: async (server) => traceAddRequests(server, await boundItems(server)),
  },
  {
    name: 'trace.delete',
    enabled: true,
    server: 'salestrace',
    verify: 'nullResult',
    about: 'crm.tracking.trace.delete of existing traces (each bound to a contact and a deal, with a previous trace), each ID once',
    requires: { methods: ['crm.tracking.trace.add', 'crm.tracking.trace.delete', 'batch', 'crm.item.add'] },
    // Each run gets a fresh pool of traces made through batch before the clock starts, sized
    // by the last rate (at first by trace.add's, which runs before it).
    poolRateLike: 'trace.add',
    consume: async (server, count) => {
      const ids = await addTraces(server, await boundItems(server), count);
      return ids.map((id, i) => sdkRequest(server.webhookPath, 'crm.tracking.trace.delete', { id }, i).body);
    },
    consumeRequest: (server) => sdkRequest(server.webhookPath, 'crm.tracking.trace.delete', { id: 0 }),
  },
  {
    name: 'batch-50',
    enabled: true,
    server: 'salestrace',
    verify: 'batchAllOk',
    unitsPerRequest: BATCH_SIZE,
    unit: 'traces',
    // Its p99 bound is 25 ms × 50 / (its speed-up over single trace.add calls), issue 17.
    batchOf: 'trace.add',
    about: 'batch of 50 crm.tracking.trace.add rows (b24jssdk encoding: JSON cmd list of qs-encoded rows, halt=1)',
    requires: { methods: ['crm.tracking.trace.add', 'batch', 'crm.item.add'] },
    requests: async (server) => {
      const items = await boundItems(server);
      return Array.from({ length: BATCH_VARIANTS }, (_, v) => {
        const cmd = Array.from({ length: BATCH_SIZE }, (_, k) =>
          batchRow('crm.tracking.trace.add', traceAddParams((v * BATCH_SIZE + k) % TRACE_VARIANTS, items)),
        );
        return sdkRequest(server.webhookPath, 'batch', { halt: 1, cmd }, v);
      });
    },
  },
  {
    name: 'crm.item.list',
    enabled: true,
    server: 'salestrace',
    verify: 'itemPage',
    about: 'crm.item.list of deals, filter >=opportunity and stageId, order by id desc, 4 fields, first page of 50 (of ~250 matches among 1,000 deals)',
    requires: { methods: ['crm.item.list', 'crm.item.add', 'batch'] },
    requests: async (server) => {
      await server.once('deals', async () => {
        const stages = ['NEW', 'PREPARATION', 'EXECUTING', 'WON'];
        const rows = Array.from({ length: 1000 }, (_, i) =>
          batchRow('crm.item.add', {
            entityTypeId: 2,
            fields: { title: `Deal ${i}`, opportunity: (i * 37) % 10000, stageId: stages[i % 2 === 0 ? 0 : 1 + (i % 3)] },
          }),
        );
        const chunks = Array.from({ length: rows.length / BATCH_SIZE }, (_, c) => rows.slice(c * BATCH_SIZE, (c + 1) * BATCH_SIZE));
        await inParallel(chunks.map((chunk) => () => callBatch(server.webhookUrl, chunk)), 2);
      });
      return [sdkRequest(server.webhookPath, 'crm.item.list', ITEM_LIST_PARAMS)];
    },
  },
  {
    name: 'crm.lead.add',
    enabled: true,
    server: 'salestrace',
    verify: 'traceId',
    about: 'crm.lead.add with a title, no event handlers bound',
    requires: { methods: ['crm.lead.add'] },
    requests: (server) => Array.from({ length: 16 }, (_, i) => sdkRequest(server.webhookPath, 'crm.lead.add', { fields: { TITLE: `Bench lead ${i}` } }, i)),
  },
  {
    name: 'crm.lead.add+outbox',
    enabled: true,
    server: 'salestrace-outbox',
    verify: 'traceId',
    about: 'crm.lead.add as above on a server with one outgoing webhook bound to ONCRMLEADADD and delivery off: the request path raises each event into the outbox',
    requires: { methods: ['crm.lead.add', 'event.bind'] },
    requests: (server) => Array.from({ length: 16 }, (_, i) => sdkRequest(server.webhookPath, 'crm.lead.add', { fields: { TITLE: `Bench lead ${i}` } }, i)),
  },
  {
    name: 'crm.lead.add+event',
    enabled: true,
    server: 'salestrace-events',
    verify: 'traceId',
    about: 'crm.lead.add as above on a server with one outgoing webhook bound to ONCRMLEADADD, each event delivered to a local receiver while the load runs',
    requires: { methods: ['crm.lead.add', 'event.bind'] },
    requests: (server) => Array.from({ length: 16 }, (_, i) => sdkRequest(server.webhookPath, 'crm.lead.add', { fields: { TITLE: `Bench lead ${i}` } }, i)),
  },
  {
    name: 'trace.add+event',
    enabled: true,
    server: 'salestrace-outbox',
    verify: 'traceId',
    about: 'trace.add as above on the server with the ONCRMLEADADD webhook (trace.add raises no event, as in Bitrix24)',
    requires: TRACE_ADD_REQUIRES,
    requests: async (server) => traceAddRequests(server, await boundItems(server)),
  },
  {
    name: 'trace.add@1M',
    enabled: true,
    server: 'salestrace-1m',
    verify: 'traceId',
    about: 'crm.tracking.trace.add as above, with 1,000,000 traces already in the database (salestrace seed)',
    requires: { ...TRACE_ADD_REQUIRES, seed: true },
    requests: async (server) => traceAddRequests(server, await boundItems(server)),
  },
  {
    name: 'trace.list@1M',
    probe: true, // timed one call at a time after the load rounds (bench/traceList.mjs), not loaded
    enabled: true,
    server: 'salestrace-1m',
    about: 'salestrace.trace.list per role (administrator, READ ALL, OWN with 10/100/1,000 items), total included, at start=0 and the middle page',
    requires: { methods: ['salestrace.trace.list', 'crm.item.update', 'batch'], seed: true },
    run: async (server, log) => ({ rows: await measureReaders(server, await setUpReaders(server), 10, log) }),
    markdown: (run, result) => traceListMarkdown({ ...run, ...SEED, calls: 10, rows: result.rows }),
  },
  // Issue 10, item 6: the analytics reports on their own seeded server (1M traces, 100k items),
  // seeded once and shared by both; timed one call at a time beside the hand-written SQL (bench/reports.mjs).
  ...[
    ['report.sources@1M', 'sources', 'salestrace.report.sources'],
    ['report.attribution@1M', 'attribution', 'salestrace.report.attribution'],
  ].map(([name, kind, method]) => ({
    name,
    probe: true,
    enabled: true,
    server: 'salestrace-reports',
    about: `${method} over HTTP, 15 calls one at a time, each beside the same aggregate hand-written in SQL (better-sqlite3, same file, same run)`,
    requires: { methods: [method], seed: true },
    targets: REPORT_TARGETS,
    run: async (server, log) => ({ rows: [await measureReport(server, kind, { calls: 15, log })] }),
    markdown: (run, result) => reportsMarkdown(run, result.rows),
  })),
];

export const SCENARIOS = [
  ...SQLITE_SCENARIOS,
  // PostgreSQL (issue 16): skipped with a line when PostgreSQL is not reachable (run.mjs).
  {
    name: 'raw-pg',
    baseline: true,
    postgres: true,
    enabled: true,
    server: 'raw-pg',
    verify: 'traceId',
    about: 'node:http + node-postgres (pool of 10, default synchronous_commit): parse the trace.add body, insert 1 trace + 2 binding rows in one transaction; sent the trace.add requests',
    requests: () => traceAddRequests({ webhookPath: BASELINE_WEBHOOK_PATH }, { contactId: 1, dealId: 1 }),
  },

  ...['pg', 'pg-2w'].flatMap((tag) => postgresVariants(tag)),
];

/** The seeded database for `salestrace-1m` (the seed command's --traces and --items). */
export const SEED = { traces: 1_000_000, items: 10_000 };
/** The seeded database for `salestrace-reports` (issue 10: 1M traces, 100k items). */
export { REPORT_SEED };

/**
 * Targets from issue 6, the trace ones from issue 17 (against raw-durable, which keeps
 * Salestrace's own durability promise; raw-sqlite pays one fsync per request). `ratio` compares two scenarios' rates (units/s); `p99` and `rss` hold
 * for every scenario loading a Salestrace server.
 */
export const TARGETS = [
  { id: 'server.time/bare-http', ratio: ['server.time', 'bare-http'], min: 0.7, text: 'server.time ≥ 70% of bare-http req/s' },
  { id: 'trace.add/raw-durable', ratio: ['trace.add', 'raw-durable'], min: 0.5, text: 'trace.add ≥ 50% of raw-durable req/s' },
  // Issue 16, PostgreSQL: against raw-pg, and two workers against one on this 2-core machine.
  { id: 'pg:trace.add/raw-pg', ratio: ['pg:trace.add', 'raw-pg'], min: 0.5, text: 'PostgreSQL trace.add (1 worker) ≥ 50% of raw-pg req/s' },
  { id: 'pg-2w:trace.add/pg:trace.add', ratio: ['pg-2w:trace.add', 'pg:trace.add'], min: 1.3, text: 'PostgreSQL trace.add, 2 workers ≥ 1.3 × 1 worker' },
  { id: 'crm.item.list/raw-item-list', ratio: ['crm.item.list', 'raw-item-list'], min: 0.5, text: 'crm.item.list ≥ 50% of raw-item-list req/s (the same SQL by hand)' },
  { id: 'trace.delete/raw-durable', ratio: ['trace.delete', 'raw-durable'], min: 0.5, text: 'trace.delete ≥ 50% of raw-durable req/s' },
  { id: 'batch-50/trace.add', ratio: ['batch-50', 'trace.add'], min: 10, text: 'batch-50 ≥ 10× the traces/s of single trace.add' },
  { id: 'trace.add@1M/trace.add', ratio: ['trace.add@1M', 'trace.add'], min: 0.9, text: 'trace.add with 1M traces ≥ 90% of the empty-database rate' },
  { id: 'crm.lead.add+outbox/crm.lead.add', ratio: ['crm.lead.add+outbox', 'crm.lead.add'], min: 0.9, text: 'crm.lead.add raising its event into the outbox ≥ 90% of the rate without a handler (issue 13)' },
  { id: 'trace.add+event/trace.add', ratio: ['trace.add+event', 'trace.add'], min: 0.9, text: 'trace.add beside a bound handler ≥ 90% of the rate without (issue 13)' },
  { id: 'p99', p99BelowMs: 25, text: 'p99 < 25 ms for every single-call scenario at 32 connections; a batch of n: 25 ms × n / its speed-up' },
  { id: 'rss', rssBelowMB: 250, text: 'peak RSS of the server < 250 MB' },
  { id: 'cold-start', coldStartBelowMs: 1500, text: 'cold start (spawn → first 200) < 1.5 s' },
];
