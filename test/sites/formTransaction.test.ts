// POST /pub/form/{code} writes in one transaction: the trace and its bindings, the contact, the
// lead, the events their adds raise into the outbox, and the guest's links. A failure after the
// contact's insert (the lead's insert refused by a trigger) leaves the database as it was.
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { TEST_DIALECT } from '../helpers/database.js';
import { dumpDatabase } from '../helpers/dbDump.js';
import { callJson, request, startTestServer, type HttpAnswer, type TestServer } from '../helpers/server.js';

let server: TestServer;
let code: string;
beforeAll(async () => {
  // A failed delivery waits ten minutes for its retry, so the outbox keeps what the adds raised.
  server = await startTestServer({ config: { eventRetryDelayMs: 600_000, eventTimeoutMs: 1000 } });
  expect((await callJson(server, 'salestrace.site.add', { fields: { ADDRESS: 'https://shop.example/' } })).body.result).toBe(1);
  const fields = { NAME: 'Call me back', FIELDS: { name: 'NAME', phone: 'PHONE' }, CREATE_CONTACT: 'Y' };
  expect((await callJson(server, 'salestrace.form.add', { fields })).body.result).toBe(1);
  code = (await callJson(server, 'salestrace.form.get', { id: 1 })).body.result.CODE;
  await server.services.events.addOutgoingWebhook('http://127.0.0.1:9/hook', ['ONCRMCONTACTADD', 'ONCRMLEADADD', 'ONCRMCONTACTDELETE']);
});
afterAll(async () => {
  await server.close();
});

function post(): Promise<HttpAnswer> {
  const trace = JSON.stringify({ url: 'https://shop.example/contacts', tags: { ts: 1780300000, list: { utm_source: 'google' } }, gid: 'visitorgid0002' });
  return request(`${server.httpUrl}/pub/form/${code}`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'https://shop.example', accept: 'application/json' },
    body: new URLSearchParams({ name: 'Anna', phone: '+7 999 000-11-22', trace }).toString(),
  });
}

/** Every insert of a lead fails: the contact, its trace binding and its event are written by then. */
async function failLeadInserts(): Promise<void> {
  const db = server.services.db;
  if (TEST_DIALECT === 'sqlite') {
    await sql`create trigger no_leads before insert on crm_lead begin select raise(abort, 'no leads'); end`.execute(db);
    return;
  }
  await sql`create function no_leads() returns trigger as $$ begin raise exception 'no leads'; end $$ language plpgsql`.execute(db);
  await sql`create trigger no_leads before insert on crm_lead for each row execute function no_leads()`.execute(db);
}

async function allowLeads(): Promise<void> {
  await sql`drop trigger no_leads${sql.raw(TEST_DIALECT === 'sqlite' ? '' : ' on crm_lead')}`.execute(server.services.db);
}

const count = async (table: 'crm_contact' | 'crm_lead' | 'tracking_traces' | 'tracking_trace_items' | 'event_outbox' | 'site_guest_items') =>
  Number((await server.services.db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

it('writes nothing when the lead fails after the contact, and answers INTERNAL_SERVER_ERROR', async () => {
  await failLeadInserts();
  const before = await dumpDatabase(server.services.db);
  const answer = await post();
  expect(answer.status, answer.text).toBe(500);
  expect(answer.body).toEqual({ error: 'INTERNAL_SERVER_ERROR', error_description: 'Internal server error' });
  expect(answer.headers.get('set-cookie')).toBeNull();
  expect(await dumpDatabase(server.services.db)).toBe(before);
  for (const table of ['crm_contact', 'crm_lead', 'tracking_traces', 'tracking_trace_items', 'event_outbox', 'site_guest_items'] as const) {
    expect(await count(table), table).toBe(0);
  }
});

it('writes all of it once the lead can be written', async () => {
  await allowLeads();
  const answer = await post();
  expect(answer.status, answer.text).toBe(200);
  const { LEAD_ID, CONTACT_ID } = answer.body.result;
  expect(await count('crm_contact')).toBe(1);
  expect(await count('crm_lead')).toBe(1);
  expect(await count('tracking_traces')).toBe(1);
  expect(await count('tracking_trace_items')).toBe(2);
  expect(await count('site_guest_items')).toBe(2);
  const events = await server.services.db.selectFrom('event_outbox').select(['event_name', 'data_json']).orderBy('id').execute();
  expect(events).toEqual([
    { event_name: 'ONCRMCONTACTADD', data_json: JSON.stringify({ FIELDS: { ID: CONTACT_ID } }) },
    { event_name: 'ONCRMLEADADD', data_json: JSON.stringify({ FIELDS: { ID: LEAD_ID } }) },
  ]);
});
