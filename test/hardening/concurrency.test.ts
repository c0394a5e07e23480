// Concurrency (issue 5): trace adds, trace deletes, typed item adds with TRACE and item deletes,
// all at once on overlapping items, from an administrator and from a user who may edit only
// their own items. Afterwards the whole database must be consistent and agree with every answer.
// SQLite runs one write transaction at a time; under `npm run test:postgres` the same run
// happens on PostgreSQL, where transactions truly overlap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CRM_ENTITY_TYPES, type CrmEntityTypeName } from '../../src/crm/contract.js';
import { callJson, startTestServer, type HttpAnswer, type TestServer } from '../helpers/server.js';
import { ok, userWithGrants, type Grants, type TestUser } from '../crm/helpers.js';
import { integrityProblems } from '../tracking/helpers.js';
import { mainTracesOf, markedTrace, readAllTraces, strayTraces, wholenessProblems } from './traceModel.js';

interface Item {
  readonly type: CrmEntityTypeName;
  readonly id: number;
  readonly key: string;
  readonly mine: boolean;
}

/** A small deterministic generator, so a failure can be reproduced. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
}

interface TraceAdd {
  readonly marker: string;
  readonly byLimited: boolean;
  readonly previous: number;
  readonly listed: Item[];
  answer?: HttpAnswer;
  deletedBy?: 'admin' | 'limited';
}

interface DealAdd {
  readonly marker: string;
  readonly contact: Item;
  answer?: HttpAnswer;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('parallel trace add, trace delete and item delete on overlapping items', () => {
  let server: TestServer;
  let limited: TestUser;
  const items: Item[] = [];

  beforeAll(async () => {
    server = await startTestServer();
    await ok(server, 'salestrace.source.update', { id: 1, fields: { UTM_SOURCE: ['google'] } });
    // The deals below send a TRACE for a contact with recent traces: with the attribution window
    // on, each would get a bare copy of the contact's source instead (§4.4, tested in
    // test/analytics/attributionWindow.test.ts). This test follows the TRACE itself.
    await ok(server, 'salestrace.attribution.window.set', { offline: 'N' });
    const actions = { READ: 'ALL', ADD: 'OWN', WRITE: 'OWN', DELETE: 'NONE' } as const;
    const grants: Grants = { LEAD: actions, DEAL: actions, CONTACT: actions, COMPANY: actions, QUOTE: actions };
    limited = await userWithGrants(server, grants);
    const plan: [CrmEntityTypeName, boolean][] = [
      ['CONTACT', true],
      ['CONTACT', true],
      ['CONTACT', false],
      ['CONTACT', false],
      ['DEAL', true],
      ['DEAL', false],
      ['DEAL', false],
      ['LEAD', true],
      ['LEAD', false],
      ['COMPANY', false],
      ['QUOTE', true],
      ['QUOTE', false],
    ];
    for (const [type, mine] of plan) {
      const fields: Record<string, unknown> = type === 'CONTACT' ? { name: `${type}` } : { title: `${type}` };
      fields.assignedById = mine ? limited.id : 1;
      const { item } = await ok(server, 'crm.item.add', { entityTypeId: CRM_ENTITY_TYPES[type], fields });
      items.push({ type, id: item.id, key: `${CRM_ENTITY_TYPES[type]}:${item.id}`, mine });
    }
  });
  afterAll(async () => {
    await server?.close();
  });

  it('leaves a consistent database that agrees with every answer', async () => {
    const next = random(20260401);
    const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)];
    // Deleted while the traces come in: a foreign contact, a foreign deal, the user's own lead and quote.
    const doomed = [items[2], items[5], items[7], items[10]];
    const adds: TraceAdd[] = [];
    const deals: DealAdd[] = [];
    const itemDeletes: { item: Item; answer?: HttpAnswer }[] = doomed.map((item) => ({ item }));
    const work: Promise<unknown>[] = [];

    for (let n = 0; n < 60; n++) {
      const byLimited = n % 3 === 1;
      const pool = byLimited && n % 2 === 0 ? items.filter((item) => item.mine) : items;
      const listed = n % 10 === 0 ? [] : Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(pool));
      const add: TraceAdd = { marker: `t${n}`, byLimited, previous: n % 3, listed };
      adds.push(add);
      const deleter = next();
      work.push(
        (async () => {
          const params = { TRACE: JSON.stringify(markedTrace(add.marker, add.previous)), ENTITIES: listed.map((item) => ({ TYPE: item.type, ID: item.id })) };
          add.answer = await callJson(server, 'crm.tracking.trace.add', params, byLimited ? limited.base : undefined);
          if (add.answer.status !== 200 || deleter > 0.5) return;
          const who = deleter < 0.2 ? 'admin' : 'limited';
          const answer = await callJson(server, 'crm.tracking.trace.delete', { id: add.answer.body.result }, who === 'admin' ? undefined : limited.base);
          expect(answer.status, answer.text).toBe(200);
          expect(answer.body.result).toBeNull();
          add.deletedBy = who;
        })(),
      );
    }
    for (let n = 0; n < 6; n++) {
      const deal: DealAdd = { marker: `d${n}`, contact: items[n % 4] };
      deals.push(deal);
      work.push(
        (async () => {
          await pause(n * 3);
          const fields = { TITLE: deal.marker, CONTACT_ID: deal.contact.id, TRACE: JSON.stringify(markedTrace(deal.marker, 1)) };
          deal.answer = await callJson(server, 'crm.deal.add', { fields });
        })(),
      );
    }
    itemDeletes.forEach((entry, n) =>
      work.push(
        (async () => {
          await pause(5 + n * 7);
          entry.answer = await callJson(server, `crm.${entry.item.type.toLowerCase()}.delete`, { id: entry.item.id });
        })(),
      ),
    );
    await Promise.all(work);

    // Every item delete succeeded; the items and all their bindings are gone.
    const deleted = new Set<string>();
    for (const entry of itemDeletes) {
      expect(entry.answer?.body, entry.answer?.text).toMatchObject({ result: true });
      deleted.add(entry.item.key);
    }
    const db = server.services.db;
    expect(await integrityProblems(db)).toEqual([]);
    const all = await readAllTraces(db);
    for (const trace of all.values()) for (const key of trace.bindings) expect(deleted.has(key), `trace ${trace.id} bound to ${key}`).toBe(false);

    const problems: string[] = [];
    const expectedTraceRows: number[] = [];
    for (const add of adds) {
      const answer = add.answer!;
      const mains = mainTracesOf(all, add.marker);
      if (answer.status !== 200) {
        // Only the limited user is ever refused, and only for an item that was not theirs (or no longer existed).
        const blocked = add.listed.find((item) => !item.mine || deleted.has(item.key));
        expect(add.byLimited, answer.text).toBe(true);
        expect(blocked, answer.text).toBeDefined();
        const named = add.listed.find((item) => answer.body.error_description === `You have no access to entity \`${item.type}\` with ID \`${item.id}\`.`);
        expect(named, answer.text).toBeDefined();
        expect(!named!.mine || deleted.has(named!.key), answer.text).toBe(true);
        if (mains.length > 0) problems.push(`${add.marker}: refused but written`);
        continue;
      }
      expect(add.byLimited && add.listed.some((item) => !item.mine && !deleted.has(item.key)), answer.text).toBe(false);
      const id = answer.body.result as number;
      const listed = [...new Set(add.listed.map((item) => item.key))];
      const surviving = listed.filter((key) => !deleted.has(key));
      const editable = (key: string) => items.find((item) => item.key === key)!.mine;
      const expectedBindings = add.deletedBy === 'admin' ? [] : surviving.filter((key) => add.deletedBy !== 'limited' || !editable(key));
      const present = mains.length === 1 && mains[0].id === id;
      if (add.deletedBy === 'admin' && mains.length > 0) problems.push(`${add.marker}: deleted by the administrator but present`);
      else if (expectedBindings.length > 0 && !present) problems.push(`${add.marker}: bound to ${expectedBindings.join(',')} but missing`);
      else if (listed.length === 0 && add.deletedBy === undefined && !present) problems.push(`${add.marker}: unbound and never deleted, but missing`);
      if (present) {
        problems.push(...wholenessProblems(all, add.marker, { previous: add.previous, channels: ['site-domain', 'form'], bindings: expectedBindings }));
        expectedTraceRows.push(id, ...mains[0].children);
      }
    }
    for (const deal of deals) {
      const answer = deal.answer!;
      const mains = mainTracesOf(all, deal.marker);
      if (answer.status !== 200) {
        // Its contact was deleted first: the deal is refused and nothing is written.
        expect(deleted.has(deal.contact.key), answer.text).toBe(true);
        expect(answer.body).toEqual({ error: '', error_description: 'Invalid value for the "Contacts" field' });
        if (mains.length > 0) problems.push(`${deal.marker}: refused but written`);
        continue;
      }
      const dealId = answer.body.result as number;
      const bindings = [`2:${dealId}`, ...(deleted.has(deal.contact.key) ? [] : [deal.contact.key])];
      if (mains.length !== 1) problems.push(`${deal.marker}: ${mains.length} traces`);
      else {
        problems.push(...wholenessProblems(all, deal.marker, { previous: 1, channels: ['site-domain', 'form', 'rest'], bindings }));
        expectedTraceRows.push(mains[0].id, ...mains[0].children);
      }
    }
    problems.push(...strayTraces(all, new Set([...adds, ...deals].map((a) => a.marker))).map((id) => `stray trace ${id}`));
    expect(problems).toEqual([]);
    // Nothing but the traces accounted for above.
    expect([...all.keys()].sort((a, b) => a - b)).toEqual(expectedTraceRows.sort((a, b) => a - b));
    // The run did exercise every path.
    expect(adds.filter((a) => a.answer!.status !== 200).length).toBeGreaterThan(0);
    expect(adds.filter((a) => a.deletedBy === 'limited').length).toBeGreaterThan(0);
    expect(adds.filter((a) => a.deletedBy === 'admin').length).toBeGreaterThan(0);
  });
});
