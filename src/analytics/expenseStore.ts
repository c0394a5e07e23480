// The SQL of expense packs and their daily rows (analytics_expense_packs, analytics_expenses).
import type { Executor } from '../db/schema.js';
import type { ExpenseFilter, ExpensePack } from './contract.js';
import type { DailyExpense } from './expenseSplit.js';

/** A pack as it is written: everything but the ID the insert gives it. */
export type PackRow = Omit<ExpensePack, 'id'>;

export interface KeywordDay {
  readonly day: string;
  readonly childId: number;
  readonly impressions: number;
  readonly clicks: number;
  readonly cents: number;
}

/** Rows per multi-row insert: within SQLite's and PostgreSQL's parameter limits. */
const CHUNK = 500;

export async function insertPack(db: Executor, pack: PackRow): Promise<number> {
  const row = await db
    .insertInto('analytics_expense_packs')
    .values({
      source_id: pack.sourceId,
      type_id: pack.typeId,
      date_from: pack.from,
      date_to: pack.to,
      actions: pack.actions,
      impressions: pack.impressions,
      expenses_cents: pack.cents,
      currency_id: pack.currency,
      comment: pack.comment,
      created_at: pack.createdAt,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return Number(row.id);
}

/** The daily rows of a manual pack (TYPE_ID 0): no impressions, no child. */
export async function insertDailyRows(db: Executor, packId: number, sourceId: number, currency: string, days: readonly DailyExpense[]): Promise<void> {
  for (let i = 0; i < days.length; i += CHUNK) {
    await db
      .insertInto('analytics_expenses')
      .values(
        days.slice(i, i + CHUNK).map((d) => ({
          pack_id: packId,
          source_id: sourceId,
          type_id: 0,
          date_stat: d.day,
          actions: d.actions,
          impressions: 0,
          expenses_cents: d.cents,
          currency_id: currency,
          source_child_id: 0,
        })),
      )
      .execute();
  }
}

/** The keyword rows of an import (TYPE_ID 1). */
export async function insertKeywordRows(db: Executor, packId: number, sourceId: number, currency: string, rows: readonly KeywordDay[]): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) {
    await db
      .insertInto('analytics_expenses')
      .values(
        rows.slice(i, i + CHUNK).map((r) => ({
          pack_id: packId,
          source_id: sourceId,
          type_id: 1,
          date_stat: r.day,
          actions: r.clicks,
          impressions: r.impressions,
          expenses_cents: r.cents,
          currency_id: currency,
          source_child_id: r.childId,
        })),
      )
      .execute();
  }
}

/** The ID of a source child (campaign, ad group or keyword), added when it is new; a given title replaces the old one. */
export async function ensureSourceChild(db: Executor, sourceId: number, parentId: number, level: number, code: string, title: string): Promise<number> {
  const existing = await db
    .selectFrom('analytics_source_children')
    .select(['id', 'title'])
    .where('source_id', '=', sourceId)
    .where('parent_id', '=', parentId)
    .where('code', '=', code)
    .executeTakeFirst();
  if (existing) {
    if (title !== '' && title !== existing.title) {
      await db.updateTable('analytics_source_children').set({ title }).where('id', '=', existing.id).execute();
    }
    return Number(existing.id);
  }
  const row = await db
    .insertInto('analytics_source_children')
    .values({ source_id: sourceId, parent_id: parentId, level, code, title, is_enabled: 1 })
    .returning('id')
    .executeTakeFirstOrThrow();
  const id = Number(row.id);
  // Traces saved before the child existed name its code: link them now (the TraceLinker's work, §4.3).
  await db
    .updateTable('analytics_trace_levels')
    .set({ source_child_id: id, processed: 1 })
    .where('source_id', '=', sourceId)
    .where('level', '=', level)
    .where('code', '=', code)
    .where('source_child_id', '=', 0)
    .execute();
  return id;
}

function filtered(db: Executor, filter: ExpenseFilter) {
  let query = db.selectFrom('analytics_expense_packs');
  if (filter.sourceId !== undefined) query = query.where('source_id', '=', filter.sourceId);
  if (filter.from !== undefined) query = query.where('date_to', '>=', filter.from);
  if (filter.to !== undefined) query = query.where('date_from', '<=', filter.to);
  return query;
}

export async function listPacks(db: Executor, filter: ExpenseFilter, offset: number, limit: number): Promise<ExpensePack[]> {
  const rows = await filtered(db, filter).selectAll().orderBy('id').limit(limit).offset(offset).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    sourceId: Number(r.source_id),
    typeId: Number(r.type_id),
    from: r.date_from,
    to: r.date_to,
    actions: Number(r.actions),
    impressions: Number(r.impressions),
    cents: Number(r.expenses_cents),
    currency: r.currency_id,
    comment: r.comment,
    createdAt: Number(r.created_at),
  }));
}

export async function countPacks(db: Executor, filter: ExpenseFilter): Promise<number> {
  const row = await filtered(db, filter).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

/** Deletes a pack and its daily rows; false when there was no such pack. */
export async function deletePack(db: Executor, id: number): Promise<boolean> {
  await db.deleteFrom('analytics_expenses').where('pack_id', '=', id).execute();
  const result = await db.deleteFrom('analytics_expense_packs').where('id', '=', id).executeTakeFirst();
  return Number(result.numDeletedRows) > 0;
}

/** Whether any expense row exists: the report's `actions` stage is shown only then (§4.1, hasReadyAdSources). */
export async function anyExpenses(db: Executor): Promise<boolean> {
  const row = await db.selectFrom('analytics_expenses').select('id').limit(1).executeTakeFirst();
  return row !== undefined;
}
