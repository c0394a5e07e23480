// `salestrace seed`, run in the test process (inProcess.ts): the rows it writes read back through the real server
// exactly as if crm.item.add and crm.tracking.trace.add had written them, counts are exact,
// IDs go on after the seeded ones, the same --seed gives the same data, and bad values are
// refused before anything is created. SQLite only: on PostgreSQL the command refuses.
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DIALECT } from '../helpers/database.js';
import { runCli } from './inProcess.js';
import { removeTempDataDir, startServe, tempDataDir, type ServeProcess } from './spawn.js';

const onSqlite = TEST_DIALECT === 'sqlite';

function openDb(dir: string): Database.Database {
  return new Database(path.join(dir, 'salestrace.db'), { readonly: true });
}

function count(db: Database.Database, table: string): number {
  return (db.prepare(`select count(*) as n from ${table}`).get() as { n: number }).n;
}

describe.skipIf(!onSqlite)('a seeded database served by the real server', () => {
  let dataDir: string;
  let serve: ServeProcess;
  let webhook: string;
  let seedOutput: string;

  beforeAll(async () => {
    dataDir = await tempDataDir();
    const seeded = await runCli(['seed', '--data', dataDir, '--traces', '200', '--items', '50']);
    expect(seeded.stderr).toBe('');
    expect(seeded.code).toBe(0);
    seedOutput = seeded.stdout;
    serve = await startServe(['--data', dataDir, '--port', '0', '--https-port', 'off']);
    webhook = /^ {2}(http:\/\/127\.0\.0\.1:\d+\/rest\/1\/[a-z0-9]+\/)$/m.exec(serve.output())![1];
  }, 60_000);
  afterAll(async () => {
    await serve?.stop();
    if (dataDir) await removeTempDataDir(dataDir);
  });

  async function call(method: string, params: unknown): Promise<any> {
    const response = await fetch(webhook + method, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(params) });
    const body = (await response.json()) as any;
    expect(body.error, `${method}: ${JSON.stringify(body)}`).toBeUndefined();
    expect(response.status).toBe(200);
    return body;
  }

  /** Every trace the list method gives, page by page. */
  async function listAll(filter: Record<string, unknown>): Promise<any[]> {
    const traces: any[] = [];
    for (let start = 0; ; start += 50) {
      const page = await call('salestrace.trace.list', { filter, start });
      traces.push(...page.result);
      if (page.next === undefined) return traces;
    }
  }

  it('prints plain progress lines and a summary when stdout is not a terminal', () => {
    expect(seedOutput).toMatch(
      /^seed: 200\/200 traces\nadded 4 custom sources\nadded 50 items \(5 companies, 18 contacts, 12 leads, 15 deals\)\nadded 200 traces \(IDs 1-200\) in \d+\.\d s\n$/,
    );
  });

  it('writes exactly the rows asked for, each trace bound like trace.add binds', () => {
    const db = openDb(dataDir);
    try {
      expect(count(db, 'tracking_traces')).toBe(200);
      expect([count(db, 'crm_company'), count(db, 'crm_contact'), count(db, 'crm_lead'), count(db, 'crm_deal'), count(db, 'crm_quote')]).toEqual([5, 18, 12, 15, 0]);
      expect(count(db, 'tracking_sources')).toBe(10);
      // A hand-entered pack per active source and 10 days of the 300-day window, split by day.
      expect(count(db, 'analytics_expense_packs')).toBe(30 * 10);
      expect(count(db, 'analytics_expenses')).toBe(30 * 10 * 10);
      expect(db.prepare('select count(*) as n from analytics_expense_packs p where expenses_cents <> (select sum(expenses_cents) from analytics_expenses e where e.pack_id = p.id)').get()).toEqual({ n: 0 });
      // Every trace is either a journey's last visit with 1–2 bound items, or a previous visit
      // of exactly one such trace, bound to the same items.
      const parents = db.prepare('select child_id, parent_id from tracking_trace_tree').all() as { child_id: number; parent_id: number }[];
      expect(parents.length).toBeGreaterThan(20);
      const parentOf = new Map(parents.map((row) => [row.child_id, row.parent_id]));
      expect(parentOf.size).toBe(parents.length);
      const bound = (id: number) =>
        (db.prepare('select entity_type_id, entity_id from tracking_trace_items where trace_id = ? order by entity_type_id, entity_id').all(id) as unknown[]).map((row) =>
          JSON.stringify(row),
        );
      for (let id = 1; id <= 200; id++) {
        const parent = parentOf.get(id);
        if (parent === undefined) expect(bound(id).length, `trace ${id}`).toBeGreaterThanOrEqual(1);
        if (parent === undefined) expect(bound(id).length, `trace ${id}`).toBeLessThanOrEqual(2);
        else expect(bound(id), `trace ${id}`).toEqual(bound(parent));
        if (parent !== undefined) expect(parent).toBeGreaterThan(id);
      }
      // The load ran with a rollback journal and left the database in WAL mode, as serve keeps it.
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      // Every index the migrations create is there after the load rebuilt them.
      const indexes = db.prepare("select name from sqlite_master where type = 'index' and name like 'tracking_%' order by name").all();
      expect(indexes.map((row: any) => row.name)).toEqual([
        'tracking_source_values_source',
        'tracking_trace_items_item_trace',
        'tracking_trace_tree_child',
        'tracking_traces_created',
        'tracking_traces_id_time_source',
        'tracking_traces_source',
        'tracking_traces_source_created',
        'tracking_traces_unbound',
      ]);
      // Written as the seed's author, user 1, as its items are.
      expect(db.prepare('select created_by, bound, count(*) as n from tracking_traces group by created_by, bound').all()).toEqual([{ created_by: 1, bound: 1, n: 200 }]);
    } finally {
      db.close();
    }
  });

  it('gives the next trace.add the ID after the seeded ones', async () => {
    const db = openDb(dataDir);
    const last = (db.prepare('select max(id) as id from tracking_traces').get() as { id: number }).id;
    const seq = (db.prepare("select seq from sqlite_sequence where name = 'tracking_traces'").get() as { seq: number }).seq;
    db.close();
    expect([last, seq]).toEqual([200, 200]);
    const added = await call('crm.tracking.trace.add', { TRACE: JSON.stringify({ url: 'https://after.example/' }) });
    expect(added.result).toBe(last + 1);
  });

  it('reads seeded traces back with pages, tags, source, items and previous traces', async () => {
    const db = openDb(dataDir);
    const withPrevious = (db.prepare('select parent_id from tracking_trace_tree order by id limit 1').get() as { parent_id: number }).parent_id;
    db.close();
    const trace = (await call('salestrace.trace.get', { id: withPrevious })).result;
    expect(trace.ID).toBe(withPrevious);
    expect(trace.PAGES.length).toBeGreaterThanOrEqual(1);
    expect(trace.PAGES.find((page: any) => page.IS_REF === 'N').URL).toMatch(/^https:\/\/shop\.example\.com\/catalog\//);
    expect(trace.CHANNELS[0]).toEqual({ CODE: 'site-domain', VALUE: 'shop.example.com' });
    expect(trace.ENTITIES.length).toBeGreaterThanOrEqual(1);
    expect(trace.PREVIOUS.length).toBe(trace.PREVIOUS_IDS.length);
    expect(trace.PREVIOUS.length).toBeGreaterThanOrEqual(1);
    for (const previous of trace.PREVIOUS) {
      expect(previous.PARENT_IDS).toEqual([withPrevious]);
      expect(previous.ENTITIES).toEqual(trace.ENTITIES);
      expect(previous.ID).toBeLessThan(withPrevious);
    }
    // The seed attributes traces to the built-in and its own custom sources.
    const sources = new Set<string>();
    for (const row of await listAll({})) sources.add(row.SOURCE?.NAME);
    expect([...sources].sort()).toEqual(['Call tracking', 'Facebook', 'Instagram', 'Newsletter', 'Other traffic', 'Partner blog', 'Price comparison']);
  });

  it('gives each seeded trace the rows crm.tracking.trace.add writes for the same TRACE', async () => {
    const db = openDb(dataDir);
    const roots = (db.prepare('select distinct parent_id as id from tracking_trace_tree order by parent_id limit 6').all() as { id: number }[]).map((row) => row.id);
    const plain = (db.prepare('select id from tracking_traces where id not in (select parent_id from tracking_trace_tree) and id not in (select child_id from tracking_trace_tree) order by id limit 6').all() as { id: number }[]).map((row) => row.id);
    db.close();
    /** The browser TRACE a trace was made from: ref and site URL apart from the pages, previous visits dated by tags.ts. */
    const traceJson = (view: any, level: number): Record<string, unknown> => {
      const ref = view.PAGES.find((page: any) => page.IS_REF === 'Y');
      const pages = view.PAGES.filter((page: any) => page.IS_REF === 'N').map((page: any) => [page.URL, page.DATE_INSERT, page.TITLE]);
      const tags = Object.fromEntries(Object.entries(view.TAGS).map(([code, value]) => [code.toLowerCase(), value]));
      const channels = view.CHANNELS.filter((channel: any) => channel.CODE !== 'site-domain').map((channel: any) => ({ code: channel.CODE, value: channel.VALUE }));
      return {
        ...(ref ? { ref: ref.URL } : {}),
        device: { isMobile: view.IS_MOBILE === 'Y' },
        tags: { ...(level > 0 ? { ts: pages[0][1] } : {}), list: tags },
        pages: { list: pages },
        channels,
        ...(view.PREVIOUS.length > 0 ? { previous: { list: view.PREVIOUS.map((previous: any) => traceJson(previous, level + 1)) } } : {}),
      };
    };
    const comparable = (view: any): unknown => {
      const { ID, DATE_CREATE, PARENT_IDS, PREVIOUS_IDS, PREVIOUS, ...rest } = view;
      return { ...rest, DATE_CREATE: PARENT_IDS.length > 0 ? DATE_CREATE : undefined, PREVIOUS: PREVIOUS.map(comparable) };
    };
    expect(roots.length).toBe(6);
    expect(plain.length).toBe(6);
    for (const id of [...roots, ...plain]) {
      const seeded = (await call('salestrace.trace.get', { id })).result;
      const entities = seeded.ENTITIES.map((item: any) => ({ TYPE: item.TYPE, ID: item.ID }));
      const added = await call('crm.tracking.trace.add', { TRACE: JSON.stringify(traceJson(seeded, 0)), ENTITIES: entities });
      const again = (await call('salestrace.trace.get', { id: added.result })).result;
      expect(comparable(again), `trace ${id}`).toEqual(comparable(seeded));
    }
  });

  it('lists the traces of a seeded item by ENTITY_TYPE and ENTITY_ID, newest first', async () => {
    const db = openDb(dataDir);
    const busiest = db
      .prepare('select entity_type_id as type, entity_id as id, count(*) as n from tracking_trace_items group by entity_type_id, entity_id order by n desc, type, id limit 1')
      .get() as { type: number; id: number; n: number };
    const expected = (
      db
        .prepare('select t.id from tracking_traces t join tracking_trace_items i on i.trace_id = t.id where i.entity_type_id = ? and i.entity_id = ? order by t.created_at desc, t.id desc')
        .all(busiest.type, busiest.id) as { id: number }[]
    ).map((row) => row.id);
    db.close();
    const typeName = { 1: 'LEAD', 2: 'DEAL', 3: 'CONTACT', 4: 'COMPANY' }[busiest.type]!;
    const listed = await listAll({ ENTITY_TYPE: typeName, ENTITY_ID: busiest.id });
    expect(listed.map((trace) => trace.ID)).toEqual(expected);
    expect(expected.length).toBe(busiest.n);
    for (const trace of listed) expect(trace.ENTITIES).toContainEqual({ TYPE: typeName, ENTITY_TYPE_ID: busiest.type, ID: busiest.id });
  });

  it('gives seeded items the fields crm.item.add gives the same values', async () => {
    const db = openDb(dataDir);
    const deal = db.prepare('select id from crm_deal where contact_id is not null and company_id is not null order by id limit 1').get() as { id: number };
    const contact = db.prepare('select id from crm_contact where company_id is not null order by id limit 1').get() as { id: number };
    const lead = db.prepare("select id from crm_lead where status_id <> 'NEW' order by id limit 1").get() as { id: number };
    db.close();
    const volatile = ['id', 'createdTime', 'updatedTime', 'movedTime', 'lastActivityTime', 'begindate', 'closedate', 'dateClosed'];
    const strip = (item: Record<string, unknown>) => Object.fromEntries(Object.entries(item).filter(([key]) => !volatile.includes(key)));
    const cases: [number, number, string[]][] = [
      [2, deal.id, ['title', 'stageId', 'opportunity', 'sourceId', 'contactId', 'contactIds', 'companyId', 'assignedById', 'utmSource', 'utmMedium', 'utmCampaign', 'utmContent', 'utmTerm']],
      [3, contact.id, ['name', 'lastName', 'typeId', 'companyId', 'companyIds', 'assignedById', 'fm', 'utmSource', 'utmMedium', 'utmCampaign', 'utmContent', 'utmTerm']],
      [1, lead.id, ['title', 'name', 'lastName', 'stageId', 'sourceId', 'opportunity', 'assignedById', 'fm', 'utmSource', 'utmMedium', 'utmCampaign', 'utmContent', 'utmTerm']],
    ];
    for (const [entityTypeId, id, given] of cases) {
      const seeded = (await call('crm.item.get', { entityTypeId, id })).result.item;
      expect(seeded.assignedById).toBe(1);
      const fields: Record<string, unknown> = {};
      for (const name of given) {
        if (seeded[name] === null || seeded[name] === undefined) continue;
        fields[name] = name === 'fm' ? seeded.fm.map(({ typeId, valueType, value }: any) => ({ typeId, valueType, value })) : seeded[name];
      }
      const added = await call('crm.item.add', { entityTypeId, fields });
      const made = (await call('crm.item.get', { entityTypeId, id: added.result.item.id })).result.item;
      const fm = (item: any) => item.fm?.map(({ typeId, valueType, value }: any) => ({ typeId, valueType, value }));
      expect({ ...strip(made), fm: fm(made) }, `${entityTypeId}:${id}`).toEqual({ ...strip(seeded), fm: fm(seeded) });
    }
  });


  it('adds to the database while the server runs, which then serves the new rows', async () => {
    const db = openDb(dataDir);
    const before = (db.prepare('select max(id) as id from tracking_traces').get() as { id: number }).id;
    db.close();
    const more = await runCli(['seed', '--data', dataDir, '--traces', '30', '--items', '5', '--seed', '3']);
    expect([more.code, more.stderr]).toEqual([0, '']);
    expect(more.stdout).toContain(`added 30 traces (IDs ${before + 1}-${before + 30})`);
    const trace = (await call('salestrace.trace.get', { id: before + 30 })).result;
    expect(trace.ID).toBe(before + 30);
    expect(trace.ENTITIES.length).toBeGreaterThanOrEqual(1);
    const item = (await call('crm.item.get', { entityTypeId: trace.ENTITIES[0].ENTITY_TYPE_ID, id: trace.ENTITIES[0].ID })).result.item;
    expect(item.id).toBe(trace.ENTITIES[0].ID);
    const added = await call('crm.tracking.trace.add', { TRACE: JSON.stringify({ url: 'https://later.example/' }) });
    expect(added.result).toBe(before + 31);
    const after = openDb(dataDir);
    try {
      expect(after.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      after.close();
    }
  });
});

describe.skipIf(!onSqlite)('seeding again and with the same seed', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await removeTempDataDir(dir);
  });

  /** Every row of every table, IDs included, in a stable order (not when the migrations ran). */
  function dump(dir: string): string {
    const db = openDb(dir);
    try {
      const tables = (db.prepare("select name from sqlite_master where type = 'table' and name <> 'kysely_migration' order by name").all() as { name: string }[]).map((row) => row.name);
      // The sources' version stamp is random by design (settings.ts): a cache key, not seeded
      // data; so is the key webhook codes are hashed with (src/auth/webhookKey.ts).
      const rowsOf = (table: string) =>
        table === 'settings'
          ? `select * from settings where name not in ('tracking.sources_version', 'auth.webhook_hash_key')`
          : `select * from "${table}"`;
      return tables.map((table) => `${table}\n${(db.prepare(rowsOf(table)).all() as unknown[]).map((row) => JSON.stringify(row)).sort().join('\n')}`).join('\n');
    } finally {
      db.close();
    }
  }

  it('writes the same rows for the same seed and other rows for another', async () => {
    const [a, b, c] = [await tempDataDir(), await tempDataDir(), await tempDataDir()];
    dirs.push(a, b, c);
    for (const [dir, seed] of [[a, '7'], [b, '7'], [c, '8']]) {
      const result = await runCli(['seed', '--data', dir, '--traces', '120', '--items', '20', '--seed', seed]);
      expect([result.code, result.stderr]).toEqual([0, '']);
    }
    expect(dump(a)).toBe(dump(b));
    expect(dump(a)).not.toBe(dump(c));
  });

  it('adds to an existing database: IDs go on, sources are not added twice, times follow the newest trace', async () => {
    const dir = await tempDataDir();
    dirs.push(dir);
    await runCli(['seed', '--data', dir, '--traces', '100', '--items', '10']);
    const db = openDb(dir);
    const newest = (db.prepare('select max(created_at) as t from tracking_traces').get() as { t: number }).t;
    db.close();
    const again = await runCli(['seed', '--data', dir, '--traces', '50', '--items', '10', '--seed', '2']);
    expect([again.code, again.stderr]).toEqual([0, '']);
    expect(again.stdout).toMatch(/^seed: 50\/50 traces\nadded 10 items \(1 companies, 4 contacts, 2 leads, 3 deals\)\nadded 50 traces \(IDs 101-150\) in \d+\.\d s\n$/);
    const after = openDb(dir);
    try {
      expect(count(after, 'tracking_traces')).toBe(150);
      expect(count(after, 'tracking_sources')).toBe(10);
      expect(count(after, 'crm_deal')).toBe(6);
      expect((after.prepare('select max(id) as id from crm_deal').get() as { id: number }).id).toBe(6);
      const oldest = (after.prepare('select min(created_at) as t from tracking_traces where id > 100 and id not in (select child_id from tracking_trace_tree)').get() as { t: number }).t;
      expect(oldest).toBeGreaterThan(newest);
      // The second run's traces are bound to the second run's items only.
      const stray = after.prepare('select count(*) as n from tracking_trace_items i join crm_deal d on i.entity_type_id = 2 and i.entity_id = d.id where i.trace_id > 100 and d.id <= 3').get() as { n: number };
      expect(stray.n).toBe(0);
    } finally {
      after.close();
    }
  });

  it('binds traces to the items already there when it adds none', async () => {
    const dir = await tempDataDir();
    dirs.push(dir);
    await runCli(['seed', '--data', dir, '--traces', '0', '--items', '10']);
    const result = await runCli(['seed', '--data', dir, '--traces', '30', '--items', '0']);
    expect(result.stdout).toMatch(/^seed: 30\/30 traces\nadded 0 items \(0 companies, 0 contacts, 0 leads, 0 deals\)\nadded 30 traces \(IDs 1-30\) in \d+\.\d s\n$/);
    const db = openDb(dir);
    try {
      const unbound = db.prepare('select count(*) as n from tracking_traces t where not exists (select 1 from tracking_trace_items i where i.trace_id = t.id)').get() as { n: number };
      expect(unbound.n).toBe(0);
    } finally {
      db.close();
    }
  });
});

describe('seed refuses bad values before it creates anything', () => {
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'salestrace-seed-bad-'));
  afterAll(() => fs.rmSync(base, { recursive: true, force: true }));

  it.each([
    [['--traces', 'abc', '--items', '1'], '--traces must be a whole number of 0 or more, got "abc"'],
    [['--traces', '-5', '--items', '1'], '--traces must be a whole number of 0 or more, got "-5"'],
    [['--traces', '1.5', '--items', '1'], '--traces must be a whole number of 0 or more, got "1.5"'],
    [['--traces', '1e3', '--items', '1'], '--traces must be a whole number of 0 or more, got "1e3"'],
    [['--traces', '10', '--items', ''], '--items must be a whole number of 0 or more, got ""'],
    [['--traces', '10', '--items', '100000001'], '--items must be at most 100000000, got 100000001'],
    [['--traces', '10', '--items', '1', '--seed', 'x'], '--seed must be a whole number from 0 to 4294967295, got "x"'],
    [['--traces', '10', '--items', '1', '--seed', '4294967296'], '--seed must be a whole number from 0 to 4294967295, got "4294967296"'],
    [
      ['--traces', '10', '--items', '1', '--database-url', 'postgres://127.0.0.1:1/none'],
      'seed writes to the embedded SQLite database only; it does not support PostgreSQL (--database-url, SALESTRACE_DATABASE_URL)',
    ],
  ])('seed %j', async (args, message) => {
    const dir = path.join(base, 'data');
    const result = await runCli(['seed', '--data', dir, ...args]);
    expect([result.code, result.stderr.trim(), result.stdout]).toEqual([1, `salestrace: ${message}`, '']);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('needs --traces and --items', async () => {
    const dir = path.join(base, 'data');
    const result = await runCli(['seed', '--data', dir, '--items', '1']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^error: required option '--traces <n>' not specified\n/);
    expect(fs.existsSync(dir)).toBe(false);
  });

  it('refuses SALESTRACE_DATABASE_URL as well', async () => {
    const dir = path.join(base, 'data');
    const result = await runCli(['seed', '--data', dir, '--traces', '1', '--items', '1'], { SALESTRACE_DATABASE_URL: 'postgres://127.0.0.1:1/none' });
    expect([result.code, result.stderr.trim()]).toEqual([
      1,
      'salestrace: seed writes to the embedded SQLite database only; it does not support PostgreSQL (--database-url, SALESTRACE_DATABASE_URL)',
    ]);
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe.skipIf(onSqlite)('seed on the PostgreSQL test backend', () => {
  it('refuses the data directory whose database is PostgreSQL', async () => {
    const dir = await tempDataDir();
    try {
      const result = await runCli(['seed', '--data', dir, '--traces', '1', '--items', '1']);
      expect([result.code, result.stderr.trim()]).toEqual([
        1,
        'salestrace: seed writes to the embedded SQLite database only; it does not support PostgreSQL (--database-url, SALESTRACE_DATABASE_URL)',
      ]);
    } finally {
      await removeTempDataDir(dir);
    }
  });
});
