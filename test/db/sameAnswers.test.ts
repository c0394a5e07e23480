// The places where SQLite and PostgreSQL would answer differently on their own: case folding,
// text order, U+0000, IDs after a rolled-back write, and numbers outside a column's range.
// Every assertion here is the same on both backends, but for the ID after a rolled-back write (`npm test` and `npm run test:postgres`).
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../crm/helpers.js';
import { TEST_DIALECT } from '../helpers/database.js';
import { callJson, request, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

describe('text', () => {
  const TITLES = ['ИВАН петров', 'иван Сидоров', 'apple', 'Banana', 'Äpfel', 'zebra', 'écrin', 'fable', 'a b', 'ab'];
  const ids = new Map<string, number>();

  beforeAll(async () => {
    for (const title of TITLES) ids.set(title, await ok(server, 'crm.deal.add', { fields: { TITLE: title } }));
  });

  const titles = (rows: { TITLE?: string; title?: string }[]) => rows.map((row) => row.TITLE ?? row.title);

  it('% filters ignore case in every alphabet, as Bitrix24 does', async () => {
    expect(titles(await ok(server, 'crm.deal.list', { filter: { '%TITLE': 'иван' }, select: ['TITLE'] }))).toEqual(['ИВАН петров', 'иван Сидоров']);
    expect(titles(await ok(server, 'crm.deal.list', { filter: { '%TITLE': 'ÄPF' }, select: ['TITLE'] }))).toEqual(['Äpfel']);
    expect(titles(await ok(server, 'crm.deal.list', { filter: { '%TITLE': 'ÉCR' }, select: ['TITLE'] }))).toEqual(['écrin']);
    const items = await ok(server, 'crm.item.list', { entityTypeId: 2, filter: { '%title': 'ИВАН П' }, select: ['title'] });
    expect(titles(items.items)).toEqual(['ИВАН петров']);
    expect(titles(await ok(server, 'crm.deal.list', { filter: { '!%TITLE': 'А' }, order: { ID: 'ASC' }, select: ['TITLE'] }))).toEqual(
      TITLES.filter((title) => !title.toLowerCase().includes('а')),
    );
  });

  it('sorts by the case-folded text, code point by code point, whatever the database locale', async () => {
    const expected = ['a b', 'ab', 'apple', 'Banana', 'fable', 'zebra', 'Äpfel', 'écrin', 'ИВАН петров', 'иван Сидоров'];
    expect(titles(await ok(server, 'crm.deal.list', { order: { TITLE: 'ASC' }, select: ['TITLE'] }))).toEqual(expected);
    const descending = await ok(server, 'crm.item.list', { entityTypeId: 2, order: { title: 'DESC' }, select: ['title'] });
    expect(titles(descending.items)).toEqual([...expected].reverse());
  });

  it('compares text by code point', async () => {
    const above = await ok(server, 'crm.deal.list', { filter: { '>TITLE': 'e' }, order: { ID: 'ASC' }, select: ['TITLE'] });
    expect(titles(above)).toEqual(['ИВАН петров', 'иван Сидоров', 'Äpfel', 'zebra', 'écrin', 'fable']);
    const below = await ok(server, 'crm.deal.list', { filter: { '<TITLE': 'a c' }, order: { ID: 'ASC' }, select: ['TITLE'] });
    expect(titles(below)).toEqual(['Banana', 'a b']);
  });

  it('stores U+0000 as U+FFFD, and a filter with it still finds the item', async () => {
    const id = await ok(server, 'crm.lead.add', { fields: { TITLE: 'nul\u0000byte', NAME: '\u0000' } });
    const lead = await ok(server, 'crm.lead.get', { id });
    expect([lead.TITLE, lead.NAME]).toEqual(['nul\uFFFDbyte', '\uFFFD']);
    expect((await ok(server, 'crm.lead.list', { filter: { TITLE: 'nul\u0000byte' }, select: ['ID'] })).map((row: any) => Number(row.ID))).toEqual([id]);
    const row = await server.services.db.selectFrom('crm_lead').select('title').where('id', '=', id).executeTakeFirstOrThrow();
    expect(row.title).toBe('nul\uFFFDbyte');
    // Inside a TRACE the value is JSON text, so it comes back exactly as sent.
    const trace = await ok(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify({ url: 'https://nul.example/', tags: { list: { utm_term: 'a\u0000b' } } }) });
    expect((await ok(server, 'salestrace.trace.get', { id: trace })).TAGS).toEqual({ UTM_TERM: 'a\u0000b' });
  });
});

describe('IDs', () => {
  // SQLite's AUTOINCREMENT hands the refused add's ID out again; a PostgreSQL sequence leaves it
  // unused, as MySQL's AUTO_INCREMENT does under Bitrix24 (COMPATIBILITY.md, "IDs on PostgreSQL").
  const afterRefusedWrite = TEST_DIALECT === 'sqlite' ? 1 : 2;

  it(`a write that fails after its insert changes nothing, and the next ID is ${TEST_DIALECT === 'sqlite' ? 'the one it would have had' : 'one past it'}`, async () => {
    const first = await ok(server, 'crm.contact.add', { fields: { NAME: 'First' } });
    // The typed add inserts the contact, then its TRACE is refused and the whole add rolls back.
    const refused = await callJson(server, 'crm.contact.add', { fields: { NAME: 'Refused', TRACE: JSON.stringify({ url: 'x'.repeat(300_000) }) } });
    expect(refused.body).toEqual({ error: 'ERROR_CORE', error_description: 'Parameter `TRACE` is too large: the limit is 262144 bytes.' });
    expect(await ok(server, 'crm.contact.add', { fields: { NAME: 'Second' } })).toBe(first + afterRefusedWrite);
    const names = await server.services.db.selectFrom('crm_contact').select(['id', 'name']).orderBy('id').execute();
    expect(names).toEqual([
      { id: first, name: 'First' },
      { id: first + afterRefusedWrite, name: 'Second' },
    ]);
  });

  it('a deleted last item keeps its ID taken', async () => {
    const a = await ok(server, 'crm.quote.add', { fields: { TITLE: 'a' } });
    await ok(server, 'crm.quote.delete', { id: a });
    expect(await ok(server, 'crm.quote.add', { fields: { TITLE: 'b' } })).toBe(a + 1);
  });

  it('the built-in sources are 1-6 and the first custom source is 7', async () => {
    const sources = await server.services.db.selectFrom('tracking_sources').select(['id', 'code']).orderBy('id').execute();
    expect(sources.map((source) => source.id)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(await ok(server, 'salestrace.source.add', { fields: { NAME: 'Newsletter' } })).toBe(7);
  });
});

describe('numbers outside a column', () => {
  it('a webhook path naming a user beyond 32 bits is an unknown user', async () => {
    for (const user of ['3000000000', '9999999999999999']) {
      const answer = await request(`${server.httpUrl}/rest/${user}/${server.secret}/profile`);
      expect(answer.status).toBe(401);
      expect(answer.body).toEqual({ error: 'INVALID_CREDENTIALS', error_description: 'Invalid request credentials' });
    }
  });

  it('trace IDs and dates out of range find nothing', async () => {
    const trace = await ok(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify({ url: 'https://range.example/' }) });
    for (const id of [3_000_000_000, '99999999999999999999', 1e19]) {
      expect((await callJson(server, 'crm.tracking.trace.delete', { id })).body.result).toBeNull();
    }
    expect((await callJson(server, 'salestrace.trace.get', { id: trace })).status).toBe(200);
    const late = await callJson(server, 'salestrace.trace.list', { filter: { '>=DATE_CREATE': 1e19 } });
    expect([late.status, late.body.result, late.body.total]).toEqual([200, [], 0]);
    const early = await callJson(server, 'salestrace.trace.list', { filter: { '<=DATE_CREATE': '-99999999999999999999' } });
    expect([early.status, early.body.result, early.body.total]).toEqual([200, [], 0]);
    const all = await callJson(server, 'salestrace.trace.list', { filter: { '>=DATE_CREATE': -1e19, '<=DATE_CREATE': 1e19 } });
    expect(all.body.result.map((row: any) => row.ID)).toContain(trace);
  });

  it('a start beyond every row gives an empty page', async () => {
    for (const start of [1e19, '99999999999999999999']) {
      const answer = await callJson(server, 'crm.lead.list', { start });
      expect(answer.status).toBe(200);
      expect(answer.body.result).toEqual([]);
      expect(answer.body.next).toBeUndefined();
    }
  });
});

describe('the database itself', () => {
  it('/healthz names the backend the suite runs on', async () => {
    const answer = await request(`${server.httpUrl}/healthz`);
    expect(answer.body).toEqual({ status: 'ok', database: 'ok', dialect: server.services.dbHelpers.name, version: expect.any(String) });
    expect(server.services.dbHelpers.name).toBe(process.env.TEST_DB === 'postgres' ? 'postgres' : 'sqlite');
  });

  it('salestrace_lower folds case by Unicode rules on the backend itself', async () => {
    const folded = await sql<{ value: string }>`select salestrace_lower(${'ÀÉÎ ΣΟΦΊΑ ИВАН Straße'}) as value`.execute(server.services.db);
    expect(folded.rows[0].value).toBe('àéî σοφία иван straße');
  });
});
