// crm.tracking.trace.add over real sockets: every row of the docs' error table that needs no
// CRM item, the validation order, the parsing rules as they read back, limits, and batch.
// Binding real CRM items is in crmItems.test.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { formatDateC } from '../../src/rest/time.js';
import { PREVIOUS_MAX_DEPTH, TRACE_MAX_BYTES } from '../../src/tracking/parseTrace.js';
import { callForm, callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { addTrace, expectNoOrphans, getTrace, trackingCounts, userWebhook } from './helpers.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
let server: TestServer;

beforeAll(async () => {
  server = await startTestServer({ manualClock: new ManualClock(NOW) });
  // google recognises utm_source=google; fb (built in) has the social referrer domains.
  const configured = await callJson(server, 'salestrace.source.update', { id: 1, fields: { UTM_SOURCE: ['google', 'google-maps'] } });
  expect(configured.body).toMatchObject({ result: true });
});
afterAll(async () => {
  await server.close();
});

function coreErrorBody(description: string) {
  return { error: 'ERROR_CORE', error_description: description };
}

async function expectRefused(params: unknown, description: string, base?: string): Promise<void> {
  const before = await trackingCounts(server);
  const answer = await callJson(server, 'crm.tracking.trace.add', params, base);
  expect(answer.status, answer.text).toBe(400);
  expect(answer.body).toEqual(coreErrorBody(description));
  expect(await trackingCounts(server)).toEqual(before);
}

const TRACE = JSON.stringify({ tags: { list: { utm_source: 'google-maps' } } });
const WRONG_TYPE = 'Wrong TYPE in parameter `ENTITIES`. Allowed types: COMPANY,CONTACT,DEAL,LEAD,QUOTE';
const WRONG_ID = 'Wrong ID in parameter `ENTITIES`.';

describe('the error table', () => {
  it('Parameter `TRACE` required: missing or empty in the PHP sense', async () => {
    for (const params of [{}, { TRACE: '' }, { TRACE: '0' }, { TRACE: 0 }, { TRACE: false }, { TRACE: [] }, { TRACE: null }, { trace: TRACE }]) {
      await expectRefused(params, 'Parameter `TRACE` required.');
    }
  });

  it('Can not parse JSON in parameter `TRACE`', async () => {
    for (const trace of ['{', 'abc', "{'a':1}", '{"tags":{"list":{"utm_source":"x"}}', ' ', { tags: { list: { utm_source: 'x' } } }]) {
      await expectRefused({ TRACE: trace }, 'Can not parse JSON in parameter `TRACE`.');
    }
  });

  it('Wrong TYPE: not one of the five, exactly and case-sensitively', async () => {
    for (const entity of [{ TYPE: 'contact', ID: 1 }, { TYPE: 'SPA', ID: 1 }, { ID: 1 }, { TYPE: 3, ID: 1 }, { TYPE: '', ID: 1 }, { TYPE: 'CONTACT ', ID: 1 }, 'CONTACT', ['CONTACT', 1], { TYPE: 'toString', ID: 1 }]) {
      await expectRefused({ TRACE, ENTITIES: [entity] }, WRONG_TYPE);
    }
  });

  it('Wrong ID: anything but a positive integer', async () => {
    for (const id of ['1e3', -1, '-1', 0, '0', 'abc', '', ' 7', '7 ', '017', 1.5, '1.0', 2147483648, '99999999999', null, [1], true]) {
      await expectRefused({ TRACE, ENTITIES: [{ TYPE: 'CONTACT', ID: id }] }, WRONG_ID);
    }
    await expectRefused({ TRACE, ENTITIES: [{ TYPE: 'DEAL' }] }, WRONG_ID);
  });

  it('You have no access to entity: a user without rights on the item', async () => {
    // No such items exist, and this user has no CRM rights at all.
    const user = await userWebhook(server, { admin: false });
    await expectRefused({ TRACE, ENTITIES: [{ TYPE: 'CONTACT', ID: 17 }] }, 'You have no access to entity `CONTACT` with ID `17`.', user);
    await expectRefused({ TRACE, ENTITIES: [{ TYPE: 'QUOTE', ID: '5' }] }, 'You have no access to entity `QUOTE` with ID `5`.', user);
  });
});

describe('the validation order', () => {
  it('checks TRACE before ENTITIES and the JSON before ENTITIES', async () => {
    await expectRefused({ ENTITIES: [{ TYPE: 'x' }] }, 'Parameter `TRACE` required.');
    await expectRefused({ TRACE: '{', ENTITIES: [{ TYPE: 'x' }] }, 'Can not parse JSON in parameter `TRACE`.');
  });

  it('checks each element fully (TYPE, ID, access) before the next one', async () => {
    await expectRefused({ TRACE, ENTITIES: [{ TYPE: 'x', ID: 'y' }] }, WRONG_TYPE);
    await expectRefused({ TRACE, ENTITIES: [{ TYPE: 'LEAD', ID: 'y' }, { TYPE: 'x', ID: 1 }] }, WRONG_ID);
    const user = await userWebhook(server, { admin: false });
    await expectRefused({ TRACE, ENTITIES: [{ TYPE: 'LEAD', ID: 4 }, { TYPE: 'x', ID: 1 }] }, 'You have no access to entity `LEAD` with ID `4`.', user);
    await expectRefused({ TRACE, ENTITIES: [{ TYPE: 'x', ID: 1 }, { TYPE: 'LEAD', ID: 4 }] }, WRONG_TYPE, user);
  });

  it('refuses ENTITIES that is not an array but takes an empty one as none', async () => {
    for (const entities of ['CONTACT', 17, true, '17']) {
      await expectRefused({ TRACE, ENTITIES: entities }, 'Parameter `ENTITIES` must be a list of objects with TYPE and ID.');
    }
    for (const entities of ['', [], '0', null]) {
      const id = await addTrace(server, TRACE, entities);
      expect((await getTrace(server, id)).ENTITIES).toEqual([]);
    }
  });
});

describe('creating', () => {
  it('returns the new ID as an integer', async () => {
    const answer = await callJson(server, 'crm.tracking.trace.add', { TRACE });
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/^\{"result":\d+,"time":\{/);
    const next = await callJson(server, 'crm.tracking.trace.add', { TRACE });
    expect(next.body.result).toBe(answer.body.result + 1);
  });

  it('lets any user with the crm scope create a trace without ENTITIES', async () => {
    const user = await userWebhook(server, { admin: false });
    const answer = await callJson(server, 'crm.tracking.trace.add', { TRACE }, user);
    expect(answer.status).toBe(200);
    expect(Number.isInteger(answer.body.result)).toBe(true);
  });

  it('needs the crm scope', async () => {
    const user = await userWebhook(server, { admin: true, scopes: ['user'] });
    const answer = await callJson(server, 'crm.tracking.trace.add', { TRACE }, user);
    expect(answer.status).toBe(401);
    expect(answer.body.error).toBe('insufficient_scope');
  });

  it('passes validation for an admin and quietly skips items that do not exist (§2.6 step 5)', async () => {
    const id = await addTrace(server, TRACE, [{ TYPE: 'CONTACT', ID: 17 }, { TYPE: 'LEAD', ID: '1000739' }, { TYPE: 'QUOTE', ID: 3 }]);
    const trace = await getTrace(server, id);
    expect(trace.ENTITIES).toEqual([]);
    expect(trace.SOURCE).toEqual({ ID: 1, CODE: 'google', NAME: 'Google Ads' });
  });

  it('accepts a form-encoded call with ENTITIES in bracket syntax', async () => {
    const form = `TRACE=${encodeURIComponent(TRACE)}&ENTITIES[0][TYPE]=DEAL&ENTITIES[0][ID]=5`;
    const answer = await callForm(server, 'crm.tracking.trace.add', form);
    expect(answer.status, answer.text).toBe(200);
    const wrong = await callForm(server, 'crm.tracking.trace.add', `TRACE=${encodeURIComponent(TRACE)}&ENTITIES[0][TYPE]=DEAL&ENTITIES[0][ID]=1e3`);
    expect(wrong.body).toEqual(coreErrorBody(WRONG_ID));
  });
});

describe('what the trace reads back', () => {
  it('stores a full browser trace faithfully', async () => {
    const browserTrace = {
      url: 'https://Shop.Example.com/catalog?utm_source=google',
      ref: 'https://www.facebook.com/ads/1',
      device: { isMobile: true },
      tags: { ts: 1767000000, list: { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'winter' }, gclid: 'abc' },
      client: { gaId: 'GA1.1', yaId: '123' },
      pages: { list: [['https://shop.example.com/catalog', 1767000100, 'Catalog'], ['https://shop.example.com/item/5', 1767000200, 'Item 5']] },
      gid: 'guest-1',
      previous: {
        list: [
          {
            url: 'https://shop.example.com/',
            ref: 'https://instagram.com/p/1',
            tags: { ts: 1766000000, list: { utm_source: 'newsletter' } },
            pages: { list: [['https://shop.example.com/', 1766000050, 'Home']] },
            device: { isMobile: false },
          },
        ],
      },
      channels: [{ code: 'call', value: '+7 999 000-11-22' }, { code: 'unknown-code', value: 'x' }],
    };
    const id = await addTrace(server, browserTrace);
    const trace = await getTrace(server, id);
    const previousId = trace.PREVIOUS_IDS[0];
    expect(previousId).toBe(id - 1); // previous traces are saved first, as in Bitrix
    expect(trace).toEqual({
      ID: id,
      DATE_CREATE: formatDateC(NOW / 1000),
      SOURCE_ID: 1,
      SOURCE: { ID: 1, CODE: 'google', NAME: 'Google Ads' },
      IS_MOBILE: 'Y',
      TAGS: { UTM_SOURCE: 'google', UTM_MEDIUM: 'cpc', UTM_CAMPAIGN: 'winter' },
      PAGES: [
        { URL: 'https://www.facebook.com/ads/1', DATE_INSERT: 1767000100, TITLE: 'www.facebook.com', IS_REF: 'Y' },
        { URL: 'https://shop.example.com/catalog', DATE_INSERT: 1767000100, TITLE: 'Catalog', IS_REF: 'N' },
        { URL: 'https://shop.example.com/item/5', DATE_INSERT: 1767000200, TITLE: 'Item 5', IS_REF: 'N' },
      ],
      CHANNELS: [
        { CODE: 'site-domain', VALUE: 'shop.example.com' },
        { CODE: 'call', VALUE: '79990001122' },
      ],
      ENTITIES: [],
      PARENT_IDS: [],
      PREVIOUS_IDS: [previousId],
      PREVIOUS: [
        {
          ID: previousId,
          // tags.ts dates a previous trace
          DATE_CREATE: formatDateC(1766000000),
          // utm_source "newsletter" matches nothing, so the referrer decides: instagram (social domain)
          SOURCE_ID: 3,
          SOURCE: { ID: 3, CODE: 'instagram', NAME: 'Instagram' },
          IS_MOBILE: 'N',
          TAGS: { UTM_SOURCE: 'newsletter' },
          PAGES: [
            { URL: 'https://instagram.com/p/1', DATE_INSERT: 1766000050, TITLE: 'instagram.com', IS_REF: 'Y' },
            { URL: 'https://shop.example.com/', DATE_INSERT: 1766000050, TITLE: 'Home', IS_REF: 'N' },
          ],
          CHANNELS: [{ CODE: 'site-domain', VALUE: 'shop.example.com' }],
          ENTITIES: [],
          PARENT_IDS: [id],
          PREVIOUS_IDS: [],
          PREVIOUS: [],
        },
      ],
    });
  });

  it('gives an empty, organic trace for scalar JSON and for JSON without the known keys', async () => {
    for (const text of ['123', 'null', '"text"', '{"SOURCE_ID":"6","PAGES":[["https://a.example/",1,"A"]]}', '[]', '{}']) {
      const trace = await getTrace(server, await addTrace(server, text));
      expect(trace).toMatchObject({
        DATE_CREATE: formatDateC(NOW / 1000),
        SOURCE_ID: 0,
        SOURCE: { ID: 0, CODE: 'organic', NAME: 'Other traffic' },
        IS_MOBILE: 'N',
        TAGS: [],
        PAGES: [],
        CHANNELS: [],
        PREVIOUS: [],
      });
    }
  });

  it('counts 0, "", "0", false and [] as absent', async () => {
    const id = await addTrace(server, {
      url: 0,
      ref: '',
      gid: 'g',
      client: { gaId: 'x' },
      device: { isMobile: '0' },
      tags: { ts: 1, list: { utm_source: '0', utm_medium: false, utm_term: [] } },
      pages: { list: [['', 1, 'no url'], [0, 2, 'zero url']] },
      channels: [{ code: '' }, { code: 0 }],
      previous: { list: [[], {}, 0, ''] },
    });
    expect(await getTrace(server, id)).toMatchObject({ SOURCE_ID: 0, IS_MOBILE: 'N', TAGS: [], PAGES: [], CHANNELS: [], PREVIOUS_IDS: [] });
  });

  it('takes a TRACE sent as a JSON number as its text', async () => {
    const answer = await callJson(server, 'crm.tracking.trace.add', { TRACE: 123 });
    expect(answer.status).toBe(200);
    expect((await getTrace(server, answer.body.result)).CHANNELS).toEqual([]);
  });

  it('keeps only the last five previous traces at every level', async () => {
    const leaf = (n: number) => ({ url: `https://leaf${n}.example/` });
    const id = await addTrace(server, {
      previous: { list: [1, 2, 3, 4, 5, 6, 7].map((n) => ({ url: `https://p${n}.example/`, previous: { list: [1, 2, 3, 4, 5, 6].map(leaf) } })) },
    });
    const trace = await getTrace(server, id);
    expect(trace.PREVIOUS.map((p: any) => p.CHANNELS[0].VALUE)).toEqual(['p3.example', 'p4.example', 'p5.example', 'p6.example', 'p7.example']);
    for (const previous of trace.PREVIOUS) {
      expect(previous.PREVIOUS.map((p: any) => p.CHANNELS[0].VALUE)).toEqual(['leaf2.example', 'leaf3.example', 'leaf4.example', 'leaf5.example', 'leaf6.example']);
    }
  });

  it('applies the source precedence: utm_source, then referrer, then organic', async () => {
    const cases: [unknown, number][] = [
      [{ tags: { list: { utm_source: 'google' } }, ref: 'https://facebook.com/' }, 1],
      [{ tags: { list: { utm_source: 'Google' } }, ref: 'https://facebook.com/' }, 2],
      [{ ref: 'https://www.instagram.com/x' }, 3],
      [{ ref: 'https://m.facebook.com/' }, 0],
      [{ tags: { list: { utm_source: 'google ' } } }, 0],
    ];
    for (const [trace, sourceId] of cases) {
      expect((await getTrace(server, await addTrace(server, trace))).SOURCE_ID).toBe(sourceId);
    }
  });
});

describe('limits', () => {
  it(`refuses a TRACE over ${TRACE_MAX_BYTES} bytes and writes nothing`, async () => {
    const huge = JSON.stringify({ url: 'https://a.example/', pages: { list: [['https://a.example/' + 'x'.repeat(TRACE_MAX_BYTES), 1, 'big']] } });
    await expectRefused({ TRACE: huge }, `Parameter \`TRACE\` is too large: the limit is ${TRACE_MAX_BYTES} bytes.`);
    await expectRefused({ TRACE: huge, ENTITIES: [{ TYPE: 'x' }] }, `Parameter \`TRACE\` is too large: the limit is ${TRACE_MAX_BYTES} bytes.`);
  });

  it('accepts a trace just under the limit', async () => {
    const pages = Array.from({ length: 200 }, (_, i) => [`https://a.example/${i}/${'p'.repeat(1200)}`, 1767000000 + i, `Page ${i}`]);
    const text = JSON.stringify({ pages: { list: pages } });
    expect(Buffer.byteLength(text)).toBeLessThan(TRACE_MAX_BYTES);
    const trace = await getTrace(server, await addTrace(server, text));
    expect(trace.PAGES).toHaveLength(200);
    expect(trace.PAGES[199]).toEqual({ URL: pages[199][0], DATE_INSERT: 1767000199, TITLE: 'Page 199', IS_REF: 'N' });
  });

  it(`stores ${PREVIOUS_MAX_DEPTH} levels of previous traces as a tree`, async () => {
    let nested: Record<string, unknown> = { url: 'https://level3.example/' };
    for (const level of [2, 1, 0]) nested = { url: `https://level${level}.example/`, previous: { list: [nested, { url: `https://side${level}.example/` }] } };
    const before = await trackingCounts(server);
    const id = await addTrace(server, nested);
    const after = await trackingCounts(server);
    // 1 + 2 + 2 + 2 traces (every level has the nested one and a side one), one tree row each below the root.
    expect(after.traces - before.traces).toBe(7);
    expect(after.tree - before.tree).toBe(6);
    let node = await getTrace(server, id);
    const hosts: string[] = [];
    while (node) {
      hosts.push(node.CHANNELS[0].VALUE);
      node = node.PREVIOUS[0];
    }
    expect(hosts).toEqual(['level0.example', 'level1.example', 'level2.example', 'level3.example']);
    await expectNoOrphans(server);
  });

  it('refuses previous traces nested one level deeper and writes nothing', async () => {
    let nested: Record<string, unknown> = { url: 'https://bottom.example/' };
    for (let level = 0; level <= PREVIOUS_MAX_DEPTH; level++) nested = { previous: { list: [nested] } };
    await expectRefused({ TRACE: JSON.stringify(nested) }, `Parameter \`TRACE\` nests \`previous\` traces deeper than ${PREVIOUS_MAX_DEPTH} levels.`);
  });

  it('refuses JSON nested deeper than PHP allows with the parse error', async () => {
    const deep = '{"tags":' + '['.repeat(600) + ']'.repeat(600) + '}';
    await expectRefused({ TRACE: deep }, 'Can not parse JSON in parameter `TRACE`.');
  });
});

describe('batch', () => {
  it('runs 50 crm.tracking.trace.add rows', async () => {
    const before = await trackingCounts(server);
    const cmd: Record<string, string> = {};
    for (let i = 0; i < 50; i++) {
      const trace = JSON.stringify({ url: `https://batch${i}.example/`, tags: { list: { utm_source: i % 2 === 0 ? 'google' : 'other' } } });
      cmd[`row${i}`] = `crm.tracking.trace.add?TRACE=${encodeURIComponent(trace)}`;
    }
    const answer = await callJson(server, 'batch', { halt: 0, cmd });
    expect(answer.status, answer.text).toBe(200);
    const ids = Object.values(answer.body.result.result) as number[];
    expect(ids).toHaveLength(50);
    expect(answer.body.result.result_error).toEqual([]);
    for (let i = 1; i < 50; i++) expect(ids[i]).toBe(ids[0] + i);
    const after = await trackingCounts(server);
    expect(after.traces - before.traces).toBe(50);
    expect(after.channels - before.channels).toBe(50);
    const last = await getTrace(server, ids[49]);
    expect(last.CHANNELS).toEqual([{ CODE: 'site-domain', VALUE: 'batch49.example' }]);
    expect((await getTrace(server, ids[48])).SOURCE_ID).toBe(1);
    expect(last.SOURCE_ID).toBe(0);
  });

  it('reports a bad row as that row’s error', async () => {
    const answer = await callJson(server, 'batch', {
      cmd: { good: `crm.tracking.trace.add?TRACE=${encodeURIComponent(TRACE)}`, bad: 'crm.tracking.trace.add?TRACE=%7B' },
    });
    expect(answer.status).toBe(200);
    expect(Number.isInteger(answer.body.result.result.good)).toBe(true);
    expect(answer.body.result.result_error.bad).toEqual(coreErrorBody('Can not parse JSON in parameter `TRACE`.'));
  });
});

describe('consistency', () => {
  beforeEach(async () => {
    await expectNoOrphans(server);
  });
  it('leaves no orphan rows after everything above', async () => {
    await expectNoOrphans(server);
  });
});
