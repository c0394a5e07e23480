// salestrace.expense.{add,list,delete,import} and `salestrace expense`: the daily split of the
// reference (§4.2) pinned row by row, the no-op cases, the currency rule, the refusals that name
// their parameter and change nothing, and administrators only.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCurrencyRate } from '../../src/analytics/currency.js';
import { runCli } from '../cli/inProcess.js';
import { userWithGrants, type TestUser } from '../crm/helpers.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let nobody: TestUser;

beforeAll(async () => {
  server = await startTestServer();
  nobody = await userWithGrants(server, null);
});
afterAll(async () => {
  await server.close();
});

async function ok(method: string, params: unknown): Promise<any> {
  const answer = await callJson(server, method, params);
  expect(answer.status, answer.text).toBe(200);
  return answer.body.result;
}

async function dailyRows(packId: number) {
  const rows = await server.services.db
    .selectFrom('analytics_expenses')
    .select(['date_stat', 'expenses_cents', 'actions', 'source_id', 'type_id', 'currency_id', 'source_child_id'])
    .where('pack_id', '=', packId)
    .orderBy('date_stat')
    .execute();
  return rows.map((r) => [r.date_stat, Number(r.expenses_cents), Number(r.actions), Number(r.source_id), Number(r.type_id), r.currency_id, Number(r.source_child_id)]);
}

async function counts() {
  const packs = await server.services.db.selectFrom('analytics_expense_packs').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const rows = await server.services.db.selectFrom('analytics_expenses').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return [Number(packs.n), Number(rows.n)];
}

async function refused(method: string, params: unknown, body: unknown, base?: string, status = 400) {
  const before = await counts();
  const answer = await callJson(server, method, params, base);
  expect(answer.status, answer.text).toBe(status);
  expect(answer.body).toEqual(body);
  expect(await counts()).toEqual(before);
}

describe('salestrace.expense.add', () => {
  it('splits 100.00 over 3 days with the cent left over on day 1, and 10 actions as 4/3/3', async () => {
    const id = await ok('salestrace.expense.add', { sourceId: 1, from: '2026-03-01', to: '2026-03-03', sum: '100', currency: 'USD', actions: 10, comment: 'March' });
    expect(typeof id).toBe('number');
    expect(await dailyRows(id)).toEqual([
      ['2026-03-01', 3334, 4, 1, 0, 'USD', 0],
      ['2026-03-02', 3333, 3, 1, 0, 'USD', 0],
      ['2026-03-03', 3333, 3, 1, 0, 'USD', 0],
    ]);
    const pack = await server.services.db.selectFrom('analytics_expense_packs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
    expect([pack.date_from, pack.date_to, Number(pack.expenses_cents), Number(pack.actions), pack.comment, Number(pack.type_id)]).toEqual(['2026-03-01', '2026-03-03', 10000, 10, 'March', 0]);
  });

  it('takes a negative remainder off day 1: 0.05 over 2 days is 0.02 + 0.03', async () => {
    const id = await ok('salestrace.expense.add', { sourceId: 2, from: '2026-03-01', to: '2026-03-02', sum: 0.05, currency: 'usd' });
    expect(await dailyRows(id)).toEqual([
      ['2026-03-01', 2, 0, 2, 0, 'USD', 0],
      ['2026-03-02', 3, 0, 2, 0, 'USD', 0],
    ]);
  });

  it('splits across a month end and a leap day, one row per calendar day', async () => {
    const id = await ok('salestrace.expense.add', { sourceId: 1, from: '2028-02-28', to: '2028-03-01', sum: '10.01', currency: 'USD', actions: 2 });
    expect(await dailyRows(id)).toEqual([
      // 10.01 / 3 = 3.3367 rounds up to 3.34, so day 1 gives back the extra cent.
      ['2028-02-28', 333, 2, 1, 0, 'USD', 0],
      ['2028-02-29', 334, 0, 1, 0, 'USD', 0],
      ['2028-03-01', 334, 0, 1, 0, 'USD', 0],
    ]);
  });

  it('does nothing for a zero sum, `from` after `to`, or more than 365 days', async () => {
    const before = await counts();
    expect(await ok('salestrace.expense.add', { sourceId: 1, from: '2026-03-01', to: '2026-03-02', sum: '0', currency: 'USD' })).toBeNull();
    expect(await ok('salestrace.expense.add', { sourceId: 1, from: '2026-03-02', to: '2026-03-01', sum: '5', currency: 'USD' })).toBeNull();
    expect(await ok('salestrace.expense.add', { sourceId: 1, from: '2025-01-01', to: '2026-01-01', sum: '5', currency: 'USD' })).toBeNull();
    expect(await counts()).toEqual(before);
    // 365 days is still one pack.
    const id = await ok('salestrace.expense.add', { sourceId: 1, from: '2025-01-01', to: '2025-12-31', sum: '365', currency: 'USD' });
    expect((await dailyRows(id)).length).toBe(365);
    await ok('salestrace.expense.delete', { id });
  });

  it('refuses bad parameters with ERROR_ARGUMENT naming them, and writes nothing', async () => {
    const base = { sourceId: 1, from: '2026-03-01', to: '2026-03-02', sum: '5', currency: 'USD' };
    const arg = (description: string, argument: string) => ({ error: 'ERROR_ARGUMENT', error_description: description, argument });
    await refused('salestrace.expense.add', { ...base, sourceId: undefined }, arg('Parameter `sourceId` is required.', 'sourceId'));
    await refused('salestrace.expense.add', { ...base, sourceId: 'x' }, arg('Parameter `sourceId` must be a source ID.', 'sourceId'));
    await refused('salestrace.expense.add', { ...base, sourceId: 999 }, { error: 'SOURCE_NOT_FOUND', error_description: 'Source with ID `999` not found.', argument: 'sourceId' });
    await refused('salestrace.expense.add', { ...base, from: '2026-02-30' }, arg('Parameter `from` must be a date (YYYY-MM-DD).', 'from'));
    await refused('salestrace.expense.add', { ...base, to: undefined }, arg('Parameter `to` is required.', 'to'));
    await refused('salestrace.expense.add', { ...base, sum: '-1' }, arg('Parameter `sum` must be a number from 0 to 999999999999.99.', 'sum'));
    await refused('salestrace.expense.add', { ...base, sum: undefined }, arg('Parameter `sum` is required.', 'sum'));
    await refused('salestrace.expense.add', { ...base, currency: 'dollar' }, arg('Parameter `currency` must be a three-letter currency code.', 'currency'));
    await refused('salestrace.expense.add', { ...base, actions: '1.5' }, arg('Parameter `actions` must be a whole number from 0 to 1000000000000.', 'actions'));
    await refused('salestrace.expense.add', { ...base, comment: 'x'.repeat(256) }, arg('Parameter `comment` must be a string of at most 255 characters.', 'comment'));
    await refused(
      'salestrace.expense.add',
      { ...base, currency: 'EUR' },
      arg('No rate converts EUR to the account currency USD; set one with `salestrace analytics settings --rate`.', 'currency'),
    );
  });

  it('takes another currency once a rate is configured', async () => {
    await writeCurrencyRate(server.services.db, 'EUR', 1.1);
    const id = await ok('salestrace.expense.add', { sourceId: 1, from: '2026-04-01', to: '2026-04-01', sum: '7.5', currency: 'EUR' });
    expect(await dailyRows(id)).toEqual([['2026-04-01', 750, 0, 1, 0, 'EUR', 0]]);
    await ok('salestrace.expense.delete', { id });
    await writeCurrencyRate(server.services.db, 'EUR', null);
  });

  it('is for administrators only', async () => {
    await refused('salestrace.expense.add', { sourceId: 1, from: '2026-03-01', to: '2026-03-02', sum: '5', currency: 'USD' }, { error: 'ACCESS_DENIED', error_description: 'Access denied!' }, nobody.base, 403);
    await refused('salestrace.expense.list', {}, { error: 'ACCESS_DENIED', error_description: 'Access denied!' }, nobody.base, 403);
    await refused('salestrace.report.sources', {}, { error: 'ACCESS_DENIED', error_description: 'Access denied!' }, nobody.base, 403);
  });
});

describe('salestrace.expense.list and .delete', () => {
  it('lists packs by source and period, and deletes a whole pack', async () => {
    const all = await callJson(server, 'salestrace.expense.list', {});
    expect(all.status).toBe(200);
    const march = await callJson(server, 'salestrace.expense.list', { sourceId: 1, from: '2026-03-02', to: '2026-03-31' });
    expect(march.body.total).toBe(1);
    expect(march.body.result).toEqual([
      {
        ID: march.body.result[0].ID,
        SOURCE_ID: 1,
        TYPE_ID: 0,
        DATE_FROM: '2026-03-01',
        DATE_TO: '2026-03-03',
        ACTIONS: 10,
        IMPRESSIONS: 0,
        EXPENSES: '100.00',
        CURRENCY_ID: 'USD',
        COMMENT: 'March',
        DATE_INSERT: march.body.result[0].DATE_INSERT,
      },
    ]);
    expect(march.body.result[0].DATE_INSERT).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    expect((await callJson(server, 'salestrace.expense.list', { from: '2026-03-04', to: '2026-03-31' })).body.result).toEqual([]);

    const id = march.body.result[0].ID;
    expect(await ok('salestrace.expense.delete', { id })).toBe(true);
    expect(await dailyRows(id)).toEqual([]);
    await refused('salestrace.expense.delete', { id }, { error: 'NOT_FOUND', error_description: `Expense pack with ID \`${id}\` not found.` });
    await refused('salestrace.expense.delete', { id: 'abc' }, { error: 'ERROR_ARGUMENT', error_description: 'Parameter `id` must be a positive integer.', argument: 'id' });
  });
});

describe('salestrace.expense.import', () => {
  it('writes keyword rows (TYPE_ID 1) under campaign, ad group and keyword children', async () => {
    const rows = [
      { date: '2026-05-01', campaign: '1234567', campaignTitle: 'Spring', adGroup: '7654321', keyword: '111111', impressions: 1000, clicks: 50, cost: '12.34' },
      { date: '2026-05-02', campaign: '1234567', adGroup: '7654321', keyword: '222222', impressions: 500, clicks: 5, cost: 1 },
    ];
    const id = await ok('salestrace.expense.import', { sourceId: 1, currency: 'USD', rows });
    const children = await server.services.db.selectFrom('analytics_source_children').selectAll().orderBy('id').execute();
    expect(children.map((c) => [Number(c.level), c.code, c.title, Number(c.parent_id)])).toEqual([
      [0, '1234567', 'Spring', 0],
      [1, '7654321', '', Number(children[0].id)],
      [100, '111111', '', Number(children[1].id)],
      [100, '222222', '', Number(children[1].id)],
    ]);
    expect(await dailyRows(id)).toEqual([
      ['2026-05-01', 1234, 50, 1, 1, 'USD', Number(children[2].id)],
      ['2026-05-02', 100, 5, 1, 1, 'USD', Number(children[3].id)],
    ]);
    const listed = (await callJson(server, 'salestrace.expense.list', { sourceId: 1, from: '2026-05-01', to: '2026-05-01' })).body.result;
    expect(listed.map((p: any) => [p.TYPE_ID, p.DATE_FROM, p.DATE_TO, p.ACTIONS, p.IMPRESSIONS, p.EXPENSES])).toEqual([[1, '2026-05-01', '2026-05-02', 55, 1500, '13.34']]);

    await refused('salestrace.expense.import', { sourceId: 1, currency: 'USD', rows: [] }, { error: 'ERROR_ARGUMENT', error_description: 'Parameter `rows` must be a list of 1 to 5000 rows.', argument: 'rows' });
    await refused(
      'salestrace.expense.import',
      { sourceId: 1, currency: 'USD', rows: [{ ...rows[0], keyword: '' }] },
      { error: 'ERROR_ARGUMENT', error_description: 'Parameter `rows[0][keyword]` is required.', argument: 'rows[0][keyword]' },
    );
    await refused(
      'salestrace.expense.import',
      { sourceId: 1, currency: 'USD', rows: [rows[0], { ...rows[1], date: '2027-06-01' }] },
      { error: 'ERROR_ARGUMENT', error_description: 'The period from 2026-05-01 to 2027-06-01 is longer than 365 days.', argument: 'rows' },
    );
  });
});

describe('salestrace expense (CLI)', () => {
  async function cli(...args: string[]) {
    const url = server.services.config.databaseUrl;
    const where = url ? ['--data', server.dataDir, '--database-url', url] : ['--data', server.dataDir];
    return runCli([...args, ...where]);
  }

  it('adds, lists, imports a CSV file and deletes', async () => {
    const added = await cli('expense', 'add', '--source', '2', '--from', '2026-07-01', '--to', '2026-07-02', '--sum', '3', '--currency', 'USD', '--actions', '3');
    expect(added.stderr).toBe('');
    const id = Number(/^expense pack (\d+) added\n$/.exec(added.stdout)?.[1]);
    expect(await dailyRows(id)).toEqual([
      ['2026-07-01', 150, 2, 2, 0, 'USD', 0],
      ['2026-07-02', 150, 1, 2, 0, 'USD', 0],
    ]);
    const listed = await cli('expense', 'list', '--source', '2', '--from', '2026-07-01');
    expect(listed.stdout).toContain(`${id}   2       0        2026-07-01  2026-07-02  3        0            3.00`);

    const file = path.join(server.dataDir, 'ads.csv');
    fs.writeFileSync(file, 'date,campaign,ad_group,keyword,impressions,clicks,cost\n2026-07-03,"555555",666666,777777,10,2,"1.50"\n');
    const imported = await cli('expense', 'import', file, '--source', '2', '--currency', 'USD');
    expect(imported.stderr).toBe('');
    const importId = Number(/^expense pack (\d+) imported \(1 rows\)\n$/.exec(imported.stdout)?.[1]);
    expect((await dailyRows(importId)).map((r) => r.slice(0, 5))).toEqual([['2026-07-03', 150, 2, 2, 1]]);

    fs.writeFileSync(file, 'date,campaign\n2026-07-03,1\n');
    const bad = await cli('expense', 'import', file, '--source', '2', '--currency', 'USD');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('the CSV header must name date, campaign, ad_group, keyword, impressions, clicks and cost');

    const refusedAdd = await cli('expense', 'add', '--source', '2', '--from', '2026-07-01', '--to', '2026-07-02', '--sum', '3', '--currency', 'GBP');
    expect(refusedAdd.code).toBe(1);
    expect(refusedAdd.stderr).toContain('no rate converts GBP to USD');

    expect((await cli('expense', 'delete', String(id))).stdout).toBe(`expense pack ${id} deleted\n`);
    expect(await dailyRows(id)).toEqual([]);
  });
});
