// The attribution window (sales-intelligence.md §4.4) over real sockets: a lead or deal added
// without UTM_SOURCE gets its client's recent source as a new trace bound to it, on every add
// path (crm.{lead,deal}.add, crm.item.add, batch rows), inside the item's own transaction. The
// client is the contact, else the company (Bitrix's company branch is a bug, not copied).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { ok, userWithGrants } from '../crm/helpers.js';
import { addTrace, expectIntegrity } from '../tracking/helpers.js';
import { runCli } from '../cli/inProcess.js';

const DAY = 86_400_000;
const NOW = Date.UTC(2026, 3, 10, 9, 0, 0);
const GOOGLE = 1;
const FB = 2;

let server: TestServer;
let clock: ManualClock;

beforeAll(async () => {
  clock = new ManualClock(NOW);
  server = await startTestServer({ manualClock: clock });
  await ok(server, 'salestrace.source.update', { id: GOOGLE, fields: { UTM_SOURCE: ['google'] } });
  await ok(server, 'salestrace.source.update', { id: FB, fields: { UTM_SOURCE: ['facebook'] } });
});
afterAll(async () => {
  await server.close();
});
beforeEach(async () => {
  clock.set(NOW);
  await ok(server, 'salestrace.attribution.window.set', { days: 28, offline: 'Y' });
});

const seconds = () => Math.floor(clock.now() / 1000);

async function newClient(type: 'CONTACT' | 'COMPANY'): Promise<number> {
  const fields = type === 'CONTACT' ? { NAME: 'Client' } : { TITLE: 'Client Ltd' };
  return ok(server, `crm.${type.toLowerCase()}.add`, { fields });
}

/** A trace with that utm_source bound to the client, written at the clock's time. */
async function clientTrace(type: 'CONTACT' | 'COMPANY', id: number, utmSource: string | null): Promise<number> {
  const trace = utmSource === null ? {} : { tags: { list: { utm_source: utmSource } } };
  return addTrace(server, trace, [{ TYPE: type, ID: id }]);
}

/** The traces bound to an item, in binding order, with what the window writes. */
async function tracesOf(entityTypeId: number, id: number) {
  const rows = await server.services.db
    .selectFrom('tracking_trace_items as b')
    .innerJoin('tracking_traces as t', 't.id', 'b.trace_id')
    .select(['t.id', 't.source_id', 't.created_at', 't.tags_json', 't.pages_json', 't.created_by'])
    .where('b.entity_type_id', '=', entityTypeId)
    .where('b.entity_id', '=', id)
    .orderBy('b.id')
    .execute();
  const channels = await server.services.db.selectFrom('tracking_trace_channels').select(['trace_id', 'code']).orderBy('id').execute();
  return rows.map((row) => ({
    ...row,
    created_at: Number(row.created_at),
    channels: channels.filter((c) => c.trace_id === row.id).map((c) => c.code),
  }));
}

async function traceCount(): Promise<number> {
  const row = await server.services.db.selectFrom('tracking_traces').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

describe('inside the window', () => {
  it('crm.deal.add without UTM_SOURCE: a new trace with the contact\'s source, bound to the deal (and its contact), with the rest channel', async () => {
    const contact = await newClient('CONTACT');
    const original = await clientTrace('CONTACT', contact, 'google');
    // crm.contact.add made the contact an organic trace of its own (§5.2).
    const contactTraces = (await tracesOf(3, contact)).map((t) => t.id);
    expect(contactTraces).toEqual([original - 1, original]);
    clock.advance(10 * DAY);
    const deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Repeat order', CONTACT_ID: contact } });
    const traces = await tracesOf(2, deal);
    expect(traces).toEqual([
      { id: original + 1, source_id: GOOGLE, created_at: seconds(), tags_json: '{}', pages_json: '[]', created_by: 1, channels: ['rest'] },
    ]);
    // The typed add binds the deal's contact to the deal's trace too (§5.2 step 4).
    expect((await tracesOf(3, contact)).map((t) => t.id)).toEqual([...contactTraces, original + 1]);
    await expectIntegrity(server.services.db);
  });

  it('crm.item.add of a lead: the same trace, without a channel (crm.item.add creates no trace of its own)', async () => {
    const contact = await newClient('CONTACT');
    const original = await clientTrace('CONTACT', contact, 'facebook');
    clock.advance(27 * DAY);
    const { item } = await ok(server, 'crm.item.add', { entityTypeId: 1, fields: { title: 'Lead', contactId: contact } });
    expect(await tracesOf(1, item.id)).toEqual([
      { id: original + 1, source_id: FB, created_at: seconds(), tags_json: '{}', pages_json: '[]', created_by: 1, channels: [] },
    ]);
    // crm.item.add binds no client.
    expect((await tracesOf(3, contact)).map((t) => t.id)).toEqual([original - 1, original]);
  });

  it('exactly at the window\'s end the trace still counts (DATE_CREATE + window ≥ now)', async () => {
    const contact = await newClient('CONTACT');
    await clientTrace('CONTACT', contact, 'google');
    clock.advance(28 * DAY);
    const { item } = await ok(server, 'crm.item.add', { entityTypeId: 2, fields: { title: 'Deal', contactId: contact } });
    expect((await tracesOf(2, item.id)).map((t) => t.source_id)).toEqual([GOOGLE]);
  });

  it('the company when there is no contact (Bitrix looks it up by CONTACT_ID: fixed)', async () => {
    const company = await newClient('COMPANY');
    await clientTrace('COMPANY', company, 'facebook');
    clock.advance(DAY);
    const { item } = await ok(server, 'crm.item.add', { entityTypeId: 2, fields: { title: 'Deal', companyId: company } });
    expect((await tracesOf(2, item.id)).map((t) => t.source_id)).toEqual([FB]);
    const lead = await ok(server, 'crm.lead.add', { fields: { TITLE: 'Lead', COMPANY_ID: company } });
    expect((await tracesOf(1, lead)).map((t) => [t.source_id, t.channels])).toEqual([[FB, ['rest']]]);
  });

  it('the contact comes first: a contact without traces gives nothing, even when the company has a recent one', async () => {
    const company = await newClient('COMPANY');
    const contact = await newClient('CONTACT');
    await clientTrace('COMPANY', company, 'facebook');
    const before = await traceCount();
    const { item } = await ok(server, 'crm.item.add', { entityTypeId: 2, fields: { title: 'Deal', contactId: contact, companyId: company } });
    expect(await tracesOf(2, item.id)).toEqual([]);
    expect(await traceCount()).toBe(before);
  });

  it('the newest of the contact\'s traces decides', async () => {
    const contact = await newClient('CONTACT');
    await clientTrace('CONTACT', contact, 'google');
    clock.advance(DAY);
    await clientTrace('CONTACT', contact, 'facebook');
    const { item } = await ok(server, 'crm.item.add', { entityTypeId: 1, fields: { title: 'Lead', contactId: contact } });
    expect((await tracesOf(1, item.id)).map((t) => t.source_id)).toEqual([FB]);
  });

  it('a batch row of crm.deal.add gets it too', async () => {
    const contact = await newClient('CONTACT');
    await clientTrace('CONTACT', contact, 'google');
    const result = await ok(server, 'batch', { halt: 1, cmd: { a: `crm.deal.add?fields[TITLE]=In+batch&fields[CONTACT_ID]=${contact}`, b: `crm.item.add?entityTypeId=1&fields[title]=L&fields[contactId]=${contact}` } });
    expect(result.result_error).toEqual([]);
    expect((await tracesOf(2, result.result.a)).map((t) => [t.source_id, t.channels])).toEqual([[GOOGLE, ['rest']]]);
    expect((await tracesOf(1, result.result.b.item.id)).map((t) => [t.source_id, t.channels])).toEqual([[GOOGLE, []]]);
  });
});

describe('no window trace', () => {
  it('outside the window: the typed add makes its own organic trace, crm.item.add none', async () => {
    const contact = await newClient('CONTACT');
    await clientTrace('CONTACT', contact, 'google');
    clock.advance(28 * DAY + 1000);
    const deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Late', CONTACT_ID: contact } });
    expect((await tracesOf(2, deal)).map((t) => [t.source_id, t.channels])).toEqual([[null, ['rest']]]);
    const before = await traceCount();
    const { item } = await ok(server, 'crm.item.add', { entityTypeId: 1, fields: { title: 'Late lead', contactId: contact } });
    expect(await tracesOf(1, item.id)).toEqual([]);
    expect(await traceCount()).toBe(before);
  });

  it('UTM_SOURCE given: the add\'s own UTM decides (typed), and crm.item.add with utmSource makes no trace', async () => {
    const contact = await newClient('CONTACT');
    await clientTrace('CONTACT', contact, 'google');
    const deal = await ok(server, 'crm.deal.add', { fields: { TITLE: 'Own UTM', CONTACT_ID: contact, UTM_SOURCE: 'facebook' } });
    expect((await tracesOf(2, deal)).map((t) => [t.source_id, t.tags_json])).toEqual([[FB, '{"UTM_SOURCE":"facebook"}']]);
    const before = await traceCount();
    const { item } = await ok(server, 'crm.item.add', { entityTypeId: 2, fields: { title: 'Own UTM', contactId: contact, utmSource: 'newsletter' } });
    expect(await tracesOf(2, item.id)).toEqual([]);
    expect(await traceCount()).toBe(before);
  });

  it('an organic latest trace gives nothing', async () => {
    const contact = await newClient('CONTACT');
    await clientTrace('CONTACT', contact, 'google');
    clock.advance(1000);
    await clientTrace('CONTACT', contact, null);
    const before = await traceCount();
    const { item } = await ok(server, 'crm.item.add', { entityTypeId: 2, fields: { title: 'Deal', contactId: contact } });
    expect(await tracesOf(2, item.id)).toEqual([]);
    expect(await traceCount()).toBe(before);
  });

  it('only leads and deals: a contact added with a recent company gets no trace from it', async () => {
    const company = await newClient('COMPANY');
    await clientTrace('COMPANY', company, 'google');
    const before = await traceCount();
    const { item } = await ok(server, 'crm.item.add', { entityTypeId: 3, fields: { name: 'Person', companyId: company } });
    expect(await tracesOf(3, item.id)).toEqual([]);
    expect(await traceCount()).toBe(before);
  });

  it('the offline switch off turns the window off', async () => {
    expect(await ok(server, 'salestrace.attribution.window.set', { offline: 'N' })).toEqual({ days: 28, offline: 'N' });
    const contact = await newClient('CONTACT');
    await clientTrace('CONTACT', contact, 'google');
    const before = await traceCount();
    const { item } = await ok(server, 'crm.item.add', { entityTypeId: 2, fields: { title: 'Deal', contactId: contact } });
    expect(await tracesOf(2, item.id)).toEqual([]);
    expect(await traceCount()).toBe(before);
  });
});

describe('the window setting', () => {
  it('is read and written by salestrace.attribution.window.get/.set, clamped to 1..180, in the shared settings row', async () => {
    expect(await ok(server, 'salestrace.attribution.window.get')).toEqual({ days: 28, offline: 'Y' });
    expect(await ok(server, 'salestrace.attribution.window.set', { days: 0 })).toEqual({ days: 1, offline: 'Y' });
    expect(await ok(server, 'salestrace.attribution.window.set', { days: '500' })).toEqual({ days: 180, offline: 'Y' });
    expect(await ok(server, 'salestrace.attribution.window.set', { days: -3 })).toEqual({ days: 1, offline: 'Y' });
    expect(await ok(server, 'salestrace.attribution.window.set', { days: 5 })).toEqual({ days: 5, offline: 'Y' });
    const row = await server.services.db.selectFrom('settings').select('value').where('name', '=', 'tracking.attribution_window_days').executeTakeFirst();
    expect(row?.value).toBe('5');
  });

  it('a shorter window leaves an older trace out', async () => {
    await ok(server, 'salestrace.attribution.window.set', { days: 5 });
    const contact = await newClient('CONTACT');
    await clientTrace('CONTACT', contact, 'google');
    clock.advance(6 * DAY);
    const { item } = await ok(server, 'crm.item.add', { entityTypeId: 2, fields: { title: 'Deal', contactId: contact } });
    expect(await tracesOf(2, item.id)).toEqual([]);
    clock.set(NOW + 4 * DAY);
    const { item: inside } = await ok(server, 'crm.item.add', { entityTypeId: 2, fields: { title: 'Deal', contactId: contact } });
    expect((await tracesOf(2, inside.id)).map((t) => t.source_id)).toEqual([GOOGLE]);
  });

  it('refuses bad values and non-administrators, changing nothing', async () => {
    const bad = async (params: unknown, body: unknown, base?: string, status = 400) => {
      const answer = await callJson(server, 'salestrace.attribution.window.set', params, base);
      expect(answer.status).toBe(status);
      expect(answer.body).toEqual(body);
    };
    await bad({ days: '2.5' }, { error: 'ERROR_ARGUMENT', error_description: 'Parameter `days` must be a whole number of days.', argument: 'days' });
    await bad({ days: 'week' }, { error: 'ERROR_ARGUMENT', error_description: 'Parameter `days` must be a whole number of days.', argument: 'days' });
    await bad({ offline: 'yes' }, { error: 'ERROR_ARGUMENT', error_description: 'Parameter `offline` must be Y or N.', argument: 'offline' });
    const user = await userWithGrants(server, null);
    await bad({ days: 3 }, { error: 'ACCESS_DENIED', error_description: 'Access denied!' }, user.base, 403);
    const get = await callJson(server, 'salestrace.attribution.window.get', {}, user.base);
    expect(get.status).toBe(403);
    expect(await ok(server, 'salestrace.attribution.window.get')).toEqual({ days: 28, offline: 'Y' });
  });
});

describe('salestrace attribution window (CLI)', () => {
  async function cli(...args: string[]) {
    const url = server.services.config.databaseUrl;
    const where = url ? ['--data', server.dataDir, '--database-url', url] : ['--data', server.dataDir];
    return runCli([...args, ...where]);
  }

  it('shows and changes the same settings, clamping the days', async () => {
    expect(await cli('attribution', 'window')).toMatchObject({ code: 0, stdout: 'attribution window: 28 days; on for items added without a visit\n' });
    expect(await cli('attribution', 'window', '--days', '365', '--offline', 'off')).toMatchObject({
      code: 0,
      stdout: 'attribution window: 180 days; off for items added without a visit\n',
    });
    expect(await ok(server, 'salestrace.attribution.window.get')).toEqual({ days: 180, offline: 'N' });
    const bad = await cli('attribution', 'window', '--days', 'ten');
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('--days must be a whole number, got "ten"');
    expect(await ok(server, 'salestrace.attribution.window.get')).toEqual({ days: 180, offline: 'N' });
  });
});
