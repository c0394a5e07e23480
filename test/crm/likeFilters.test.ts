// LIKE filters (`%`, `=%`, `%=` and their negations) give the same answers on SQLite and
// PostgreSQL for every escaping edge, values longer than a column keeps are refused with a
// clear error, and the matching cost of the longest allowed value stays small.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { crmSnapshot, ok } from './helpers.js';

let server: TestServer;

/** Deals 1-7: titles that hold the LIKE metacharacters and the escape character. */
const TITLES = ['a\\b', 'a_b', 'axb', '100%', '100 percent', 'back\\', 'two\\\\'];

beforeAll(async () => {
  server = await startTestServer();
  for (const TITLE of TITLES) await ok(server, 'crm.deal.add', { fields: { TITLE } });
  await ok(server, 'crm.contact.add', { fields: { NAME: 'Phoned', PHONE: [{ VALUE: '+7 900 111' }] } });
});
afterAll(async () => {
  await server.close();
});

async function legacyIds(filter: Record<string, unknown>): Promise<number[]> {
  const rows = await ok(server, 'crm.deal.list', { filter, order: { ID: 'ASC' }, select: ['ID'] });
  return rows.map((row: any) => Number(row.ID));
}

async function itemIds(filter: Record<string, unknown>): Promise<number[]> {
  const result = await ok(server, 'crm.item.list', { entityTypeId: 2, filter, order: { id: 'ASC' }, select: ['id'] });
  return result.items.map((item: any) => item.id);
}

describe('escaping: both databases answer alike', () => {
  // [description, operator, value, expected deal IDs]
  const cases: [string, string, string, number[]][] = [
    // MySQL reads a `\` that ends a pattern as itself; SQLite matched nothing, PostgreSQL failed.
    ['=% ending in a lone backslash matches that backslash', '=%', 'back\\', [6]],
    ['%= ending in a lone backslash, after a wildcard', '%=', '%\\', [6, 7]],
    ['=% ending in an escaped backslash', '=%', 'back\\\\', [6]],
    ['=% ending in three backslashes: one pair and a lone one', '=%', 'two\\\\\\', [7]],
    ['=% escaped backslash inside', '=%', 'a\\\\b', [1]],
    ['=% _ is any one character', '=%', 'a_b', [1, 2, 3]],
    ['=% escaped _ is literal', '=%', 'a\\_b', [2]],
    ['=% % is any run', '=%', '100%', [4, 5]],
    ['=% escaped % is literal', '=%', '100\\%', [4]],
    ['=% a backslash before an ordinary letter takes it literally', '=%', 'a\\xb', [3]],
    ['!=% with a lone trailing backslash', '!=%', 'back\\', [1, 2, 3, 4, 5, 7]],
    ['% takes a backslash literally', '%', '\\', [1, 6, 7]],
    ['% takes a lone trailing backslash literally', '%', 'k\\', [6]],
    ['% takes % literally', '%', '0%', [4]],
    ['% takes _ literally', '%', '_', [2]],
    ['!% takes a backslash literally', '!%', '\\', [2, 3, 4, 5]],
  ];

  it.each(cases)('%s', async (_description, operator, value, expected) => {
    expect(await legacyIds({ [`${operator}TITLE`]: value })).toEqual(expected);
    expect(await itemIds({ [`${operator}title`]: value })).toEqual(expected);
  });

  it('legacy PHONE patterns read a lone trailing backslash the same way', async () => {
    const phoned = async (value: string) => ok(server, 'crm.contact.list', { filter: { PHONE: value }, select: ['ID'] });
    expect(await phoned('+7 900%')).toEqual([{ ID: '1' }]);
    expect(await phoned('+7 900 111\\')).toEqual([]);
  });
});

/** What MySQL's LIKE (escape `\`, case folded) finds among TITLES: the reference for both databases. */
function mysqlMatches(pattern: string): number[] {
  let source = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\' && i + 1 < pattern.length) source += escapeRegExp(pattern[++i]);
    else if (c === '%') source += '[\\s\\S]*';
    else if (c === '_') source += '[\\s\\S]';
    else source += escapeRegExp(c);
  }
  const regex = new RegExp(`^${source}$`);
  return TITLES.flatMap((title, i) => (regex.test(title.toLowerCase()) ? [i + 1] : []));
}

function escapeRegExp(text: string): string {
  return text.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

describe('any pattern of the metacharacters', () => {
  // Single characters, and pieces of the titles so that patterns often match a whole title.
  const piece = fc.constantFrom('a', 'B', 'x', '1', '0', ' ', '\\', '%', '_', '%\\', 'back', 'two', '100');
  const pattern = fc.array(piece, { maxLength: 6 }).map((parts) => parts.join(''));

  it('=% finds what MySQL finds, and % takes the value literally, on both conventions', async () => {
    await fc.assert(
      fc.asyncProperty(pattern, async (value) => {
        const expected = mysqlMatches(value);
        expect(await legacyIds({ '=%TITLE': value }), `=%TITLE ${JSON.stringify(value)}`).toEqual(expected);
        expect(await itemIds({ '!=%title': value }), `!=%title ${JSON.stringify(value)}`).toEqual([1, 2, 3, 4, 5, 6, 7].filter((id) => !expected.includes(id)));
        const literal = TITLES.flatMap((title, i) => (title.toLowerCase().includes(value.toLowerCase()) ? [i + 1] : []));
        expect(await itemIds({ '%title': value }), `%title ${JSON.stringify(value)}`).toEqual(literal);
      }),
      { numRuns: 300 },
    );
  }, 120_000);
});

describe('values longer than the column keeps', () => {
  const legacyTooLong = (field: string, limit: number) => ({
    error: '',
    error_description: `Invalid filter: the value of field '${field}' is longer than ${limit} characters`,
  });
  const itemTooLong = (field: string, limit: number) => ({
    error: 'INVALID_ARG_VALUE',
    error_description: `Invalid filter: the value of field '${field}' is longer than ${limit} characters`,
  });

  // [description, legacy filter, crm.item filter, field names, limit]
  const cases: [string, Record<string, unknown>, Record<string, unknown>, [string, string], number][] = [
    ['a string field compared', { TITLE: 'x'.repeat(256) }, { title: 'x'.repeat(256) }, ['TITLE', 'title'], 255],
    ['a string field searched', { '%TITLE': 'x'.repeat(256) }, { '%title': 'x'.repeat(256) }, ['TITLE', 'title'], 255],
    ['a list item', { '@TITLE': ['Beta', 'x'.repeat(256)] }, { '@title': ['Beta', 'x'.repeat(256)] }, ['TITLE', 'title'], 255],
    ['free text compared', { '!COMMENTS': 'x'.repeat(65536) }, { '!=comments': 'x'.repeat(65536) }, ['COMMENTS', 'comments'], 65535],
    // Over 50 000 bytes SQLite refused the pattern (500); a LIKE value is capped below the column.
    ['free text searched', { '%COMMENTS': 'x'.repeat(50001) }, { '%comments': 'x'.repeat(50001) }, ['COMMENTS', 'comments'], 255],
    ['free text pattern', { '=%COMMENTS': '%'.repeat(256) }, { '=%comments': '%'.repeat(256) }, ['COMMENTS', 'comments'], 255],
    ['a negated pattern', { '!%=COMMENTS': 'x'.repeat(256) }, { '!%=comments': 'x'.repeat(256) }, ['COMMENTS', 'comments'], 255],
    ['a UTM value compared', { UTM_SOURCE: 'x'.repeat(601) }, { utmSource: 'x'.repeat(601) }, ['UTM_SOURCE', 'utmSource'], 600],
    ['a UTM value searched', { '%UTM_SOURCE': 'x'.repeat(256) }, { '%utmSource': 'x'.repeat(256) }, ['UTM_SOURCE', 'utmSource'], 255],
  ];

  it.each(cases)('%s', async (_description, legacy, item, [legacyName, itemName], limit) => {
    const before = await crmSnapshot(server);
    const legacyAnswer = await callJson(server, 'crm.deal.list', { filter: legacy });
    expect([legacyAnswer.status, legacyAnswer.body]).toEqual([400, legacyTooLong(legacyName, limit)]);
    const itemAnswer = await callJson(server, 'crm.item.list', { entityTypeId: 2, filter: item });
    expect([itemAnswer.status, itemAnswer.body]).toEqual([400, itemTooLong(itemName, limit)]);
    expect(await crmSnapshot(server)).toEqual(before);
  });

  it('a legacy multi-field value (a LIKE pattern) is capped at its 250 characters', async () => {
    const answer = await callJson(server, 'crm.contact.list', { filter: { PHONE: '1'.repeat(251) } });
    expect([answer.status, answer.body]).toEqual([400, legacyTooLong('PHONE', 250)]);
    expect(await ok(server, 'crm.contact.list', { filter: { PHONE: '1'.repeat(250) } })).toEqual([]);
  });

  it('a value exactly at the limit is searched', async () => {
    expect(await legacyIds({ TITLE: 'x'.repeat(255) })).toEqual([]);
    expect(await itemIds({ '%title': 'x'.repeat(255) })).toEqual([]);
    expect(await legacyIds({ '!COMMENTS': 'x'.repeat(65535) })).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(await itemIds({ '=%comments': '%'.repeat(255) })).toEqual([]);
    expect(await legacyIds({ '%UTM_SOURCE': 'x'.repeat(255) })).toEqual([]);
  });
});

describe('matching cost', () => {
  it('the longest allowed search over three 64 KiB comments answers quickly', async () => {
    // The review's case: a 49 kB pattern over three 65 kB comments held SQLite for 11 s.
    const long = await startTestServer();
    try {
      for (let i = 0; i < 3; i++) await ok(long, 'crm.deal.add', { fields: { TITLE: `long ${i}`, COMMENTS: 'a'.repeat(65535) } });
      // Every position of the comment matches all but the last character of the value.
      const worst = `${'a'.repeat(253)}b`;
      for (const filter of [{ '%COMMENTS': worst }, { '=%COMMENTS': `%${worst}` }]) {
        const startedAt = performance.now();
        // start=-1: one query, no count (rest-protocol.md §6).
        const answer = await callJson(long, 'crm.deal.list', { filter, select: ['ID'], start: -1 });
        const elapsed = performance.now() - startedAt;
        expect([answer.status, answer.body.result]).toEqual([200, []]);
        // About 100 ms on an idle machine. A cap at the column's size would allow a value whose
        // search takes seconds per row; the review's 49 kB pattern took 11 s for the three.
        expect(elapsed).toBeLessThan(1500);
      }
      const refused = await callJson(long, 'crm.deal.list', { filter: { '%COMMENTS': `${'a'.repeat(48_999)}b` } });
      expect(refused.status).toBe(400);
    } finally {
      await long.close();
    }
  });
});
