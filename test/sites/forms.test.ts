// Site forms: salestrace.form.* and POST /pub/form/{code} over real sockets, on a page of an
// active own site. A post creates the contact and the lead with the visitor's trace bound and a
// `form` channel, links the guest, and answers JSON or a 303; every refusal writes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, request, startTestServer, type HttpAnswer, type TestServer } from '../helpers/server.js';
import { getTrace, userWebhook } from '../tracking/helpers.js';

let server: TestServer;
let code: string;
beforeAll(async () => {
  server = await startTestServer();
  expect((await callJson(server, 'salestrace.site.add', { fields: { ADDRESS: 'https://shop.example/' } })).body.result).toBe(1);
  expect((await callJson(server, 'salestrace.site.add', { fields: { ADDRESS: 'https://blog.example/' } })).body.result).toBe(2);
  expect((await callJson(server, 'salestrace.source.update', { id: 1, fields: { UTM_SOURCE: ['google'] } })).body.result).toBe(true);
});
afterAll(async () => {
  await server.close();
});

const FORM = {
  NAME: 'Call me back',
  FIELDS: { name: 'NAME', phone: 'PHONE', email: 'EMAIL', message: 'COMMENTS' },
  CREATE_CONTACT: 'Y',
  THANKS_URL: 'https://shop.example/thanks',
};

async function counts() {
  const db = server.services.db;
  const count = async (table: string) => Number((await db.selectFrom(table as 'sites').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
  return {
    leads: await count('crm_lead'),
    contacts: await count('crm_contact'),
    traces: await count('tracking_traces'),
    guests: await count('site_guests'),
    links: await count('site_guest_items'),
  };
}

function post(formCode: string, fields: Record<string, string>, headers: Record<string, string> = { origin: 'https://shop.example' }): Promise<HttpAnswer> {
  return request(`${server.httpUrl}/pub/form/${formCode}`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(fields).toString(),
  });
}

const TRACE = JSON.stringify({
  url: 'https://shop.example/contacts',
  device: { isMobile: false },
  tags: { ts: 1780300000, list: { utm_source: 'google', utm_campaign: 'spring' }, gclid: null },
  client: {},
  pages: { list: [['https://shop.example/?utm_source=google', 1780300000, 'Shop'], ['https://shop.example/contacts', 1780300100, 'Contacts']] },
  gid: 'visitorgid0001',
  previous: { list: [{ url: 'https://shop.example/', tags: { ts: 1780000000, list: { utm_source: 'newsletter' } }, pages: { list: [['https://shop.example/', 1780000000, 'Shop']] } }] },
});

describe('salestrace.form.*', () => {
  it('adds a form with a random code and shows it', async () => {
    const added = await callJson(server, 'salestrace.form.add', { fields: FORM });
    expect(added.status, added.text).toBe(200);
    expect(added.body.result).toBe(1);
    const got = (await callJson(server, 'salestrace.form.get', { id: 1 })).body.result;
    code = got.CODE;
    expect(code).toMatch(/^[a-z0-9]{16}$/);
    expect(got).toEqual({
      ID: 1, CODE: code, NAME: 'Call me back', SITE_ID: null, FIELDS: FORM.FIELDS, CREATE_CONTACT: 'Y', RESPONSIBLE_ID: 1,
      THANKS_URL: 'https://shop.example/thanks', ACTIVE: 'Y', DATE_CREATE: expect.stringMatching(/^\d{4}-/), URL: `/pub/form/${code}`,
    });
    const list = await callJson(server, 'salestrace.form.list', {});
    expect(list.body.total).toBe(1);
    expect(list.body.result[0].CODE).toBe(code);
  });

  it('refuses bad definitions with ERROR_ARGUMENT naming the field, and writes nothing', async () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ FIELDS: FORM.FIELDS }, 'Field `NAME` is required and must not be empty.', 'NAME'],
      [{ NAME: 'x', FIELDS: { amount: 'OPPORTUNITY' } }, 'Field `FIELDS` must map form field names to lead fields: TITLE, NAME, LAST_NAME, SECOND_NAME, COMPANY_TITLE, POST, PHONE, EMAIL, COMMENTS, ADDRESS, WEB.', 'FIELDS'],
      [{ NAME: 'x', FIELDS: FORM.FIELDS, SITE_ID: 99 }, 'Field `SITE_ID` must be the ID of an own site, or empty for any.', 'SITE_ID'],
      [{ NAME: 'x', FIELDS: FORM.FIELDS, RESPONSIBLE_ID: 999 }, 'Field `RESPONSIBLE_ID` must be the ID of a user.', 'RESPONSIBLE_ID'],
      [{ NAME: 'x', FIELDS: FORM.FIELDS, THANKS_URL: 'javascript:alert(1)' }, 'Field `THANKS_URL` must be an http(s) address, or empty.', 'THANKS_URL'],
    ];
    for (const [fields, description, argument] of cases) {
      const answer = await callJson(server, 'salestrace.form.add', { fields });
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: 'ERROR_ARGUMENT', error_description: description, argument });
    }
    expect((await callJson(server, 'salestrace.form.get', { id: 9 })).body).toEqual({ error: 'FORM_NOT_FOUND', error_description: 'Form with ID `9` not found.' });
    expect((await callJson(server, 'salestrace.form.list', {})).body.total).toBe(1);
    const base = await userWebhook(server, { admin: false });
    expect((await callJson(server, 'salestrace.form.add', { fields: FORM }, base)).status).toBe(403);
  });
});

describe('POST /pub/form/{code}', () => {
  it('creates the contact and the lead with the visitor’s trace, a form channel, and the guest linked', async () => {
    const answer = await post(
      code,
      { name: 'Anna', phone: '+7 999 000-11-22', email: 'anna@mail.example', message: 'Call after 5', trace: TRACE },
      { origin: 'https://shop.example', accept: 'application/json', referer: 'https://shop.example/contacts' },
    );
    expect(answer.status, answer.text).toBe(200);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(answer.headers.get('access-control-allow-credentials')).toBe('true');
    expect(answer.headers.get('set-cookie')).toBe('b24_crm_guest_id=visitorgid0001; Path=/; Max-Age=315360000; HttpOnly; SameSite=Lax');
    const { LEAD_ID, CONTACT_ID, TRACE_ID } = answer.body.result;
    expect(answer.body.result).toEqual({ LEAD_ID, CONTACT_ID, TRACE_ID, GID: 'visitorgid0001' });

    const trace = await getTrace(server, TRACE_ID);
    expect(trace.SOURCE_ID).toBe(1);
    expect(trace.TAGS).toEqual({ UTM_SOURCE: 'google', UTM_CAMPAIGN: 'spring' });
    expect(trace.PAGES.map((page: any) => page.URL)).toEqual(['https://shop.example/?utm_source=google', 'https://shop.example/contacts']);
    expect(trace.CHANNELS).toEqual([
      { CODE: 'site', VALUE: '1' },
      { CODE: 'form', VALUE: '1' },
      { CODE: 'rest', VALUE: null },
    ]);
    expect(trace.ENTITIES.map((item: any) => [item.TYPE, item.ID])).toEqual([['CONTACT', CONTACT_ID], ['LEAD', LEAD_ID]]);
    expect(trace.PREVIOUS_IDS).toHaveLength(1);
    const previous = await getTrace(server, trace.PREVIOUS_IDS[0]);
    expect(previous.TAGS).toEqual({ UTM_SOURCE: 'newsletter' });

    const lead = (await callJson(server, 'crm.lead.get', { id: LEAD_ID })).body.result;
    expect(lead).toMatchObject({ TITLE: 'Call me back', NAME: 'Anna', COMMENTS: 'Call after 5', CONTACT_ID: String(CONTACT_ID), ASSIGNED_BY_ID: '1', SOURCE_ID: 'WEB' });
    expect(lead.PHONE).toMatchObject([{ VALUE: '+7 999 000-11-22', VALUE_TYPE: 'WORK' }]);
    expect(lead.EMAIL).toMatchObject([{ VALUE: 'anna@mail.example', VALUE_TYPE: 'WORK' }]);
    expect(lead.UTM_SOURCE).toBe('google');
    const contact = (await callJson(server, 'crm.contact.get', { id: CONTACT_ID })).body.result;
    expect(contact).toMatchObject({ NAME: 'Anna', ASSIGNED_BY_ID: '1' });
    expect(await server.services.sites.guestItems('visitorgid0001')).toEqual([
      { entityTypeId: 1, entityId: LEAD_ID },
      { entityTypeId: 3, entityId: CONTACT_ID },
    ]);
  });

  it('answers a plain HTML post with a 303 to the thank-you page; without a trace the posting page is the trace', async () => {
    const before = await counts();
    const answer = await post(code, { name: 'Boris', phone: '123456' }, { referer: 'https://shop.example/form-page' });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('https://shop.example/thanks');
    const after = await counts();
    expect(after).toEqual({ ...before, leads: before.leads + 1, contacts: before.contacts + 1, traces: before.traces + 1, guests: before.guests + 1, links: before.links + 2 });
    const traceRow = await server.services.db.selectFrom('tracking_traces').select('id').orderBy('id', 'desc').executeTakeFirstOrThrow();
    const trace = await getTrace(server, traceRow.id);
    expect(trace.CHANNELS).toEqual([
      { CODE: 'site', VALUE: '1' },
      { CODE: 'form', VALUE: '1' },
      { CODE: 'rest', VALUE: null },
    ]);
    expect(trace.SOURCE_ID).toBe(0);
  });

  it('refuses bad posts with a clear error and writes nothing', async () => {
    const before = await counts();
    const cases: [Record<string, string>, Record<string, string>, number, Record<string, unknown>][] = [
      [{ name: 'A' }, {}, 403, { error: 'ACCESS_DENIED', error_description: 'A form is accepted only from a page of an active own site (the request names no Origin or Referer).' }],
      [{ name: 'A' }, { origin: 'https://evil.example' }, 403, { error: 'ACCESS_DENIED', error_description: 'Origin https://evil.example is not an active own site of this portal.' }],
      [{ name: 'A', salestrace_hp: 'http://spam' }, { origin: 'https://shop.example' }, 400, { error: 'FORM_REJECTED', error_description: 'The form was not accepted.' }],
      [{ name: ' ', other: 'x' }, { origin: 'https://shop.example' }, 400, { error: 'ERROR_ARGUMENT', error_description: 'The form has no filled field.' }],
      [{ name: 'A', email: 'not-an-address' }, { origin: 'https://shop.example' }, 400, { error: 'ERROR_CORE', error_description: 'The field `EMAIL` contains an invalid address' }],
      [{ name: 'A', trace: '{broken' }, { origin: 'https://shop.example' }, 400, { error: 'ERROR_ARGUMENT', error_description: 'Form field `trace` must be the JSON that b24Tracker.guest.getTrace() gives.', argument: 'trace' }],
      [{ name: 'A'.repeat(2001) }, { origin: 'https://shop.example' }, 400, { error: 'ERROR_ARGUMENT', error_description: 'Form field `name` is longer than 2000 characters.', argument: 'name' }],
    ];
    for (const [fields, headers, status, body] of cases) {
      const answer = await post(code, fields, headers);
      expect(answer.status, JSON.stringify(fields)).toBe(status);
      expect(answer.body).toEqual(body);
    }
    const unknown = await post('nosuchform', { name: 'A' });
    expect(unknown.status).toBe(404);
    expect(unknown.body).toEqual({ error: 'NOT_FOUND', error_description: 'There is no active form `nosuchform`.' });
    expect(await counts()).toEqual(before);
  });

  it('accepts a form bound to a site only from that site, and no inactive form', async () => {
    const added = await callJson(server, 'salestrace.form.add', { fields: { NAME: 'Blog form', FIELDS: { email: 'EMAIL' }, SITE_ID: 2 } });
    const blogCode = (await callJson(server, 'salestrace.form.get', { id: added.body.result })).body.result.CODE;
    const before = await counts();
    expect((await post(blogCode, { email: 'a@b.example' })).status).toBe(403);
    expect(await counts()).toEqual(before);
    const ok = await post(blogCode, { email: 'a@b.example' }, { origin: 'https://blog.example' });
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body.result.CONTACT_ID).toBeNull();
    expect((await callJson(server, 'salestrace.form.update', { id: added.body.result, fields: { ACTIVE: 'N' } })).body.result).toBe(true);
    expect((await post(blogCode, { email: 'a@b.example' }, { origin: 'https://blog.example' })).status).toBe(404);
    expect((await callJson(server, 'salestrace.form.delete', { id: added.body.result })).body.result).toBe(true);
    expect((await callJson(server, 'salestrace.form.list', {})).body.total).toBe(1);
  });
});
