// The CRM-dependent half of Sales Intelligence against the CRM contract alone, with an
// in-memory stand-in for CRM items: binding and its propagation, partial and full deletes, and
// the item add/delete hooks, including that every contract call gets the open transaction. The
// user-visible cases run over real sockets with real items in crmItems.test.ts and itemTrace.test.ts.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import {
  CRM_ENTITY_TYPES,
  type CrmEntityTypeId,
  type CrmItemAccess,
  type ItemAddedEvent,
  type ItemUtmCopier,
} from '../../src/crm/contract.js';
import type { Executor } from '../../src/db/schema.js';
import { withLegacyErrors } from '../../src/crm/methods/conventions.js';
import { RestError } from '../../src/rest/errors.js';
import type { Caller } from '../../src/auth/caller.js';
import type { Services } from '../../src/services.js';
import { decodeTraceText, TRACE_MAX_BYTES } from '../../src/tracking/parseTrace.js';
import { TrackingService } from '../../src/tracking/service.js';
import { CrmReadScopes } from '../../src/crm/services/readScope.js';
import type { ItemRef } from '../../src/tracking/traceStore.js';
import { startTestServices, type TestServices } from '../helpers/server.js';

const { LEAD, DEAL, CONTACT, COMPANY, QUOTE } = CRM_ENTITY_TYPES;

/** CRM items that exist, and which of them each non-admin user may edit. */
class FakeCrm implements CrmItemAccess {
  readonly items = new Set<string>();
  readonly editable = new Map<number, Set<string>>();
  /** Every executor the contract was called with: tracking must pass its transaction along. */
  readonly executors: (Executor | undefined)[] = [];

  add(type: number, id: number, editors: number[] = []): ItemRef {
    this.items.add(`${type}:${id}`);
    for (const user of editors) {
      if (!this.editable.has(user)) this.editable.set(user, new Set());
      this.editable.get(user)!.add(`${type}:${id}`);
    }
    return { entityTypeId: type, entityId: id };
  }

  async canUpdate(type: number, id: number, caller: Caller, db?: Executor): Promise<boolean> {
    this.executors.push(db);
    return caller.isAdmin || (this.editable.get(caller.userId)?.has(`${type}:${id}`) ?? false);
  }

  async itemExists(type: number, id: number, db?: Executor): Promise<boolean> {
    this.executors.push(db);
    return this.items.has(`${type}:${id}`);
  }

  async holdItem(type: number, id: number, db: Executor): Promise<boolean> {
    return this.itemExists(type, id, db);
  }

  async holdItems(items: readonly ItemRef[], db: Executor): Promise<Set<string>> {
    const held = new Set<string>();
    for (const item of items) if (await this.holdItem(item.entityTypeId, item.entityId, db)) held.add(`${item.entityTypeId}:${item.entityId}`);
    return held;
  }
}

class RecordingUtm implements ItemUtmCopier {
  readonly calls: { item: ItemRef; tags: Record<string, string> }[] = [];
  async copyTagsToItemsWithoutAny(_db: Executor, items: readonly ItemRef[], tags: Record<string, string>): Promise<void> {
    for (const item of items) this.calls.push({ item, tags });
  }
}

function caller(userId: number, isAdmin = false): Caller {
  return { userId, isAdmin, authType: 'webhook', credentialId: userId, scopes: new Set(['crm']) };
}

const ADMIN = caller(1, true);
const NOW = Date.UTC(2026, 4, 1);
let opened: TestServices;
let services: Services;
let crm: FakeCrm;
let utm: RecordingUtm;
let tracking: TrackingService;

beforeAll(async () => {
  opened = await startTestServices({ clock: new ManualClock(NOW) });
  services = opened.services;
  await services.tracking.updateSource(1, { values: { UTM_SOURCE: ['google'] } });
  await services.tracking.addSource({ name: 'Mail', values: { UTM_SOURCE: ['mail'] } });
});
afterAll(async () => {
  await opened.close();
});
beforeEach(async () => {
  const db = services.db;
  await db.deleteFrom('tracking_trace_items').execute();
  await db.deleteFrom('tracking_trace_channels').execute();
  await db.deleteFrom('tracking_trace_tree').execute();
  await db.deleteFrom('tracking_traces').execute();
  crm = new FakeCrm();
  utm = new RecordingUtm();
  tracking = new TrackingService(services.db, services.clock, crm, utm, new CrmReadScopes(services.db));
});

async function create(trace: unknown, items: ItemRef[] = []): Promise<number> {
  return tracking.create(await tracking.prepare(decodeTraceText(JSON.stringify(trace))), async () => items, ADMIN.userId);
}

async function bindings(): Promise<[number, number, number][]> {
  const rows = await services.db.selectFrom('tracking_trace_items').select(['trace_id', 'entity_type_id', 'entity_id']).orderBy('id').execute();
  return rows.map((row) => [row.trace_id, row.entity_type_id, row.entity_id]);
}

async function traceIds(): Promise<number[]> {
  return (await services.db.selectFrom('tracking_traces').select('id').orderBy('id').execute()).map((row) => row.id);
}

async function rowCounts() {
  const db = services.db;
  const n = async (table: 'tracking_traces' | 'tracking_trace_items' | 'tracking_trace_channels' | 'tracking_trace_tree') =>
    Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return { traces: await n('tracking_traces'), items: await n('tracking_trace_items'), channels: await n('tracking_trace_channels'), tree: await n('tracking_trace_tree') };
}

/** main (3 previous: a with a1, b, c) — five traces. */
const TREE = {
  url: 'https://main.example/',
  tags: { list: { utm_source: 'google', utm_medium: 'cpc' } },
  previous: { list: [{ url: 'https://a.example/', previous: { list: [{ url: 'https://a1.example/' }] } }, { url: 'https://b.example/' }, { url: 'https://c.example/' }] },
};

describe('binding on crm.tracking.trace.add', () => {
  it('binds existing items to the trace and all its previous traces, skipping missing ones of every type', async () => {
    const contact = crm.add(CONTACT, 17);
    const id = await create(TREE, [contact, { entityTypeId: LEAD, entityId: 5 }, { entityTypeId: QUOTE, entityId: 3 }]);
    const ids = await traceIds();
    expect(ids).toHaveLength(5);
    expect(ids.at(-1)).toBe(id);
    // Post-order, as Bitrix's recursion: the deepest previous trace first, the trace itself last.
    const [a1, a, b, c] = ids;
    expect(await bindings()).toEqual([a1, c, b, a, id].map((traceId) => [traceId, CONTACT, 17]));
    // The existence checks ran inside the transaction.
    expect(crm.executors.every((executor) => executor !== undefined && executor !== services.db)).toBe(true);
  });

  it('is idempotent for the same item listed twice', async () => {
    const deal = crm.add(DEAL, 2);
    const id = await create({ url: 'https://x.example/' }, [deal, deal]);
    expect(await bindings()).toEqual([[id, DEAL, 2]]);
  });

  it('offers the trace’s own tags to the CRM, once per new binding', async () => {
    const deal = crm.add(DEAL, 2);
    await create({ tags: { list: { utm_source: 'google' } }, previous: { list: [{ tags: { list: { utm_source: 'mail' } } }] } }, [deal, deal]);
    expect(utm.calls).toEqual([{ item: deal, tags: { UTM_SOURCE: 'google' } }]);
    utm.calls.length = 0;
    await create({ url: 'https://no-tags.example/' }, [deal]);
    expect(utm.calls).toEqual([]);
  });
});

describe('crm.tracking.trace.delete', () => {
  it('unbinds only the items the caller may edit, keeps the trace, and undoes the propagation', async () => {
    const mine = crm.add(CONTACT, 1, [7]);
    const theirs = crm.add(DEAL, 1);
    const id = await create(TREE, [mine, theirs]);
    const before = await rowCounts();
    await tracking.delete(id, caller(7));
    const ids = await traceIds();
    expect(ids).toHaveLength(5);
    expect((await bindings()).sort()).toEqual(ids.map((traceId) => [traceId, DEAL, 1]).sort());
    const after = await rowCounts();
    expect(after).toEqual({ ...before, items: before.items - 5 });
  });

  it('removes everything once the caller may edit every bound item', async () => {
    const a = crm.add(CONTACT, 1, [7]);
    const b = crm.add(DEAL, 1, [7]);
    const keep = await create({ url: 'https://keep.example/' }, [a]);
    const id = await create(TREE, [a, b]);
    await tracking.delete(id, caller(7));
    expect(await traceIds()).toEqual([keep]);
    expect(await bindings()).toEqual([[keep, CONTACT, 1]]);
    expect(await rowCounts()).toEqual({ traces: 1, items: 1, channels: 1, tree: 0 });
  });

  it('keeps a previous trace that is still bound to another item, as a trace of its own', async () => {
    const a = crm.add(CONTACT, 1);
    const other = crm.add(COMPANY, 9);
    const id = await create(TREE, [a]);
    const [a1, previousA] = await traceIds();
    // previousA (with a1 below it) becomes the trace of another item too.
    await services.db.transaction().execute((trx) =>
      tracking.onItemAdded(trx, added(COMPANY, 9, { TRACE: String(previousA) })),
    );
    await tracking.delete(id, ADMIN);
    expect(await traceIds()).toEqual([a1, previousA]);
    expect((await bindings()).sort()).toEqual([[a1, COMPANY, 9], [previousA, COMPANY, 9]].sort());
    const tree = await services.db.selectFrom('tracking_trace_tree').select(['parent_id', 'child_id']).execute();
    expect(tree).toEqual([{ parent_id: previousA, child_id: a1 }]);
    expect(other).toEqual({ entityTypeId: COMPANY, entityId: 9 });
  });

  it('passes its transaction to the permission checks and changes nothing for an unknown ID', async () => {
    const a = crm.add(CONTACT, 1);
    await create(TREE, [a]);
    const before = await rowCounts();
    crm.executors.length = 0;
    await tracking.delete(123456, ADMIN);
    expect(await rowCounts()).toEqual(before);
    await tracking.delete((await traceIds()).at(-1)!, ADMIN);
    expect(crm.executors.length).toBeGreaterThan(0);
    expect(crm.executors.every((executor) => executor !== undefined && executor !== services.db)).toBe(true);
  });
});

function added(
  entityTypeId: CrmEntityTypeId,
  id: number,
  fields: Record<string, unknown>,
  viaTypedMethod = true,
  links: { contactId?: number; companyId?: number } = {},
): ItemAddedEvent {
  return { entityTypeId, id, fields, caller: ADMIN, contactId: links.contactId ?? null, companyId: links.companyId ?? null, viaTypedMethod };
}

async function runAdded(event: ItemAddedEvent): Promise<void> {
  crm.add(event.entityTypeId, event.id);
  await services.db.transaction().execute((trx) => tracking.onItemAdded(trx, event));
}

async function latestTraceOf(type: number, id: number) {
  const row = await services.db
    .selectFrom('tracking_trace_items')
    .select('trace_id')
    .where('entity_type_id', '=', type)
    .where('entity_id', '=', id)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!row) return undefined;
  return (await tracking.readWithPrevious(row.trace_id))[0];
}

describe('TRACE on a typed add method (onItemAdded)', () => {
  it('builds a trace from JSON, lets UTM_* fields override its tags, adds a rest channel and binds the item', async () => {
    await runAdded(
      added(LEAD, 10, {
        TITLE: 'Lead',
        TRACE: JSON.stringify({ url: 'https://land.example/', tags: { list: { utm_source: 'nothing', utm_medium: 'cpc', utm_term: 'shoes' } } }),
        UTM_MEDIUM: 'email',
        UTM_SOURCE: 'google',
        UTM_CAMPAIGN: '',
      }),
    );
    const trace = await latestTraceOf(LEAD, 10);
    expect(trace).toMatchObject({
      createdAt: NOW / 1000,
      sourceId: 1,
      tags: { UTM_SOURCE: 'google', UTM_MEDIUM: 'email', UTM_TERM: 'shoes' },
      channels: [{ code: 'site-domain', value: 'land.example' }, { code: 'rest', value: null }],
      items: [{ entityTypeId: LEAD, entityId: 10 }],
    });
  });

  it('keeps the JSON source when the item UTM_SOURCE names another', async () => {
    await runAdded(added(CONTACT, 11, { TRACE: '{"tags":{"list":{"utm_source":"mail"}}}', UTM_SOURCE: 'google' }));
    const trace = await latestTraceOf(CONTACT, 11);
    expect(trace?.sourceId).toBe(7);
    expect(trace?.tags).toEqual({ UTM_SOURCE: 'google' });
  });

  it('gives a source from UTM fields alone', async () => {
    await runAdded(added(COMPANY, 12, { UTM_SOURCE: 'google', UTM_MEDIUM: 'cpc' }));
    expect(await latestTraceOf(COMPANY, 12)).toMatchObject({ sourceId: 1, tags: { UTM_SOURCE: 'google', UTM_MEDIUM: 'cpc' }, channels: [{ code: 'rest', value: null }] });
  });

  it('still creates an empty, organic trace with neither TRACE nor UTM, or with TRACE that is not JSON', async () => {
    await runAdded(added(QUOTE, 13, { TITLE: 'Quote' }));
    await runAdded(added(QUOTE, 14, { TRACE: 'not json' }));
    await runAdded(added(QUOTE, 15, { TRACE: { url: 'an object is not text' } }));
    for (const id of [13, 14, 15]) {
      expect(await latestTraceOf(QUOTE, id)).toMatchObject({ sourceId: null, tags: {}, pages: [], channels: [{ code: 'rest', value: null }] });
    }
  });

  it('binds an existing trace named by a numeric TRACE, with its previous traces, and creates nothing', async () => {
    const existing = await create(TREE);
    const before = await rowCounts();
    await runAdded(added(DEAL, 16, { TRACE: String(existing) }));
    await runAdded(added(DEAL, 17, { TRACE: existing }));
    const after = await rowCounts();
    expect(after.traces).toBe(before.traces);
    expect(after.channels).toBe(before.channels + 1); // one rest channel, added once
    expect(after.items).toBe(before.items + 10);
    expect((await latestTraceOf(DEAL, 16))?.id).toBe(existing);
  });

  it('creates an empty trace when a numeric TRACE names no trace', async () => {
    await runAdded(added(DEAL, 18, { TRACE: '987654' }));
    const trace = await latestTraceOf(DEAL, 18);
    expect(trace?.id).not.toBe(987654);
    expect(trace).toMatchObject({ sourceId: null, channels: [{ code: 'rest', value: null }] });
  });

  it('binds a deal’s stored contact and company with their own types', async () => {
    crm.add(CONTACT, 30);
    crm.add(COMPANY, 31);
    await runAdded(added(DEAL, 19, { TRACE: '{"url":"https://d.example/"}', CONTACT_ID: '99', COMPANY_ID: 98 }, true, { contactId: 30, companyId: 31 }));
    const trace = await latestTraceOf(DEAL, 19);
    expect(trace?.items).toEqual([
      { entityTypeId: DEAL, entityId: 19 },
      { entityTypeId: CONTACT, entityId: 30 },
      { entityTypeId: COMPANY, entityId: 31 },
    ]);
  });

  it('reuses a trace already bound to the item', async () => {
    const existing = await create({ url: 'https://pre.example/' });
    crm.add(LEAD, 20);
    await services.db.insertInto('tracking_trace_items').values({ trace_id: existing, entity_type_id: LEAD, entity_id: 20 }).execute();
    await runAdded(added(LEAD, 20, { TRACE: '{"url":"https://ignored.example/"}' }));
    expect(await traceIds()).toEqual([existing]);
  });

  it('creates no trace for crm.item.add', async () => {
    await runAdded(added(LEAD, 21, { TRACE: '{"url":"https://x.example/"}', UTM_SOURCE: 'google' }, false));
    expect(await rowCounts()).toEqual({ traces: 0, items: 0, channels: 0, tree: 0 });
  });

  it('refuses a TRACE over the limits with ERROR_CORE, so the item add rolls back', async () => {
    const huge = JSON.stringify({ url: 'x'.repeat(TRACE_MAX_BYTES) });
    // The hook throws tracking's own error; crm.{type}.add answers it through its family's table.
    const attempt = withLegacyErrors(() =>
      services.db.transaction().execute(async (trx) => {
        await trx.insertInto('tracking_traces').values({ created_at: 1 }).execute(); // stands for the item row
        await tracking.onItemAdded(trx, added(LEAD, 22, { TRACE: huge }));
      }),
    );
    await expect(attempt).rejects.toBeInstanceOf(RestError);
    await expect(attempt).rejects.toMatchObject({ code: 'ERROR_CORE', status: 400, description: `Parameter \`TRACE\` is too large: the limit is ${TRACE_MAX_BYTES} bytes.` });
    expect(await rowCounts()).toEqual({ traces: 0, items: 0, channels: 0, tree: 0 });
  });
});

describe('item deletion (onItemDeleted)', () => {
  it('removes all the item’s bindings and the traces nothing else needs, previous traces included', async () => {
    const lead = crm.add(LEAD, 1);
    const deal = crm.add(DEAL, 1);
    const onlyLead = await create(TREE, [lead]);
    const shared = await create({ url: 'https://shared.example/', previous: { list: [{ url: 'https://shared-prev.example/' }] } }, [lead, deal]);
    const unrelated = await create({ url: 'https://unbound.example/' });
    await services.db.transaction().execute((trx) => tracking.onItemDeleted(trx, LEAD, 1));
    const ids = await traceIds();
    expect(ids).toEqual([shared - 1, shared, unrelated]);
    expect(ids).not.toContain(onlyLead);
    // Previous traces are bound before the trace itself.
    expect(await bindings()).toEqual([
      [shared - 1, DEAL, 1],
      [shared, DEAL, 1],
    ]);
    const orphans = await services.db
      .selectFrom('tracking_trace_channels')
      .select('trace_id')
      .where('trace_id', 'not in', ids)
      .execute();
    expect(orphans).toEqual([]);
  });
});
