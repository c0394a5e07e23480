// What the seeded data is laid out against: the time window, the custom sources with the
// values the generated traces match, and what the database already holds (users, items), so
// that seeding an existing database adds to it.
import type { Services } from '../services.js';
import type { ValueKind } from '../tracking/sourceCatalog.js';
import { addSource } from '../tracking/sources.js';
import type { ItemRef } from '../tracking/traceStore.js';
import type { Connection } from './sqlite.js';

export interface TimeWindow {
  /** Unix seconds. */
  readonly start: number;
  readonly seconds: number;
}

/** 2025-01-01T00:00:00Z: the first seed's data starts here, whatever the date of the run. */
const FIRST_START = 1735689600;
const WINDOW_SECONDS = 300 * 86400;

export const itemKey = (item: ItemRef) => `${item.entityTypeId}:${item.entityId}`;

/** A fixed window, or the one after the newest trace (`newest`, unix seconds) when there are traces. */
export function timeWindow(newest: number | null): TimeWindow {
  return { start: Math.max(FIRST_START, (newest ?? 0) + 1), seconds: WINDOW_SECONDS };
}

/** The custom sources the generated traces are attributed to (the built-in ones exist already). */
export const CUSTOM_SOURCES: readonly { name: string; values: Partial<Record<ValueKind, string[]>> }[] = [
  { name: 'Newsletter', values: { UTM_SOURCE: ['newsletter'], EMAIL: ['news@shop.example.com'] } },
  { name: 'Partner blog', values: { REF_DOMAIN: ['blog.partner-example.org'] } },
  { name: 'Price comparison', values: { UTM_SOURCE: ['pricecompare'], REF_DOMAIN: ['compare.example.net'] } },
  { name: 'Call tracking', values: { PHONE: ['+1 555 010-0200'] } },
];

/**
 * Adds the custom sources that do not exist yet (by name) through the server's own code, dated
 * at the window's start so that the same seed gives the same rows.
 */
export async function ensureCustomSources(services: Services, window: TimeWindow): Promise<number> {
  const existing = new Set((await services.tracking.sources()).map((source) => source.name));
  const missing = CUSTOM_SOURCES.filter((source) => !existing.has(source.name));
  await services.db.transaction().execute(async (trx) => {
    for (const source of missing) await addSource(trx, { name: source.name, active: true, values: source.values }, window.start);
  });
  return missing.length;
}

/** Active users other than the administrator get items assigned too; user 1 always does. */
export function assignees(connection: Connection): number[] {
  const rows = connection.prepare('select id from users where active = 1 order by id').all() as { id: number }[];
  return [...new Set([1, ...rows.map((row) => row.id)])];
}

/** Items already in the database, for traces to be bound to when the seed adds none. */
export function existingItems(connection: Connection): { items: ItemRef[]; withUtm: Set<string> } {
  const items: ItemRef[] = [];
  for (const [table, entityTypeId] of [['crm_company', 4], ['crm_contact', 3], ['crm_lead', 1], ['crm_deal', 2]] as const) {
    for (const row of connection.prepare(`select id from ${table} order by id`).all() as { id: number }[]) {
      items.push({ entityTypeId, entityId: row.id });
    }
  }
  const withUtm = new Set(
    (connection.prepare('select distinct entity_type_id, entity_id from crm_utm').all() as { entity_type_id: number; entity_id: number }[]).map(
      (row) => itemKey({ entityTypeId: row.entity_type_id, entityId: row.entity_id }),
    ),
  );
  return { items, withUtm };
}
