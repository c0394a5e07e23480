// Read-then-write paths racing the write that would change what they read. PostgreSQL runs
// these side by side at READ COMMITTED, where only the row locks of src/db/dialects/rowLocks.ts
// keep the outcome one some serial order would give (SQLite runs them one at a time and must
// give the same answers). Each round starts the two calls together; every call must succeed.
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ok } from '../crm/helpers.js';
import { createTestApp, grantTokens } from '../helpers/oauth.js';
import { callJson, request, startTestServer, type HttpAnswer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const ROUNDS = 25;

function expectSuccess(answer: HttpAnswer): void {
  expect([answer.status, answer.body?.error, answer.body?.error_description]).toEqual([200, undefined, undefined]);
}

async function count(query: ReturnType<typeof sql<{ n: number | string }>>): Promise<number> {
  return Number((await query.execute(server.services.db)).rows[0].n);
}

/** A lead's UTM rows as `{ utm_source: value, … }`. */
async function leadUtm(lead: number): Promise<Record<string, string>> {
  const rows = await server.services.db.selectFrom('crm_utm').select(['code', 'value']).where('entity_type_id', '=', 1).where('entity_id', '=', lead).execute();
  return Object.fromEntries(rows.map((row) => [row.code.toLowerCase(), row.value]));
}

async function unboundDeals(ids: readonly number[]): Promise<number[]> {
  const bound = await server.services.db
    .selectFrom('tracking_trace_items')
    .select('entity_id')
    .where('entity_type_id', '=', 2)
    .where('entity_id', 'in', [...ids])
    .execute();
  const boundIds = new Set(bound.map((row) => row.entity_id));
  return ids.filter((id) => !boundIds.has(id));
}

describe('row locks under concurrent writers', () => {
  it('a deal added with the TRACE of a trace that is being deleted gets that trace or a new one, never a 500', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const trace = await ok(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify({ url: `https://gone${round}.example/` }) });
      const [deleted, added] = await Promise.all([
        callJson(server, 'crm.tracking.trace.delete', { id: trace }),
        callJson(server, 'crm.deal.add', { fields: { TITLE: `with trace ${round}`, TRACE: String(trace) } }),
      ]);
      expectSuccess(deleted);
      expectSuccess(added);
    }
    expect(await count(sql`select count(*) as n from tracking_trace_items i
      where not exists (select 1 from tracking_traces t where t.id = i.trace_id)`)).toBe(0);
  });

  it('a trace that an item delete finds unused is not the one a concurrent add has just bound', async () => {
    const deals: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const lead = await ok(server, 'crm.lead.add', { fields: { TITLE: `lead ${round}` } });
      const trace = await ok(server, 'crm.tracking.trace.add', {
        TRACE: JSON.stringify({ url: `https://shared${round}.example/` }),
        ENTITIES: [{ TYPE: 'LEAD', ID: lead }],
      });
      const [deleted, added] = await Promise.all([
        callJson(server, 'crm.lead.delete', { id: lead }),
        callJson(server, 'crm.deal.add', { fields: { TITLE: `shares ${round}`, TRACE: String(trace) } }),
      ]);
      expectSuccess(deleted);
      expectSuccess(added);
      deals.push(added.body.result as number);
    }
    // Bound to the named trace (which then stays) or, when the delete took it first, to a new one.
    expect(await unboundDeals(deals)).toEqual([]);
  });

  it('two traces bound at once to an item without UTM values give it the tags of one of them, not a mix', async () => {
    const first = { utm_source: 'first', utm_medium: 'cpc' };
    const second = { utm_source: 'second', utm_campaign: 'spring' };
    for (let round = 0; round < ROUNDS; round++) {
      const lead = await ok(server, 'crm.lead.add', { fields: { TITLE: `no utm ${round}` } });
      const answers = await Promise.all(
        [first, second].map((list) =>
          callJson(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify({ tags: { list } }), ENTITIES: [{ TYPE: 'LEAD', ID: lead }] }),
        ),
      );
      for (const answer of answers) expectSuccess(answer);
      expect([first, second]).toContainEqual(await leadUtm(lead));
    }
  });

  it('a trace bound to an item with UTM values while an update clears them leaves none or the trace’s, not a mix', async () => {
    const tags = { utm_source: 'new', utm_campaign: 'spring' };
    const cleared = { UTM_SOURCE: '', UTM_MEDIUM: '', UTM_CAMPAIGN: '', UTM_CONTENT: '', UTM_TERM: '' };
    for (let round = 0; round < ROUNDS; round++) {
      const lead = await ok(server, 'crm.lead.add', { fields: { TITLE: `utm ${round}`, UTM_SOURCE: 'old', UTM_MEDIUM: 'email' } });
      const answers = await Promise.all([
        callJson(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify({ tags: { list: tags } }), ENTITIES: [{ TYPE: 'LEAD', ID: lead }] }),
        callJson(server, 'crm.lead.update', { id: lead, fields: cleared }),
      ]);
      for (const answer of answers) expectSuccess(answer);
      // The copy after the update gives the trace's tags; before it (the lead still had its own), nothing.
      expect([{}, tags]).toContainEqual(await leadUtm(lead));
    }
  });

  it('a source updated while it is being deleted is updated first or not found, and leaves no values behind', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const source = await ok(server, 'salestrace.source.add', { fields: { NAME: `Source ${round}`, UTM_SOURCE: ['old'] } });
      const [updated, deleted] = await Promise.all([
        callJson(server, 'salestrace.source.update', { id: source, fields: { UTM_SOURCE: [`new${round}`, `other${round}`] } }),
        callJson(server, 'salestrace.source.delete', { id: source }),
      ]);
      expectSuccess(deleted);
      if (updated.status !== 200) {
        expect(updated.body).toEqual({ error: 'SOURCE_NOT_FOUND', error_description: `Source with ID \`${source}\` not found.` });
      }
    }
    expect(await count(sql`select count(*) as n from tracking_source_values v
      where not exists (select 1 from tracking_sources s where s.id = v.source_id)`)).toBe(0);
  });

  it('two refreshes with the same refresh token: exactly one gets a new pair', async () => {
    const app = await createTestApp(server, ['crm']);
    for (let round = 0; round < ROUNDS; round++) {
      const pair = await grantTokens(server, app.app.id);
      const body = new URLSearchParams({
        grant_type: 'refresh_token',
        client_id: app.clientId,
        client_secret: app.clientSecret,
        refresh_token: pair.refreshToken,
      }).toString();
      const answers = await Promise.all(
        [0, 1].map(() =>
          request(`${server.httpUrl}/oauth/token/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([200, 400]);
      expect(answers.find((answer) => answer.status === 400)?.body).toEqual({
        error: 'invalid_grant',
        error_description: 'The refresh token is invalid, expired or already used',
      });
    }
  });
});
