// Sources and their matching values in the database (sales-intelligence.md §1.6, §1.7):
// reading them for matching and display, and the administrator's add, update and delete.
import { lockRows } from '../db/dialects/rowLocks.js';
import { fitsIntegerColumn } from '../db/integers.js';
import type { Executor } from '../db/schema.js';
import { hostOf, normalizeEmail, normalizePhone } from './channels.js';
import { isBuiltIn, sortSources, VALUE_KINDS, type SourceRecord, type SourceValues, type ValueKind } from './sourceCatalog.js';
import { markSourcesChanged } from './settings.js';
import type { ErrorDetails } from '../domainError.js';
import { TrackingError, type TrackingErrorKind } from './errors.js';

export const SOURCE_NAME_MAX = 255;
/** b_crm_tracking_source_field.VALUE is varchar(2000). */
export const SOURCE_VALUE_MAX = 2000;

export interface SourceChanges {
  readonly name?: string;
  readonly active?: boolean;
  /** A kind that is present replaces all values of that kind (Bitrix's setSourceField). */
  readonly values?: Partial<Record<ValueKind, readonly string[]>>;
}

/** Why a source change was refused; `details.field` names the offending field where there is one. */
export class SourceError extends TrackingError {
  constructor(kind: TrackingErrorKind, details: ErrorDetails = {}) {
    super(kind, details);
    this.name = 'SourceError';
  }
}

function emptyValues(): SourceValues {
  return { UTM_SOURCE: [], REF_DOMAIN: [], PHONE: [], EMAIL: [] };
}

export async function loadSources(db: Executor): Promise<SourceRecord[]> {
  const rows = await db.selectFrom('tracking_sources').selectAll().orderBy('id').execute();
  const values = await db.selectFrom('tracking_source_values').selectAll().orderBy('id').execute();
  const records = rows.map((row) => {
    const own = emptyValues();
    for (const value of values) {
      if (value.source_id === row.id && (VALUE_KINDS as readonly string[]).includes(value.kind)) {
        own[value.kind as ValueKind].push(value.value);
      }
    }
    return { id: row.id, code: row.code, name: row.name, active: row.active === 1, createdAt: row.created_at, values: own };
  });
  return sortSources(records);
}

export async function findSource(db: Executor, id: number): Promise<SourceRecord | undefined> {
  return (await loadSources(db)).find((source) => source.id === id);
}

/** One configured value, normalised the way matching compares it; null when it is empty. */
function normalizeValue(kind: ValueKind, raw: string): string | null {
  if (raw.length > SOURCE_VALUE_MAX) throw new SourceError('sourceValueTooLong', { field: kind, limit: SOURCE_VALUE_MAX });
  if (raw.trim() === '') return null;
  switch (kind) {
    case 'UTM_SOURCE':
      // Matched exactly as the browser sends it, so it is stored untrimmed (§3.3).
      return raw;
    case 'REF_DOMAIN': {
      const host = hostOf(raw);
      if (host === null || /\s/.test(raw.trim())) throw new SourceError('sourceDomainInvalid', { field: kind, value: raw });
      return host;
    }
    case 'PHONE': {
      const digits = normalizePhone(raw);
      if (digits === '') throw new SourceError('sourcePhoneInvalid', { field: kind, value: raw });
      return digits;
    }
    case 'EMAIL': {
      const email = normalizeEmail(raw);
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new SourceError('sourceEmailInvalid', { field: kind, value: raw });
      return email;
    }
  }
}

function normalizeValues(kind: ValueKind, raw: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of raw) {
    const normalized = normalizeValue(kind, value);
    if (normalized !== null && !out.includes(normalized)) out.push(normalized);
  }
  return out;
}

function normalizeName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new SourceError('sourceNameEmpty', { field: 'NAME' });
  if (trimmed.length > SOURCE_NAME_MAX) throw new SourceError('sourceNameTooLong', { field: 'NAME', limit: SOURCE_NAME_MAX });
  return trimmed;
}

async function replaceValues(db: Executor, sourceId: number, values: SourceChanges['values']): Promise<void> {
  for (const kind of VALUE_KINDS) {
    const given = values?.[kind];
    if (given === undefined) continue;
    const normalized = normalizeValues(kind, given);
    await db.deleteFrom('tracking_source_values').where('source_id', '=', sourceId).where('kind', '=', kind).execute();
    for (const value of normalized) {
      await db.insertInto('tracking_source_values').values({ source_id: sourceId, kind, value }).execute();
    }
  }
}

/** A custom source (no code). Run inside a transaction: the row and its values belong together. */
export async function addSource(db: Executor, changes: SourceChanges, nowSeconds: number): Promise<number> {
  if (changes.name === undefined) throw new SourceError('sourceNameRequired', { field: 'NAME' });
  const name = normalizeName(changes.name);
  // Validate every value before the first write.
  for (const kind of VALUE_KINDS) if (changes.values?.[kind]) normalizeValues(kind, changes.values[kind]);
  const inserted = await db
    .insertInto('tracking_sources')
    .values({ code: null, name, active: changes.active === false ? 0 : 1, created_at: Math.floor(nowSeconds) })
    .returning('id')
    .executeTakeFirstOrThrow();
  await replaceValues(db, inserted.id, changes.values);
  await markSourcesChanged(db);
  return inserted.id;
}

function notFound(id: number): SourceError {
  return new SourceError('sourceNotFound', { id });
}

/** Built-in sources take a name, the active flag and values too; their code never changes. */
export async function updateSource(db: Executor, id: number, changes: SourceChanges): Promise<void> {
  if (!fitsIntegerColumn(id)) throw notFound(id);
  // Locked, not just looked up: a concurrent delete (or rewrite of its values) waits for this one.
  if (!(await lockRows(db, 'tracking_sources', [id], 'noKeyUpdate')).has(id)) throw notFound(id);
  const name = changes.name === undefined ? undefined : normalizeName(changes.name);
  for (const kind of VALUE_KINDS) if (changes.values?.[kind]) normalizeValues(kind, changes.values[kind]);
  if (name !== undefined || changes.active !== undefined) {
    await db
      .updateTable('tracking_sources')
      .set({
        ...(name === undefined ? {} : { name }),
        ...(changes.active === undefined ? {} : { active: changes.active ? 1 : 0 }),
      })
      .where('id', '=', id)
      .execute();
  }
  await replaceValues(db, id, changes.values);
  await markSourcesChanged(db);
}

/**
 * Deletes a custom source and its values. Traces keep their SOURCE_ID, as in Bitrix, where a
 * deleted source's traces drop out of reports instead of turning into organic traffic.
 * Built-in sources cannot be deleted; they are archived with ACTIVE=N.
 */
export async function deleteSource(db: Executor, id: number): Promise<void> {
  // Locked first: a concurrent update that writes its values commits before they are deleted.
  await lockRows(db, 'tracking_sources', [id], 'update');
  const source = await findSource(db, id);
  if (!source) throw notFound(id);
  if (isBuiltIn(source)) {
    throw new SourceError('sourceBuiltIn', { code: source.code ?? '' });
  }
  await db.deleteFrom('tracking_source_values').where('source_id', '=', id).execute();
  await db.deleteFrom('tracking_sources').where('id', '=', id).execute();
  await markSourcesChanged(db);
}
