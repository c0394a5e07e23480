// crm.tracking.trace.add / .delete and salestrace.trace.list with real CRM items, over real
// sockets: update permissions through the role model, binding and its propagation to previous
// traces, missing items, partial and full deletes, the item filter, UTM values copied into
// items, and a batch of 50. Items are made with crm.item.add, which creates no trace (§5.4), so
// every trace row here comes from crm.tracking.trace.add.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { CRM_ENTITY_TYPES, type CrmEntityTypeName } from '../../src/crm/contract.js';
import { formatDateC } from '../../src/rest/time.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { ok, userWithGrants, type Grants, type TestUser } from '../crm/helpers.js';
import { addTrace, bindingRows, expectIntegrity, getTrace, trackingCounts } from './helpers.js';
import { MAX_ENTITIES } from '../../src/tracking/methods/traceAdd.js';

const { LEAD, DEAL, CONTACT, COMPANY, QUOTE } = CRM_ENTITY_TYPES;
const TYPES: CrmEntityTypeName[] = ['LEAD', 'DEAL', 'CONTACT', 'COMPANY', 'QUOTE'];
const LEGACY: Record<CrmEntityTypeName, string> = { LEAD: 'lead', DEAL: 'deal', CONTACT: 'contact', COMPANY: 'company', QUOTE: 'quote' };
const NOW = Date.UTC(2026, 3, 10, 9, 0, 0);

let server: TestServer;
let clock: ManualClock;
/** READ everything, WRITE only own items. */
let own: TestUser;
/** WRITE on every item. */
let writer: TestUser;
/** No role at all. */
let nobody: TestUser;

function grants(read: 'OWN' | 'ALL', write: 'OWN' | 'ALL'): Grants {
  const actions = { READ: read, ADD: 'OWN', WRITE: write, DELETE: 'NONE' } as const;
  return Object.fromEntries(TYPES.map((type) => [type, actions]));
}

beforeAll(async () => {
  clock = new ManualClock(NOW);
  server = await startTestServer({ manualClock: clock });
  await ok(server, 'salestrace.source.update', { id: 1, fields: { UTM_SOURCE: ['google'] } });
  own = await userWithGrants(server, grants('ALL', 'OWN'));
  writer = await userWithGrants(server, grants('ALL', 'ALL'));
  nobody = await userWithGrants(server, null);
});
afterAll(async () => {
  await server.close();
});
afterEach(async () => {
  await expectIntegrity(server.services.db);
});

/** A new item made with crm.item.add (no trace), responsible user 1 unless told otherwise. */
async function newItem(type: CrmEntityTypeName, options: { assignedTo?: number; utm?: Record<string, string> } = {}): Promise<number> {
  const fields: Record<string, unknown> = type === 'CONTACT' ? { name: `${type} item` } : { title: `${type} item` };
  fields.assignedById = options.assignedTo ?? 1;
  Object.assign(fields, options.utm ?? {});
  const result = await ok(server, 'crm.item.add', { entityTypeId: CRM_ENTITY_TYPES[type], fields });
  return result.item.id as number;
}

function coreError(description: string) {
  return { error: 'ERROR_CORE', error_description: description };
}

/** Calls crm.tracking.trace.add expecting a refusal that writes nothing. */
async function expectRefused(params: unknown, description: string, base: string): Promise<void> {
  const before = await trackingCounts(server);
  const utmBefore = await server.services.db.selectFrom('crm_utm').selectAll().execute();
  const answer = await callJson(server, 'crm.tracking.trace.add', params, base);
  expect(answer.status, answer.text).toBe(400);
  expect(answer.body).toEqual(coreError(description));
  expect(await trackingCounts(server)).toEqual(before);
  expect(await server.services.db.selectFrom('crm_utm').selectAll().execute()).toEqual(utmBefore);
}

const TRACE = JSON.stringify({ url: 'https://shop.example/', tags: { list: { utm_source: 'google', utm_medium: 'cpc' } } });

/** A trace with previous traces two levels deep: main ← a ← a1, main ← b. */
function treeTrace(tag: string) {
  return {
    url: `https://${tag}.example/`,
    channels: [{ code: 'form', value: '12' }],
    previous: { list: [{ url: `https://${tag}-a.example/`, previous: { list: [{ url: `https://${tag}-a1.example/` }] } }, { url: `https://${tag}-b.example/` }] },
  };
}

describe('the update permission on every entity', () => {
  it('refuses an existing item the caller may not edit, for OWN rights only someone else’s item', async () => {
    const mineContact = await newItem('CONTACT', { assignedTo: own.id });
    const mineDeal = await newItem('DEAL', { assignedTo: own.id });
    const foreignContact = await newItem('CONTACT');
    const foreignDeal = await newItem('DEAL');

    await expectRefused({ TRACE, ENTITIES: [{ TYPE: 'CONTACT', ID: foreignContact }] }, `You have no access to entity \`CONTACT\` with ID \`${foreignContact}\`.`, own.base);
    // One forbidden entity anywhere in the list aborts the whole add, allowed ones included.
    await expectRefused(
      { TRACE, ENTITIES: [{ TYPE: 'CONTACT', ID: mineContact }, { TYPE: 'DEAL', ID: String(foreignDeal) }] },
      `You have no access to entity \`DEAL\` with ID \`${foreignDeal}\`.`,
      own.base,
    );
    // Reading is not enough; a user without a role may edit nothing.
    await expectRefused({ TRACE, ENTITIES: [{ TYPE: 'DEAL', ID: mineDeal }] }, `You have no access to entity \`DEAL\` with ID \`${mineDeal}\`.`, nobody.base);

    const answer = await callJson(server, 'crm.tracking.trace.add', { TRACE, ENTITIES: [{ TYPE: 'CONTACT', ID: mineContact }, { TYPE: 'DEAL', ID: mineDeal }] }, own.base);
    expect(answer.status, answer.text).toBe(200);
    const id = answer.body.result;
    expect(await bindingRows(server.services.db, [id])).toEqual([
      [id, CONTACT, mineContact],
      [id, DEAL, mineDeal],
    ]);
    // A user who may edit every item needs no ownership.
    const byWriter = await callJson(server, 'crm.tracking.trace.add', { TRACE, ENTITIES: [{ TYPE: 'CONTACT', ID: foreignContact }] }, writer.base);
    expect(byWriter.status, byWriter.text).toBe(200);
    expect(await bindingRows(server.services.db, [byWriter.body.result])).toEqual([[byWriter.body.result, CONTACT, foreignContact]]);
  });

  it('applies to a missing item too: only a caller who may edit every item of the type passes', async () => {
    // CheckUpdatePermission on a missing ID (COMPATIBILITY.md, "CRM"): OWN cannot, ALL can.
    await expectRefused({ TRACE, ENTITIES: [{ TYPE: 'LEAD', ID: 987654 }] }, 'You have no access to entity `LEAD` with ID `987654`.', own.base);
    await expectRefused({ TRACE, ENTITIES: [{ TYPE: 'QUOTE', ID: 987654 }] }, 'You have no access to entity `QUOTE` with ID `987654`.', own.base);
    const answer = await callJson(server, 'crm.tracking.trace.add', { TRACE, ENTITIES: [{ TYPE: 'QUOTE', ID: 987654 }] }, writer.base);
    expect(answer.status).toBe(200);
    expect(await bindingRows(server.services.db, [answer.body.result])).toEqual([]);
  });

  it('checks element by element: an allowed entity, then a wrong TYPE, then a forbidden one', async () => {
    const mine = await newItem('LEAD', { assignedTo: own.id });
    const foreign = await newItem('LEAD');
    const wrongType = 'Wrong TYPE in parameter `ENTITIES`. Allowed types: COMPANY,CONTACT,DEAL,LEAD,QUOTE';
    await expectRefused({ TRACE, ENTITIES: [{ TYPE: 'LEAD', ID: mine }, { TYPE: 'lead', ID: foreign }] }, wrongType, own.base);
    await expectRefused({ TRACE, ENTITIES: [{ TYPE: 'LEAD', ID: foreign }, { TYPE: 'lead', ID: mine }] }, `You have no access to entity \`LEAD\` with ID \`${foreign}\`.`, own.base);
    await expectRefused({ TRACE, ENTITIES: [{ TYPE: 'LEAD', ID: mine }, { TYPE: 'LEAD', ID: '1e3' }] }, 'Wrong ID in parameter `ENTITIES`.', own.base);
  });
});

describe('binding existing items', () => {
  it('binds every listed item to the trace and to all its previous traces', async () => {
    const contact = await newItem('CONTACT');
    const deal = await newItem('DEAL');
    const quote = await newItem('QUOTE');
    const before = await trackingCounts(server);
    const id = await addTrace(server, treeTrace('bind'), [
      { TYPE: 'CONTACT', ID: contact },
      { TYPE: 'DEAL', ID: String(deal) },
      { TYPE: 'QUOTE', ID: quote },
      { TYPE: 'CONTACT', ID: contact },
    ]);
    const main = await getTrace(server, id);
    const [a, b] = main.PREVIOUS_IDS;
    const [a1] = main.PREVIOUS[0].PREVIOUS_IDS;
    // Saved previous first: a1, a, b, then the trace itself.
    expect([a1, a, b]).toEqual([id - 3, id - 2, id - 1]);
    // Each item: the deepest previous traces first and the trace itself last (Bitrix's recursion).
    const order = [a1, b, a, id];
    expect(await bindingRows(server.services.db, [id, a, b, a1])).toEqual([
      ...order.map((trace): [number, number, number] => [trace, CONTACT, contact]),
      ...order.map((trace): [number, number, number] => [trace, DEAL, deal]),
      ...order.map((trace): [number, number, number] => [trace, QUOTE, quote]),
    ]);
    const entities = [
      { TYPE: 'CONTACT', ENTITY_TYPE_ID: CONTACT, ID: contact },
      { TYPE: 'DEAL', ENTITY_TYPE_ID: DEAL, ID: deal },
      { TYPE: 'QUOTE', ENTITY_TYPE_ID: QUOTE, ID: quote },
    ];
    expect(main.ENTITIES).toEqual(entities);
    expect(main.PREVIOUS[0].ENTITIES).toEqual(entities);
    expect(main.PREVIOUS[0].PREVIOUS[0].ENTITIES).toEqual(entities);
    expect(main.PREVIOUS[1].ENTITIES).toEqual(entities);
    const after = await trackingCounts(server);
    expect(after).toEqual({ traces: before.traces + 4, items: before.items + 12, channels: before.channels + 5, tree: before.tree + 3 });
  });

  it('skips items that do not exist, of every type and QUOTE included, without an error', async () => {
    const lead = await newItem('LEAD');
    const gone = await newItem('COMPANY');
    await ok(server, 'crm.company.delete', { id: gone });
    const before = await trackingCounts(server);
    const id = await addTrace(server, TRACE, [
      { TYPE: 'LEAD', ID: 999001 },
      { TYPE: 'DEAL', ID: 999002 },
      { TYPE: 'CONTACT', ID: 999003 },
      { TYPE: 'COMPANY', ID: gone },
      { TYPE: 'QUOTE', ID: 999005 },
      { TYPE: 'LEAD', ID: lead },
    ]);
    expect(await bindingRows(server.services.db, [id])).toEqual([[id, LEAD, lead]]);
    expect(await trackingCounts(server)).toEqual({ ...before, traces: before.traces + 1, items: before.items + 1, channels: before.channels + 1 });
    // A missing item gets no UTM values either.
    for (const [type, id] of [[LEAD, 999001], [DEAL, 999002], [CONTACT, 999003], [COMPANY, gone], [QUOTE, 999005]]) {
      expect(await server.services.db.selectFrom('crm_utm').selectAll().where('entity_type_id', '=', type).where('entity_id', '=', id).execute()).toEqual([]);
    }
  });
});

describe('crm.tracking.trace.delete with bound items', () => {
  it('removes only the bindings the caller may edit; the trace and the other bindings stay, without an error', async () => {
    const mine = await newItem('CONTACT', { assignedTo: own.id });
    const foreign = await newItem('DEAL');
    const id = await addTrace(server, treeTrace('partial'), [
      { TYPE: 'CONTACT', ID: mine },
      { TYPE: 'DEAL', ID: foreign },
    ]);
    const traces = [id, ...(await getTrace(server, id)).PREVIOUS_IDS, (await getTrace(server, id)).PREVIOUS[0].PREVIOUS_IDS[0]];
    const before = await trackingCounts(server);

    const answer = await callJson(server, 'crm.tracking.trace.delete', { id }, own.base);
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/^\{"result":null,"time":\{/);
    expect(await trackingCounts(server)).toEqual({ ...before, items: before.items - 4 });
    expect((await bindingRows(server.services.db, traces)).every(([, type, item]) => type === DEAL && item === foreign)).toBe(true);
    expect(await bindingRows(server.services.db, traces)).toHaveLength(4);
    expect((await getTrace(server, id)).ENTITIES).toEqual([{ TYPE: 'DEAL', ENTITY_TYPE_ID: DEAL, ID: foreign }]);

    // Someone who may edit none of the items changes nothing, and hears nothing either.
    const idle = await callJson(server, 'crm.tracking.trace.delete', { id }, nobody.base);
    expect(idle.body.result).toBeNull();
    expect(await trackingCounts(server)).toEqual({ ...before, items: before.items - 4 });

    // Once the caller may edit every remaining binding, the whole tree goes.
    await ok(server, 'crm.tracking.trace.delete', { id }, writer.base);
    expect(await trackingCounts(server)).toEqual({ traces: before.traces - 4, items: before.items - 8, channels: before.channels - 5, tree: before.tree - 3 });
    for (const trace of traces) expect((await callJson(server, 'salestrace.trace.get', { id: trace })).body.error).toBe('TRACE_NOT_FOUND');
  });

  it('deletes fully for an OWN caller when every bound item is theirs', async () => {
    const lead = await newItem('LEAD', { assignedTo: own.id });
    const quote = await newItem('QUOTE', { assignedTo: own.id });
    const before = await trackingCounts(server);
    const id = await addTrace(server, treeTrace('own-full'), [
      { TYPE: 'LEAD', ID: lead },
      { TYPE: 'QUOTE', ID: quote },
    ]);
    expect((await callJson(server, 'crm.tracking.trace.delete', { id }, own.base)).body.result).toBeNull();
    expect(await trackingCounts(server)).toEqual(before);
  });

  it('cleans up everything of a fully deleted trace, but keeps a previous trace another item still needs', async () => {
    const contact = await newItem('CONTACT');
    const company = await newItem('COMPANY');
    const before = await trackingCounts(server);
    const id = await addTrace(server, treeTrace('full'), [
      { TYPE: 'CONTACT', ID: contact },
      { TYPE: 'COMPANY', ID: company },
    ]);
    const [a] = (await getTrace(server, id)).PREVIOUS_IDS;
    // A new lead whose trace is previous trace `a` (numeric TRACE, §5.2): `a` and its own previous trace stay.
    const lead = await ok(server, 'crm.lead.add', { fields: { TITLE: 'Returning', TRACE: String(a) } });
    await ok(server, 'crm.tracking.trace.delete', { id });
    const kept = await getTrace(server, a);
    expect(kept.PARENT_IDS).toEqual([]);
    expect(kept.ENTITIES).toEqual([{ TYPE: 'LEAD', ENTITY_TYPE_ID: LEAD, ID: lead }]);
    expect(kept.PREVIOUS[0].ENTITIES).toEqual([{ TYPE: 'LEAD', ENTITY_TYPE_ID: LEAD, ID: lead }]);
    expect(kept.CHANNELS).toEqual([
      { CODE: 'site-domain', VALUE: 'full-a.example' },
      { CODE: 'rest', VALUE: null },
    ]);
    // main, b and their channels, bindings and tree rows are gone; a ← a1 stays with the lead's bindings.
    expect(await trackingCounts(server)).toEqual({ traces: before.traces + 2, items: before.items + 2, channels: before.channels + 3, tree: before.tree + 1 });
    await ok(server, 'crm.lead.delete', { id: lead });
    expect(await trackingCounts(server)).toEqual(before);
  });
});

describe('salestrace.trace.list by item', () => {
  it('lists the traces bound to an item, newest first, with paging', async () => {
    const contact = await newItem('CONTACT');
    const other = await newItem('CONTACT');
    const ids: number[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await addTrace(server, { url: `https://visit${i}.example/` }, [{ TYPE: 'CONTACT', ID: contact }]));
      clock.advance(60_000);
    }
    // Older by tags.ts: a previous visit bound through its parent.
    const withPrevious = await addTrace(
      server,
      { url: 'https://latest.example/', previous: { list: [{ url: 'https://first.example/', tags: { ts: NOW / 1000 - 86400 } }] } },
      [{ TYPE: 'CONTACT', ID: contact }, { TYPE: 'CONTACT', ID: other }],
    );
    clock.advance(60_000);
    await addTrace(server, { url: 'https://unbound.example/' });
    const previous = withPrevious - 1;
    // The same clock second for two traces: the higher ID first.
    const answer = await callJson(server, 'salestrace.trace.list', { filter: { ENTITY_TYPE: 'CONTACT', ENTITY_ID: contact } });
    expect(answer.status).toBe(200);
    expect(answer.body.total).toBe(5);
    expect(answer.body).not.toHaveProperty('next');
    expect(answer.body.result.map((trace: any) => trace.ID)).toEqual([withPrevious, ids[2], ids[1], ids[0], previous]);
    expect(answer.body.result.map((trace: any) => trace.DATE_CREATE)).toEqual([
      formatDateC(NOW / 1000 + 180),
      formatDateC(NOW / 1000 + 120),
      formatDateC(NOW / 1000 + 60),
      formatDateC(NOW / 1000),
      formatDateC(NOW / 1000 - 86400),
    ]);
    const forOther = await callJson(server, 'salestrace.trace.list', { filter: { ENTITY_TYPE: 'CONTACT', ENTITY_ID: String(other) } });
    expect(forOther.body.result.map((trace: any) => trace.ID)).toEqual([withPrevious, previous]);
    // The type matters: a deal with the same ID has none.
    const asDeal = await callJson(server, 'salestrace.trace.list', { filter: { ENTITY_TYPE: 'DEAL', ENTITY_ID: contact } });
    expect(asDeal.body).toMatchObject({ result: [], total: 0 });

    // Paging over more than 50 bindings of one item.
    const many = await newItem('LEAD');
    const manyIds: number[] = [];
    for (let i = 0; i < 52; i++) manyIds.push(await addTrace(server, TRACE, [{ TYPE: 'LEAD', ID: many }]));
    const first = await callJson(server, 'salestrace.trace.list', { filter: { ENTITY_TYPE: 'LEAD', ENTITY_ID: many } });
    expect(first.body).toMatchObject({ total: 52, next: 50 });
    expect(first.body.result.map((trace: any) => trace.ID)).toEqual([...manyIds].reverse().slice(0, 50));
    const second = await callJson(server, 'salestrace.trace.list', { filter: { ENTITY_TYPE: 'LEAD', ENTITY_ID: many }, start: 50 });
    expect(second.body.result.map((trace: any) => trace.ID)).toEqual([manyIds[1], manyIds[0]]);
  });
});

describe('UTM values copied into items (§1.2 step 4)', () => {
  const TAGS = { utm_source: 'google', utm_medium: 'cpc', utm_campaign: 'spring', utm_content: 'banner', utm_term: 'shoes' };
  const LEGACY_UTM = { UTM_SOURCE: 'google', UTM_MEDIUM: 'cpc', UTM_CAMPAIGN: 'spring', UTM_CONTENT: 'banner', UTM_TERM: 'shoes' };
  const ITEM_UTM = { utmSource: 'google', utmMedium: 'cpc', utmCampaign: 'spring', utmContent: 'banner', utmTerm: 'shoes' };

  async function legacyUtm(type: CrmEntityTypeName, id: number) {
    const item = await ok(server, `crm.${LEGACY[type]}.get`, { id });
    return { UTM_SOURCE: item.UTM_SOURCE, UTM_MEDIUM: item.UTM_MEDIUM, UTM_CAMPAIGN: item.UTM_CAMPAIGN, UTM_CONTENT: item.UTM_CONTENT, UTM_TERM: item.UTM_TERM };
  }

  async function itemUtm(type: CrmEntityTypeName, id: number) {
    const { item } = await ok(server, 'crm.item.get', { entityTypeId: CRM_ENTITY_TYPES[type], id });
    return { utmSource: item.utmSource, utmMedium: item.utmMedium, utmCampaign: item.utmCampaign, utmContent: item.utmContent, utmTerm: item.utmTerm };
  }

  it.each(TYPES)('gives a %s without UTM values the trace’s tags, readable through both method families', async (type) => {
    const id = await newItem(type);
    expect(await legacyUtm(type, id)).toEqual({ UTM_SOURCE: null, UTM_MEDIUM: null, UTM_CAMPAIGN: null, UTM_CONTENT: null, UTM_TERM: null });
    await addTrace(server, { url: 'https://utm.example/', tags: { list: TAGS } }, [{ TYPE: type, ID: id }]);
    expect(await legacyUtm(type, id)).toEqual(LEGACY_UTM);
    expect(await itemUtm(type, id)).toEqual(ITEM_UTM);
  });

  it('leaves an item that has any UTM value as it is, and later traces do not overwrite the copy', async () => {
    const tagged = await newItem('DEAL', { utm: { utmCampaign: 'own-campaign' } });
    await addTrace(server, { tags: { list: TAGS } }, [{ TYPE: 'DEAL', ID: tagged }]);
    expect(await itemUtm('DEAL', tagged)).toEqual({ utmSource: null, utmMedium: null, utmCampaign: 'own-campaign', utmContent: null, utmTerm: null });

    const plain = await newItem('LEAD');
    await addTrace(server, { tags: { list: { utm_source: 'first', utm_term: 'one' } } }, [{ TYPE: 'LEAD', ID: plain }]);
    await addTrace(server, { tags: { list: TAGS } }, [{ TYPE: 'LEAD', ID: plain }]);
    expect(await legacyUtm('LEAD', plain)).toEqual({ UTM_SOURCE: 'first', UTM_MEDIUM: null, UTM_CAMPAIGN: null, UTM_CONTENT: null, UTM_TERM: 'one' });
  });

  it('copies nothing from a trace without tags, and only the bound trace’s own tags, not its previous visits’', async () => {
    const company = await newItem('COMPANY');
    await addTrace(server, { url: 'https://plain.example/', previous: { list: [{ tags: { list: { utm_source: 'older' } } }] } }, [{ TYPE: 'COMPANY', ID: company }]);
    expect(await server.services.db.selectFrom('crm_utm').selectAll().where('entity_type_id', '=', COMPANY).where('entity_id', '=', company).execute()).toEqual([]);
    await addTrace(server, { tags: { list: { utm_medium: 'email' } }, previous: { list: [{ tags: { list: { utm_source: 'older' } } }] } }, [{ TYPE: 'COMPANY', ID: company }]);
    expect(await itemUtm('COMPANY', company)).toEqual({ utmSource: null, utmMedium: 'email', utmCampaign: null, utmContent: null, utmTerm: null });
  });

  it('cuts a copied value to the 600 characters an item UTM value holds', async () => {
    const contact = await newItem('CONTACT');
    await addTrace(server, { tags: { list: { utm_content: 'c'.repeat(700) } } }, [{ TYPE: 'CONTACT', ID: contact }]);
    expect((await itemUtm('CONTACT', contact)).utmContent).toBe('c'.repeat(600));
  });

  it('stays when the trace is deleted: item UTM values and trace tags are not synchronised (§5.4)', async () => {
    const quote = await newItem('QUOTE');
    const id = await addTrace(server, { tags: { list: TAGS } }, [{ TYPE: 'QUOTE', ID: quote }]);
    await ok(server, 'crm.tracking.trace.delete', { id });
    expect(await legacyUtm('QUOTE', quote)).toEqual(LEGACY_UTM);
  });
});

describe('batch', () => {
  it('runs 50 crm.tracking.trace.add rows with ENTITIES, each row checked on its own', async () => {
    const mine = [];
    const foreign = [];
    for (let i = 0; i < 5; i++) {
      mine.push(await newItem(i % 2 === 0 ? 'CONTACT' : 'DEAL', { assignedTo: own.id }));
      foreign.push(await newItem('DEAL'));
    }
    const before = await trackingCounts(server);
    const cmd: Record<string, string> = {};
    const expected: Record<string, { type: string; id: number } | { error: string }> = {};
    for (let i = 0; i < 50; i++) {
      const trace = encodeURIComponent(JSON.stringify({ url: `https://batch${i}.example/`, tags: { list: { utm_source: 'google', utm_term: `row${i}` } } }));
      if (i % 10 === 9) {
        const id = foreign[(i - 9) / 10];
        cmd[`row${i}`] = `crm.tracking.trace.add?TRACE=${trace}&ENTITIES[0][TYPE]=DEAL&ENTITIES[0][ID]=${id}`;
        expected[`row${i}`] = { error: `You have no access to entity \`DEAL\` with ID \`${id}\`.` };
      } else {
        const index = i % 5;
        const type = index % 2 === 0 ? 'CONTACT' : 'DEAL';
        cmd[`row${i}`] = `crm.tracking.trace.add?TRACE=${trace}&ENTITIES[0][TYPE]=${type}&ENTITIES[0][ID]=${mine[index]}`;
        expected[`row${i}`] = { type, id: mine[index] };
      }
    }
    const answer = await callJson(server, 'batch', { halt: 0, cmd }, own.base);
    expect(answer.status, answer.text).toBe(200);
    const results = answer.body.result.result as Record<string, number>;
    const errors = answer.body.result.result_error as Record<string, unknown>;
    const okRows = Object.keys(expected).filter((key) => !('error' in expected[key]));
    expect(Object.keys(results)).toEqual(okRows);
    expect(errors).toEqual(Object.fromEntries(Object.entries(expected).filter(([, e]) => 'error' in e).map(([key, e]) => [key, coreError((e as { error: string }).error)])));
    const ids = okRows.map((key) => results[key]);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe(ids[0] + i);
    expect(await trackingCounts(server)).toEqual({ traces: before.traces + 45, items: before.items + 45, channels: before.channels + 45, tree: before.tree });
    const rows = await bindingRows(server.services.db, ids);
    expect(rows).toEqual(
      okRows.map((key, n) => {
        const e = expected[key] as { type: CrmEntityTypeName; id: number };
        return [ids[n], CRM_ENTITY_TYPES[e.type], e.id];
      }),
    );
    // The first trace bound to each item gave it its tags.
    const first = await ok(server, 'crm.contact.get', { id: mine[0] });
    expect([first.UTM_SOURCE, first.UTM_TERM]).toEqual(['google', 'row0']);
    const trace = await getTrace(server, ids[44]);
    expect(trace).toMatchObject({ SOURCE_ID: 1, TAGS: { UTM_SOURCE: 'google', UTM_TERM: 'row48' }, CHANNELS: [{ CODE: 'site-domain', VALUE: 'batch48.example' }] });
  });
});

describe('the docs’ error table, all reachable with real items', () => {
  it('answers each text exactly', async () => {
    const foreign = await newItem('COMPANY');
    const cases: [unknown, string][] = [
      [{}, 'Parameter `TRACE` required.'],
      [{ TRACE: '{' }, 'Can not parse JSON in parameter `TRACE`.'],
      [{ TRACE, ENTITIES: [{ TYPE: 'SPA', ID: foreign }] }, 'Wrong TYPE in parameter `ENTITIES`. Allowed types: COMPANY,CONTACT,DEAL,LEAD,QUOTE'],
      [{ TRACE, ENTITIES: [{ TYPE: 'COMPANY', ID: -1 }] }, 'Wrong ID in parameter `ENTITIES`.'],
      [{ TRACE, ENTITIES: [{ TYPE: 'COMPANY', ID: foreign }] }, `You have no access to entity \`COMPANY\` with ID \`${foreign}\`.`],
    ];
    for (const [params, text] of cases) await expectRefused(params, text, own.base);
    const missingId = await callJson(server, 'crm.tracking.trace.delete', {}, own.base);
    expect(missingId.body).toEqual(coreError('Parameter `id` required.'));
  });
});

describe('the work of one call is bounded (write amplification)', () => {
  /** The largest tree the parse limits allow: five previous traces a level, three levels deep (155). */
  function widestTree(depth: number, path: string): Record<string, unknown> {
    const trace: Record<string, unknown> = { url: `https://${path}.example/` };
    if (depth > 0) trace.previous = { list: Array.from({ length: 5 }, (_, i) => widestTree(depth - 1, `${path}-${i}`)) };
    return trace;
  }

  it(`refuses more than ${MAX_ENTITIES} ENTITIES and writes nothing; ${MAX_ENTITIES} with 155 previous traces write exactly 50 × 156 rows`, async () => {
    const contacts: number[] = [];
    for (let i = 0; i <= MAX_ENTITIES; i++) contacts.push(await newItem('CONTACT'));
    const entities = contacts.map((id) => ({ TYPE: 'CONTACT', ID: id }));
    const trace = JSON.stringify(widestTree(3, 'wide'));
    await expectRefused({ TRACE: trace, ENTITIES: entities }, `Parameter \`ENTITIES\` lists more than ${MAX_ENTITIES} items.`, writer.base);
    // Repeats count as sent: each one costs a permission check.
    const repeated = Array.from({ length: MAX_ENTITIES + 1 }, () => entities[0]);
    await expectRefused({ TRACE, ENTITIES: repeated }, `Parameter \`ENTITIES\` lists more than ${MAX_ENTITIES} items.`, writer.base);

    const before = await trackingCounts(server);
    const answer = await callJson(server, 'crm.tracking.trace.add', { TRACE: trace, ENTITIES: entities.slice(0, MAX_ENTITIES) }, writer.base);
    expect(answer.status, answer.text).toBe(200);
    const after = await trackingCounts(server);
    expect(after.traces - before.traces).toBe(156);
    expect(after.items - before.items).toBe(MAX_ENTITIES * 156);
  });
});
