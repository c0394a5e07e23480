// crm.activity.list filters, orders and pages in SQL with the rules it had when it did all of it
// in memory: here every answer, page by page, is checked against that in-memory reading of the
// same rows (its filter rules, its order, its read rule and its slice), on 130 activities with
// ties, mixed case, Cyrillic, LIKE's own characters and number-like texts, as JSON (numbers stay
// numbers) and as a PHP form (every value a string).
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { comparable, holds, splitKey, type Comparable } from '../../src/telephony/activityFilter.js';
import { ACTIVITY_FIELDS, activityValues } from '../../src/telephony/methods/activityView.js';
import type { ActivityRecord } from '../../src/telephony/contract.js';
import { formatDateC } from '../../src/rest/time.js';
import { callForm, callJson, type HttpAnswer, type TestServer, startTestServer } from '../helpers/server.js';
import { userWithGrants } from '../crm/helpers.js';
import { ok } from './helpers.js';
import { TEST_DIALECT } from '../helpers/database.js';

const BASE = Date.UTC(2026, 3, 1, 8, 0, 0) / 1000;
const SUBJECTS = ['Incoming call from +1 202', 'missed call', 'Звонок клиенту', 'ЗВОНОК', '100%_done', '12', '007', 'a\\b', 'Apple', 'apple', 'Banana'];
const COUNT = 130;
const FIELD_NAMES = new Set(ACTIVITY_FIELDS.map(([name]) => name));

let server: TestServer;
let records: ActivityRecord[];
let reader: { id: number; base: string };
let readerLeads: Set<number>;

beforeAll(async () => {
  server = await startTestServer();
  reader = await userWithGrants(server, { LEAD: { READ: 'OWN' } });
  const leads: number[] = [];
  for (let i = 0; i < 6; i++) leads.push(await ok(server, 'crm.lead.add', { fields: { TITLE: `Lead ${i}`, ASSIGNED_BY_ID: i % 2 === 0 ? 1 : reader.id } }));
  readerLeads = new Set(leads.filter((_, i) => i % 2 === 1));
  const db = server.services.db;
  for (let i = 0; i < COUNT; i++) {
    const start = BASE + ((i * 37) % 50) * 60;
    const { id } = await db
      .insertInto('call_activities')
      .values({
        owner_type_id: 1,
        owner_id: leads[i % leads.length]!,
        subject: i % 5 === 0 ? SUBJECTS[i % SUBJECTS.length]! : `${SUBJECTS[i % SUBJECTS.length]} ${i}`,
        direction: 1 + (i % 2),
        responsible_id: 1 + (i % 3),
        author_id: 1,
        start_time: start,
        end_time: start + i,
        created: BASE + i,
        origin_id: `VI_${i}`,
        phone_number: `+1202555${String(i).padStart(4, '0')}`,
        missed: i % 3 === 0 ? 1 : 0,
        description: i % 4 === 0 ? '' : `Note ${i % 7}`,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db.insertInto('call_activity_bindings').values({ activity_id: id, owner_type_id: 1, owner_id: leads[i % leads.length]! }).execute();
    if (i % 4 === 0) await db.insertInto('call_activity_bindings').values({ activity_id: id, owner_type_id: 3, owner_id: 900 + i }).execute();
  }
  const rows = await db.selectFrom('call_activities').selectAll().orderBy('id').execute();
  const bindings = await db.selectFrom('call_activity_bindings').selectAll().orderBy('owner_type_id').orderBy('owner_id').execute();
  records = rows.map((row) => ({
    row,
    bindings: bindings.filter((b) => b.activity_id === row.id).map((b) => ({ entityTypeId: b.owner_type_id, entityId: b.owner_id })),
  }));
});
afterAll(async () => {
  await server.close();
});

function order(a: Comparable | undefined, b: Comparable | undefined): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

interface Expected {
  readonly ids: number[];
  readonly total: number | undefined;
  readonly next: number | undefined;
}

/** The in-memory reading: every filter key in turn, the reader's items, the order with ID last, a slice of 50. */
function expected(filter: Record<string, unknown>, sort: Record<string, string>, start: number, mayRead: (record: ActivityRecord) => boolean): Expected {
  const kept = records.filter((record) => {
    const values: Record<string, Comparable> = activityValues(record);
    for (const [rawKey, raw] of Object.entries(filter)) {
      const key = rawKey.trim().toUpperCase();
      if (key === 'BINDINGS') {
        const entries = (Array.isArray(raw) ? raw : Object.values(raw as object)) as Record<string, unknown>[];
        const hit = entries.some((entry) =>
          record.bindings.some(
            (item) =>
              (entry.OWNER_TYPE_ID === undefined || Number(entry.OWNER_TYPE_ID) === item.entityTypeId) && (entry.OWNER_ID === undefined || Number(entry.OWNER_ID) === item.entityId),
          ),
        );
        if (!hit) return false;
        continue;
      }
      const { operator, field } = splitKey(key);
      // Unknown fields are left out, as the legacy proxy does.
      if (!FIELD_NAMES.has(field)) continue;
      const list = Array.isArray(raw) ? raw.map((value) => comparable(field, value)) : [comparable(field, raw)];
      if (!holds(values[field], operator, list)) return false;
    }
    return mayRead(record);
  });
  const keys: [string, number][] = Object.entries(sort)
    .filter(([field]) => FIELD_NAMES.has(field.toUpperCase()))
    .map(([field, direction]) => [field.toUpperCase(), direction.toUpperCase() === 'DESC' ? -1 : 1]);
  if (keys.length === 0) keys.push(['START_TIME', 1]);
  keys.push(['ID', 1]);
  kept.sort((a, b) => {
    const va = activityValues(a);
    const vb = activityValues(b);
    for (const [field, direction] of keys) {
      const diff = order(va[field], vb[field]);
      if (diff !== 0) return diff * direction;
    }
    return 0;
  });
  if (start < 0) return { ids: kept.slice(0, 50).map((r) => r.row.id), total: 0, next: undefined };
  const offset = Math.floor(start / 50) * 50;
  const ids = kept.slice(offset, offset + 50).map((r) => r.row.id);
  return { ids, total: kept.length, next: offset + ids.length < kept.length ? offset + ids.length : undefined };
}

/** PHP's bracket form of nested parameters, every value a string. */
function phpForm(params: Record<string, unknown>, prefix = ''): string[] {
  return Object.entries(params).flatMap(([key, value]) => {
    const name = prefix === '' ? key : `${prefix}[${key}]`;
    if (value !== null && typeof value === 'object') return phpForm(value as Record<string, unknown>, name);
    return [`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`];
  });
}

/** As the server decodes a form: every leaf a string, and an empty list not sent at all. */
function stringLeaves(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(stringLeaves);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([, v]) => !Array.isArray(v) || v.length > 0).map(([k, v]) => [k, stringLeaves(v)]));
  }
  return String(value);
}

function answerOf(answer: HttpAnswer): Expected {
  expect(answer.status, answer.text).toBe(200);
  return { ids: answer.body.result.map((row: { ID: string }) => Number(row.ID)), total: answer.body.total, next: answer.body.next };
}

const lead = (i: number) => records[i]!.row.owner_id;
const id = (i: number) => records[i]!.row.id;

const CASES: [string, () => Record<string, unknown>, Record<string, string>][] = [
  ['no filter, default order (ties on START_TIME)', () => ({}), {}],
  ['IDs from one on, order by ID descending', () => ({ '>=ID': id(7) }), { ID: 'desc' }],
  ['a list of IDs less one', () => ({ '@ID': [id(3), id(40), id(41), id(99)], '!ID': id(40) }), {}],
  ['outgoing calls not missed, by end time', () => ({ DIRECTION: 2, COMPLETED: 'y' }), { END_TIME: 'desc' }],
  ['missed by STATUS, by subject', () => ({ STATUS: 1 }), { SUBJECT: 'asc' }],
  ['a substring in any case, Cyrillic', () => ({ '%SUBJECT': 'звонок' }), { SUBJECT: 'desc', ID: 'desc' }],
  ['LIKE characters found literally', () => ({ '%SUBJECT': '%_d' }), {}],
  ['a pattern with wildcards', () => ({ '=%SUBJECT': 'a_p%' }), { SUBJECT: 'asc' }],
  ['a pattern with a backslash', () => ({ '%=SUBJECT': 'a\\b%' }), {}],
  ['not containing', () => ({ '!%SUBJECT': 'call' }), { DESCRIPTION: 'asc' }],
  ['equal text in any case', () => ({ SUBJECT: 'apple' }), {}],
  ['equal to a number-like text', () => ({ SUBJECT: '12' }), {}],
  ['an empty description is no value', () => ({ DESCRIPTION: '' }), {}],
  ['not an empty value: every row', () => ({ '!DESCRIPTION': '' }), {}],
  ['text ranges by code point', () => ({ '>=SUBJECT': 'Apple', '<SUBJECT': 'apple' }), { SUBJECT: 'asc' }],
  ['dates as text and as seconds', () => ({ '>START_TIME': formatDateC(BASE + 20 * 60), '<=CREATED': BASE + 100 }), { START_TIME: 'desc' }],
  ['responsible in a list, by responsible then start', () => ({ '@RESPONSIBLE_ID': [2, 3] }), { RESPONSIBLE_ID: 'desc', START_TIME: 'asc' }],
  ['owner and owner type', () => ({ OWNER_TYPE_ID: 1, OWNER_ID: lead(2) }), {}],
  ['bindings to a lead or a contact', () => ({ BINDINGS: [{ OWNER_TYPE_ID: 1, OWNER_ID: lead(1) }, { OWNER_ID: 900 + 8 }] }), {}],
  ['bindings of one type only', () => ({ BINDINGS: [{ OWNER_TYPE_ID: 3 }] }), { ID: 'desc' }],
  ['a fixed value that holds', () => ({ TYPE_ID: 2, PROVIDER_ID: 'voximplant_call', '!PROVIDER_GROUP_ID': 'x' }), {}],
  ['a fixed value that does not', () => ({ PRIORITY: 3 }), {}],
  ['a fixed value in a range, unknown fields left out', () => ({ '>NOTIFY_TYPE': -1, NO_SUCH_FIELD: 1 }), { NO_SUCH: 'desc', COMPLETED: 'desc' }],
  ['an empty list matches nothing', () => ({ '@ID': [] }), {}],
  ['origin ID range (text)', () => ({ '>ORIGIN_ID': 'VI_5' }), { ORIGIN_ID: 'desc' }],
  ['ID above a text: compared as text', () => ({ '>ID': String(id(50)) }), {}],
  ['ID at most a number-like text', () => ({ '<=ID': `${id(20)}` }), { ID: 'desc' }],
];

const admin = () => true;

describe('crm.activity.list answers as its in-memory reading did', () => {
  it.each(CASES)('%s (JSON, every page)', async (_name, filterOf, sort) => {
    const filter = filterOf();
    for (const start of [0, 50, 100, 150, -1]) {
      const answer = await callJson(server, 'crm.activity.list', { filter, order: sort, select: ['ID'], start });
      expect(answerOf(answer), `start ${start}`).toEqual(expected(filter, sort, start, admin));
    }
  });

  it.each(CASES)('%s (a PHP form, first two pages)', async (_name, filterOf, sort) => {
    const filter = filterOf();
    for (const start of [0, 50]) {
      const body = phpForm({ filter, order: sort, select: ['ID'], start }).join('&');
      const answer = await callForm(server, 'crm.activity.list', body);
      expect(answerOf(answer), `start ${start}`).toEqual(expected(stringLeaves(filter) as Record<string, unknown>, sort, start, admin));
    }
  });

  it('pages 130 rows by 50: start, next and total, and a start past the last row', async () => {
    const pages = [];
    for (const start of [0, 50, 100, 150]) pages.push(answerOf(await callJson(server, 'crm.activity.list', { select: ['ID'], order: { ID: 'asc' }, start })));
    expect(pages.map(({ ids, next, total }) => [ids.length, next, total])).toEqual([[50, 50, 130], [50, 100, 130], [30, undefined, 130], [0, undefined, 130]]);
    expect(pages.flatMap((page) => page.ids)).toEqual(records.map((record) => record.row.id));
    // A start between pages snaps down to the page's start.
    expect(answerOf(await callJson(server, 'crm.activity.list', { select: ['ID'], order: { ID: 'asc' }, start: 77 })).ids[0]).toBe(id(50));
  });

  it('a reader with OWN leads gets only the activities bound to their leads, counted and paged alike', async () => {
    const mayRead = (record: ActivityRecord) => record.bindings.some((item) => item.entityTypeId === 1 && readerLeads.has(item.entityId));
    for (const [, filterOf, sort] of CASES.slice(0, 6)) {
      const filter = filterOf();
      for (const start of [0, 50]) {
        const answer = await callJson(server, 'crm.activity.list', { filter, order: sort, select: ['ID'], start }, reader.base);
        expect(answerOf(answer)).toEqual(expected(filter, sort, start, mayRead));
      }
    }
    expect(answerOf(await callJson(server, 'crm.activity.list', { select: ['ID'] }, reader.base)).total).toBe(records.filter(mayRead).length);
  });
});

it.skipIf(TEST_DIALECT !== 'sqlite')('reads one page of activity rows from the database, not all of them (SQLite)', async () => {
  // Counted by wrapping better-sqlite3's statement reads, in this process, around one call.
  const probe = new Database(':memory:');
  const prototype = Object.getPrototypeOf(probe.prepare('select 1')) as { all: (...args: unknown[]) => unknown[] };
  probe.close();
  const original = prototype.all;
  let activityRows = 0;
  prototype.all = function (this: { source: string }, ...args: unknown[]) {
    const rows = original.apply(this, args);
    if (/from "?call_activities"? /.test(this.source) && !this.source.includes('count(')) activityRows += rows.length;
    return rows;
  };
  try {
    const answer = answerOf(await callJson(server, 'crm.activity.list', { filter: { '>ID': 0 }, order: { SUBJECT: 'desc' }, select: ['ID'], start: 50 }));
    expect([answer.ids.length, answer.next, answer.total]).toEqual([50, 100, 130]);
  } finally {
    prototype.all = original;
  }
  expect(activityRows).toBe(50);
});
