// The SQL of the attribution report: won deals of a period and the visits of their journeys
// (traces bound to the deal, its contact and its company), and one deal's journey with the
// traces' pages, tags and channels. A deal's "won" time is MOVED_TIME while its stage semantic
// is S: the time of the stage change that made it won (COMPATIBILITY.md, "Attribution models").
import { sql, type RawBuilder } from 'kysely';
import { dialectOf } from '../../db/dialects/dialectOf.js';
import type { Executor } from '../../db/schema.js';
import { CRM_ENTITY_TYPES } from '../../crm/contract.js';

export interface WonDeal {
  readonly id: number;
  /** Unix seconds: when it reached its won stage. */
  readonly wonAt: number;
  readonly opportunity: number;
  readonly currencyId: string | null;
  readonly contactId: number | null;
  readonly companyId: number | null;
}

/** A journey's visit as the report reads it; `via` says whose binding brought it. */
export interface TouchRow {
  readonly dealId: number;
  readonly traceId: number;
  readonly at: number;
  readonly sourceId: number | null;
}

export interface Period {
  /** Unix seconds, inclusive. */
  readonly from: number;
  /** Unix seconds, exclusive. */
  readonly to: number;
}

const WON = 'S';

export async function wonDeals(db: Executor, period: Period): Promise<WonDeal[]> {
  const rows = await db
    .selectFrom('crm_deal')
    .select(['id', 'moved_time', 'opportunity', 'currency_id', 'contact_id', 'company_id'])
    .where('stage_semantic_id', '=', WON)
    .where('moved_time', '>=', period.from)
    .where('moved_time', '<', period.to)
    .orderBy('id')
    .execute();
  return rows.map((row) => ({
    id: Number(row.id),
    wonAt: Number(row.moved_time),
    opportunity: Number(row.opportunity ?? 0),
    currencyId: row.currency_id ?? null,
    contactId: positive(row.contact_id),
    companyId: positive(row.company_id),
  }));
}

function positive(value: unknown): number | null {
  const n = Number(value);
  return value !== null && value !== undefined && Number.isInteger(n) && n > 0 ? n : null;
}

/** Deals per query: three parameters each, well inside both databases' parameter limits. */
const DEALS_PER_QUERY = 500;

/**
 * The visits of the won deals within `lookback` seconds before each was won: traces bound to the
 * deal, to its contact and to its company (bindings reach previous traces, §1.2, so those are
 * among them). Read per item type, starting from a list of (deal, item, won at) rows so that the
 * database walks the bindings' index from the items and drops the visits outside each deal's
 * window itself; a trace bound to two of them comes twice and the caller keeps one. The join
 * keeps that order where the planner obeys it (SQLite's would otherwise start from every binding
 * of the type), and each trace's time and source come from the narrow (id, created_at,
 * source_id) index instead of the wide row where there is one (migration 0460).
 */
export async function journeyTouches(db: Executor, deals: readonly WonDeal[], lookback: number): Promise<TouchRow[]> {
  const touches: TouchRow[] = [];
  const kinds: [number, (deal: WonDeal) => number | null][] = [
    [CRM_ENTITY_TYPES.DEAL, (deal) => deal.id],
    [CRM_ENTITY_TYPES.CONTACT, (deal) => deal.contactId],
    [CRM_ENTITY_TYPES.COMPANY, (deal) => deal.companyId],
  ];
  const dialect = dialectOf(db);
  const join = sql.raw(dialect.orderedJoin);
  const touchIndex = sql.raw(dialect.throughIndex('tracking_traces_id_time_source'));
  for (const [entityTypeId, itemOf] of kinds) {
    const rows: RawBuilder<unknown>[] = [];
    for (const deal of deals) {
      const item = itemOf(deal);
      if (item !== null) rows.push(sql`(cast(${deal.id} as bigint), cast(${item} as bigint), cast(${deal.wonAt} as bigint))`);
    }
    for (let at = 0; at < rows.length; at += DEALS_PER_QUERY) {
      const result = await sql<{ deal: number | string; id: number | string; created_at: number | string; source_id: number | string | null }>`
        with w (deal, item, won) as (values ${sql.join(rows.slice(at, at + DEALS_PER_QUERY))})
        select w.deal, t.id, t.created_at, t.source_id
          from w
          ${join} tracking_trace_items as b on b.entity_type_id = ${entityTypeId} and b.entity_id = w.item
          ${join} tracking_traces as t ${touchIndex} on t.id = b.trace_id and t.created_at <= w.won and t.created_at >= w.won - ${lookback}`.execute(db);
      for (const row of result.rows) {
        touches.push({ dealId: Number(row.deal), traceId: Number(row.id), at: Number(row.created_at), sourceId: row.source_id === null ? null : Number(row.source_id) });
      }
    }
  }
  return touches;
}

export interface DealRow {
  readonly id: number;
  readonly stageSemantic: string | null;
  readonly movedTime: number | null;
  readonly opportunity: number;
  readonly currencyId: string | null;
  readonly contactId: number | null;
  readonly companyId: number | null;
}

export async function loadDeal(db: Executor, id: number): Promise<DealRow | undefined> {
  const row = await db
    .selectFrom('crm_deal')
    .select(['id', 'stage_semantic_id', 'moved_time', 'opportunity', 'currency_id', 'contact_id', 'company_id'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: Number(row.id),
    stageSemantic: row.stage_semantic_id ?? null,
    movedTime: row.moved_time === null ? null : Number(row.moved_time),
    opportunity: Number(row.opportunity ?? 0),
    currencyId: row.currency_id ?? null,
    contactId: positive(row.contact_id),
    companyId: positive(row.company_id),
  };
}

export interface JourneyTraceRow {
  readonly traceId: number;
  readonly at: number;
  readonly sourceId: number | null;
  readonly tagsJson: string;
  readonly pagesJson: string;
  /** Entity type IDs of the items (deal, contact, company) whose bindings brought it. */
  readonly via: number[];
}

/** Every trace bound to any of the items, oldest first, with the items that brought each. */
export async function tracesOfItems(db: Executor, items: readonly { entityTypeId: number; entityId: number }[]): Promise<JourneyTraceRow[]> {
  if (items.length === 0) return [];
  const rows = await db
    .selectFrom('tracking_trace_items as b')
    .innerJoin('tracking_traces as t', 't.id', 'b.trace_id')
    .where((eb) => eb.or(items.map((item) => eb.and([eb('b.entity_type_id', '=', item.entityTypeId), eb('b.entity_id', '=', item.entityId)]))))
    .select(['t.id', 't.created_at', 't.source_id', 't.tags_json', 't.pages_json', 'b.entity_type_id'])
    .orderBy('t.created_at')
    .orderBy('t.id')
    .orderBy('b.entity_type_id')
    .execute();
  const byTrace = new Map<number, JourneyTraceRow>();
  for (const row of rows) {
    const id = Number(row.id);
    const known = byTrace.get(id);
    if (known) {
      if (!known.via.includes(Number(row.entity_type_id))) known.via.push(Number(row.entity_type_id));
      continue;
    }
    byTrace.set(id, {
      traceId: id,
      at: Number(row.created_at),
      sourceId: row.source_id === null ? null : Number(row.source_id),
      tagsJson: row.tags_json,
      pagesJson: row.pages_json,
      via: [Number(row.entity_type_id)],
    });
  }
  return [...byTrace.values()];
}

/** Channels of the traces, in the order they were added. */
export async function channelsOf(db: Executor, traceIds: readonly number[]): Promise<Map<number, { code: string; value: string | null }[]>> {
  const result = new Map<number, { code: string; value: string | null }[]>();
  if (traceIds.length === 0) return result;
  const rows = await db.selectFrom('tracking_trace_channels').select(['trace_id', 'code', 'value']).where('trace_id', 'in', traceIds).orderBy('id').execute();
  for (const row of rows) {
    const list = result.get(Number(row.trace_id)) ?? [];
    list.push({ code: row.code, value: row.value });
    result.set(Number(row.trace_id), list);
  }
  return result;
}

/** Source names by ID, deleted ones absent. */
export async function sourceNames(db: Executor): Promise<Map<number, string>> {
  const rows = await db.selectFrom('tracking_sources').select(['id', 'name']).execute();
  return new Map(rows.map((row) => [Number(row.id), row.name]));
}
