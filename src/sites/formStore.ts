// Site forms in the database (site_forms, migration 0700).
import type { Selectable } from 'kysely';
import type { Executor } from '../db/schema.js';
import type { FormRecord } from './contract.js';
import type { SiteFormsTable } from './tables.js';

function formOf(row: Selectable<SiteFormsTable>): FormRecord {
  let fields: Record<string, string> = {};
  try {
    const parsed: unknown = JSON.parse(row.fields_json);
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) fields = parsed as Record<string, string>;
  } catch {
    fields = {};
  }
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    siteId: row.site_id,
    fields,
    createContact: row.create_contact === 1,
    responsibleId: row.responsible_id ?? 1,
    thanksUrl: row.thanks_url,
    active: row.active === 1,
    createdAt: Number(row.created_at),
  };
}

export function formRow(form: Omit<FormRecord, 'id'>) {
  return {
    code: form.code,
    name: form.name,
    site_id: form.siteId,
    fields_json: JSON.stringify(form.fields),
    create_contact: form.createContact ? 1 : 0,
    responsible_id: form.responsibleId,
    thanks_url: form.thanksUrl,
    active: form.active ? 1 : 0,
    created_at: form.createdAt,
  };
}

export async function loadForms(db: Executor): Promise<FormRecord[]> {
  return (await db.selectFrom('site_forms').selectAll().orderBy('id').execute()).map(formOf);
}

export async function findForm(db: Executor, id: number): Promise<FormRecord | undefined> {
  const row = await db.selectFrom('site_forms').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : formOf(row);
}

export async function findActiveFormByCode(db: Executor, code: string): Promise<FormRecord | undefined> {
  const row = await db.selectFrom('site_forms').selectAll().where('code', '=', code).where('active', '=', 1).executeTakeFirst();
  return row === undefined ? undefined : formOf(row);
}

export async function insertForm(db: Executor, form: Omit<FormRecord, 'id'>): Promise<number> {
  return (await db.insertInto('site_forms').values(formRow(form)).returning('id').executeTakeFirstOrThrow()).id;
}

export async function updateForm(db: Executor, id: number, form: Omit<FormRecord, 'id'>): Promise<void> {
  await db.updateTable('site_forms').set(formRow(form)).where('id', '=', id).execute();
}

export async function deleteForm(db: Executor, id: number): Promise<void> {
  await db.deleteFrom('site_forms').where('id', '=', id).execute();
}
