// `salestrace seed`: fills a database with realistic CRM items and Sales Intelligence traces,
// for benchmarks and demos. Deterministic for a given --seed and starting database.
import { databaseFile } from '../config.js';
import type { Services } from '../services.js';
import { SourceMatcherCache } from '../tracking/sourceMatcherCache.js';
import { seedItems } from './items.js';
import { seedExpenses } from './expenses.js';
import { SeededRandom } from './random.js';
import { finishSeedConnection, InsertStatements, openSeedConnection, type Connection } from './sqlite.js';
import { seedTraceChunk, TraceStatements } from './traces.js';
import type { SourceMatcher } from '../tracking/sourceMatcher.js';
import { assignees, ensureCustomSources, existingItems, timeWindow, type TimeWindow } from './world.js';

export interface SeedRequest {
  readonly traces: number;
  readonly items: number;
  readonly seed: number;
  /** Called every PROGRESS_STEP trace rows (and at the end) with the rows written so far. */
  readonly onProgress?: (done: number, total: number) => void;
}

export interface SeedSummary {
  readonly sourcesAdded: number;
  readonly items: number;
  readonly traces: number;
  /** The new traces' IDs, consecutive; null when none were asked for. */
  readonly traceIds: { first: number; last: number } | null;
}

/** Trace rows between two progress reports. */
const PROGRESS_STEP = 10_000;

/** The tables a trace writes, whose secondary indexes a large seed builds afresh. */
const TRACE_TABLES = ['tracking_traces', 'tracking_trace_items', 'tracking_trace_channels', 'tracking_trace_tree'];

function traceCount(connection: Connection): number {
  return (connection.prepare('select count(*) as n from tracking_traces').get() as { n: number }).n;
}

/**
 * Drops the secondary indexes of the trace tables and returns their definitions, verbatim from
 * the schema, to be run again after the load: building an index once from sorted rows is several
 * times faster than updating it row by row (the unique keys stay; they check the load). Inside
 * the load's transaction, so a failed seed leaves them as they were.
 */
function dropSecondaryIndexes(connection: Connection): string[] {
  const placeholders = TRACE_TABLES.map(() => '?').join(', ');
  const indexes = connection
    .prepare(`select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${placeholders}) order by name`)
    .all(...TRACE_TABLES) as { name: string; sql: string }[];
  for (const index of indexes) connection.exec(`drop index "${index.name}"`);
  return indexes.map((index) => index.sql);
}

/** What the services set up before the bulk load: the custom sources and the matcher built from them. */
export interface SeedPreparation {
  readonly file: string;
  readonly window: TimeWindow;
  readonly matcher: SourceMatcher;
  readonly sourcesAdded: number;
}

/** The part that goes through the services (and their Kysely connection), run first. */
export async function prepareSeed(services: Services): Promise<SeedPreparation> {
  if (services.dbHelpers.name !== 'sqlite') throw new Error('seed writes to the embedded SQLite database only');
  const newest = await services.db.selectFrom('tracking_traces').select((eb) => eb.fn.max('created_at').as('newest')).executeTakeFirst();
  const window = timeWindow((newest?.newest as number | null | undefined) ?? null);
  const sourcesAdded = await ensureCustomSources(services, window);
  return { file: databaseFile(services.config), window, matcher: await new SourceMatcherCache().get(services.db), sourcesAdded };
}

/** The bulk load, on a connection of its own once the services are closed. */
export function loadSeed(prepared: SeedPreparation, request: SeedRequest): SeedSummary {
  const opened = openSeedConnection(prepared.file);
  const { connection } = opened;
  try {
    const { window, matcher } = prepared;
    const random = new SeededRandom(request.seed);
    const owners = { assignees: assignees(connection), author: 1 };
    const seeded = connection.transaction(() => seedItems(new InsertStatements(connection), random, request.items, window, owners))();
    // Traces go to the new items; with none, to the items the database already has.
    const pool = seeded.items.length > 0 ? seeded : existingItems(connection);
    const state = { matcher, window, items: pool.items, withUtm: pool.withUtm, createdBy: owners.author };
    const statements = new TraceStatements(connection);
    // One transaction for all traces: the seed lands whole or not at all.
    connection.transaction(() => {
      const rebuilt = request.traces > 0 && request.traces >= traceCount(connection) ? dropSecondaryIndexes(connection) : [];
      for (let done = 0; done < request.traces; ) {
        const count = Math.min(PROGRESS_STEP, request.traces - done);
        seedTraceChunk(statements, random, state, count, done, request.traces);
        done += count;
        request.onProgress?.(done, request.traces);
      }
      for (const definition of rebuilt) connection.exec(definition);
      // With the items, their expenses (the source report's costs); a seed of traces alone adds none.
      if (request.items > 0) seedExpenses(connection, random, window, window.start);
    })();
    const last = (connection.prepare('select max(id) as id from tracking_traces').get() as { id: number | null }).id ?? 0;
    const traceIds = request.traces > 0 ? { first: last - request.traces + 1, last } : null;
    return { sourcesAdded: prepared.sourcesAdded, items: seeded.items.length, traces: request.traces, traceIds };
  } finally {
    finishSeedConnection(opened);
  }
}
