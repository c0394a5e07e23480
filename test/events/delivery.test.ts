// Delivery (events.md §4): a real receiver gets each CRM event as a form-encoded POST with PHP
// bracket keys, field by field as the docs and a captured portal request show it; the token in
// it works against the REST API; an app's own change is not sent to it; a receiver that fails
// gets the retries and then nothing; a slow receiver does not slow the API.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { callWithToken, createTestApp, grantTokens, type TestApp } from '../helpers/oauth.js';
import { startReceiver, sleep, type Receiver } from './receiver.js';
import { runCli } from '../cli/inProcess.js';

let server: TestServer;
let app: TestApp;
let token: string;
let receiver: Receiver;

beforeAll(async () => {
  server = await startTestServer({ config: { eventRetryDelayMs: 50, eventTimeoutMs: 1000, eventRetries: 2 } });
  app = await createTestApp(server, ['crm']);
  token = (await grantTokens(server, app.app.id)).accessToken;
  receiver = await startReceiver();
});
afterAll(async () => {
  await server.close();
  await receiver.close();
});

const bind = (event: string, handler: string, auth = token, extra: Record<string, unknown> = {}) =>
  callWithToken(server, 'event.bind', auth, { event, handler, ...extra });

async function handlerId(event: string, handler: string): Promise<number> {
  const row = await server.services.db.selectFrom('event_handlers').select('id').where('event_name', '=', event).where('handler', '=', handler).executeTakeFirstOrThrow();
  return row.id;
}

const outbox = () => server.services.db.selectFrom('event_outbox').selectAll().execute();

describe('CRM events to an app', () => {
  it('posts ONCRMLEADADD as a portal does, with a token that works', async () => {
    expect((await bind('ONCRMLEADADD', receiver.url)).body.result).toBe(true);
    const before = Math.floor(Date.now() / 1000);
    const leadId = (await callJson(server, 'crm.lead.add', { fields: { TITLE: 'From the web' } })).body.result;
    const [got] = await receiver.waitFor(1);
    expect(got.contentType).toBe('application/x-www-form-urlencoded');
    // The wire form: bracket keys percent-encoded, in the captured order (event, event_handler_id, data, ts, auth).
    const keys = got.raw.split('&').map((pair) => decodeURIComponent(pair.split('=')[0]));
    expect(keys).toEqual([
      'event', 'event_handler_id', 'data[FIELDS][ID]', 'ts',
      'auth[access_token]', 'auth[expires]', 'auth[expires_in]', 'auth[scope]', 'auth[domain]', 'auth[server_endpoint]',
      'auth[status]', 'auth[client_endpoint]', 'auth[member_id]', 'auth[user_id]', 'auth[application_token]',
    ]);
    expect(got.raw).toContain('data%5BFIELDS%5D%5BID%5D=');
    const body = got.body as any;
    const origin = server.httpUrl;
    expect(body.event).toBe('ONCRMLEADADD');
    expect(body.event_handler_id).toBe(String(await handlerId('ONCRMLEADADD', receiver.url)));
    expect(body.data).toEqual({ FIELDS: { ID: String(leadId) } });
    expect(Number(body.ts)).toBeGreaterThanOrEqual(before);
    expect(body.ts).toMatch(/^\d{10}$/);
    expect(body.auth.access_token).toMatch(/^\w+$/);
    expect(body.auth.expires_in).toBe('3600');
    expect(Number(body.auth.expires)).toBeGreaterThan(before + 3500);
    expect(body.auth.scope).toBe('crm');
    expect(body.auth.domain).toBe(origin.replace('http://', ''));
    expect(body.auth.server_endpoint).toBe(`${origin}/rest/`);
    expect(body.auth.client_endpoint).toBe(`${origin}/rest/`);
    expect(body.auth.status).toBe('L');
    expect(body.auth.member_id).toMatch(/^[0-9a-f]{32}$/);
    expect(body.auth.user_id).toBe('1');
    expect(body.auth.application_token).toMatch(/^[0-9a-f]{32}$/);
    expect(body.auth.refresh_token).toBeUndefined();
    // The app reads the lead with the token the event brought, at client_endpoint.
    const read = await fetch(`${body.auth.client_endpoint}crm.lead.get`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: body.data.FIELDS.ID, auth: body.auth.access_token }),
    });
    expect(read.status).toBe(200);
    expect(((await read.json()) as any).result.TITLE).toBe('From the web');
    await expect.poll(outbox).toEqual([]);
  });

  it('raises update and delete from every path: typed methods, crm.item.*, batch rows', async () => {
    receiver.received.length = 0;
    for (const event of ['ONCRMLEADUPDATE', 'ONCRMLEADDELETE', 'ONCRMDEALADD', 'ONCRMCONTACTADD', 'ONCRMCOMPANYUPDATE', 'ONCRMQUOTEDELETE']) {
      expect((await bind(event, receiver.url)).body.result).toBe(true);
    }
    const leadId = (await callJson(server, 'crm.lead.add', { fields: { TITLE: 'x' } })).body.result;
    await callJson(server, 'crm.lead.update', { id: leadId, fields: { TITLE: 'y' } });
    await callJson(server, 'crm.item.update', { entityTypeId: 1, id: leadId, fields: { title: 'z' } });
    const dealId = (await callJson(server, 'crm.item.add', { entityTypeId: 2, fields: { title: 'deal' } })).body.result.item.id;
    const batch = await callJson(server, 'batch', {
      cmd: { c: 'crm.contact.add?fields[NAME]=Ann', co: 'crm.company.add?fields[TITLE]=Acme', q: 'crm.quote.add?fields[TITLE]=Q' },
    });
    const { c: contactId, co: companyId, q: quoteId } = batch.body.result.result;
    await callJson(server, 'crm.company.update', { id: companyId, fields: { TITLE: 'Acme 2' } });
    await callJson(server, 'crm.quote.delete', { id: quoteId });
    await callJson(server, 'crm.item.delete', { entityTypeId: 1, id: leadId });
    const got = await receiver.waitFor(8);
    await sleep(300);
    expect(receiver.received.length).toBe(8);
    // Handlers are served side by side, so across handlers the order is free.
    expect(got.map((r) => `${r.body.event}:${(r.body as any).data.FIELDS.ID}`).sort()).toEqual(
      [
        `ONCRMLEADADD:${leadId}`, `ONCRMLEADUPDATE:${leadId}`, `ONCRMLEADUPDATE:${leadId}`, `ONCRMDEALADD:${dealId}`,
        `ONCRMCONTACTADD:${contactId}`, `ONCRMCOMPANYUPDATE:${companyId}`, `ONCRMQUOTEDELETE:${quoteId}`, `ONCRMLEADDELETE:${leadId}`,
      ].sort(),
    );
    for (const r of got) expect(Object.keys((r.body as any).auth)).toContain('access_token');
  });
});

describe('who receives what', () => {
  it('sends nothing to the app whose own call made the change, unless its auth_connector differs', async () => {
    const own = await startReceiver();
    try {
      const selfApp = await createTestApp(server, ['crm']);
      const selfToken = (await grantTokens(server, selfApp.app.id)).accessToken;
      expect((await bind('ONCRMCONTACTUPDATE', own.url, selfToken)).body.result).toBe(true);
      const contactId = (await callJson(server, 'crm.contact.add', { fields: { NAME: 'Bo' } })).body.result;
      await callWithToken(server, 'crm.contact.update', selfToken, { id: contactId, fields: { NAME: 'own change' } });
      await callWithToken(server, 'crm.contact.update', selfToken, { id: contactId, fields: { NAME: 'via connector' }, auth_connector: 'sync1' });
      await callJson(server, 'crm.contact.update', { id: contactId, fields: { NAME: 'by a person' } });
      await own.waitFor(2);
      await sleep(400);
      expect(own.received.length).toBe(2);
      expect(own.received.map((r) => r.body.event)).toEqual(['ONCRMCONTACTUPDATE', 'ONCRMCONTACTUPDATE']);
    } finally {
      await own.close();
    }
  });

  it('delivers one handler in order, retries a failing receiver, and then gives up', async () => {
    const failing = await startReceiver();
    try {
      failing.answer = { status: 500, delayMs: 0 };
      const failApp = await createTestApp(server, ['crm']);
      const failToken = (await grantTokens(server, failApp.app.id)).accessToken;
      expect((await bind('ONCRMDEALUPDATE', failing.url, failToken)).body.result).toBe(true);
      const dealId = (await callJson(server, 'crm.deal.add', { fields: { TITLE: 'd' } })).body.result;
      await callJson(server, 'crm.deal.update', { id: dealId, fields: { TITLE: 'first' } });
      await callJson(server, 'crm.deal.update', { id: dealId, fields: { TITLE: 'second' } });
      // eventRetries 2: the first event is tried 3 times (delays 50 and 250 ms), then dropped;
      // the second waits behind it and gets its own 3 tries.
      await failing.waitFor(6, 5000);
      await sleep(800);
      expect(failing.received.length).toBe(6);
      expect(await outbox()).toEqual([]);
      const gaps = failing.received.slice(1, 3).map((r, i) => r.at - failing.received[i]!.at);
      expect(gaps[0]).toBeGreaterThanOrEqual(40);
      expect(gaps[1]).toBeGreaterThanOrEqual(200);
    } finally {
      await failing.close();
    }
  });

  it('a slow receiver does not slow the API', async () => {
    const slow = await startReceiver();
    try {
      slow.answer = { status: 200, delayMs: 3000 };
      const slowApp = await createTestApp(server, ['crm']);
      const slowToken = (await grantTokens(server, slowApp.app.id)).accessToken;
      expect((await bind('ONCRMCOMPANYADD', slow.url, slowToken)).body.result).toBe(true);
      const started = Date.now();
      for (let i = 0; i < 5; i++) expect((await callJson(server, 'crm.company.add', { fields: { TITLE: `c${i}` } })).status).toBe(200);
      const elapsed = Date.now() - started;
      await slow.waitFor(1);
      expect(elapsed).toBeLessThan(1500);
    } finally {
      await slow.close();
    }
  });

  it('ONAPPTEST carries the query and a refresh token (event.test)', async () => {
    const testReceiver = await startReceiver();
    try {
      expect((await bind('ONAPPTEST', testReceiver.url)).body.result).toBe(true);
      const answer = await callWithToken(server, 'event.test', token, { any: 'thing', list: [1, 2] });
      expect(answer.body.result).toBe(1);
      const [got] = await testReceiver.waitFor(1);
      const body = got.body as any;
      expect(body.event).toBe('ONAPPTEST');
      // PHP decodes the list as an array keyed 0 and 1.
      expect(body.data).toEqual({ QUERY: { any: 'thing', list: { 0: '1', 1: '2' } }, LANGUAGE_ID: 'en' });
      expect(body.auth.refresh_token).toMatch(/^\w+$/);
    } finally {
      await testReceiver.close();
    }
  });
});

describe('outgoing webhooks', () => {
  it('are added, listed, delivered with their application_token and no tokens, and deleted', async () => {
    const hook = await startReceiver();
    try {
      const added = await runCli(['webhook', 'outgoing', 'add', '--data', server.dataDir, '--handler', hook.url, '--events', 'onCrmLeadAdd,ONCRMDEALADD']);
      expect(added.code).toBe(0);
      const applicationToken = added.stdout.trim();
      expect(applicationToken).toMatch(/^[0-9a-f]{32}$/);
      const listed = await runCli(['webhook', 'outgoing', 'list', '--data', server.dataDir]);
      expect(listed.stdout).toContain(applicationToken);
      expect(listed.stdout).toContain('ONCRMLEADADD,ONCRMDEALADD');
      const bad = await runCli(['webhook', 'outgoing', 'add', '--data', server.dataDir, '--handler', 'http://intranet/x', '--events', 'ONCRMLEADADD']);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain('not a handler URL');

      const leadId = (await callJson(server, 'crm.lead.add', { fields: { TITLE: 'hooked' } })).body.result;
      const [got] = await hook.waitFor(1);
      const body = got.body as any;
      expect(body.event).toBe('ONCRMLEADADD');
      expect(body.data).toEqual({ FIELDS: { ID: String(leadId) } });
      expect(Object.keys(body.auth)).toEqual(['domain', 'client_endpoint', 'server_endpoint', 'member_id', 'application_token']);
      expect(body.auth.application_token).toBe(applicationToken);

      const deleted = await runCli(['webhook', 'outgoing', 'delete', '--data', server.dataDir, applicationToken]);
      expect(deleted.code).toBe(0);
      await callJson(server, 'crm.lead.add', { fields: { TITLE: 'not hooked' } });
      await sleep(400);
      expect(hook.received.length).toBe(1);
    } finally {
      await hook.close();
    }
  });
});

describe('application lifecycle', () => {
  it('ONAPPINSTALL brings working tokens; ONAPPUNINSTALL brings only the application token', async () => {
    const lifecycle = await startReceiver();
    try {
      const added = await runCli(['app', 'add', '--data', server.dataDir, '--scope', 'crm', '--install-handler', lifecycle.url]);
      expect(added.code).toBe(0);
      const clientId = /client_id: (\S+)/.exec(added.stdout)![1];
      const appRow = await server.services.db.selectFrom('oauth_apps').select('id').where('client_id', '=', clientId).executeTakeFirstOrThrow();
      const [install] = await lifecycle.waitFor(1);
      const body = install.body as any;
      expect(body.event).toBe('ONAPPINSTALL');
      expect(body.data).toEqual({ VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'en' });
      expect(Object.keys(body.auth)).toEqual([
        'access_token', 'expires', 'expires_in', 'scope', 'domain', 'server_endpoint', 'status', 'client_endpoint', 'member_id', 'user_id', 'refresh_token', 'application_token',
      ]);
      // The app binds its uninstall handler with the token the install brought.
      const bound = await callWithToken(server, 'event.bind', body.auth.access_token, { event: 'ONAPPUNINSTALL', handler: lifecycle.url });
      expect(bound.body.result).toBe(true);

      const removed = await runCli(['app', 'remove', '--data', server.dataDir, '--app', String(appRow.id), '--clean']);
      expect(removed.code).toBe(0);
      const [, uninstall] = await lifecycle.waitFor(2);
      const gone = uninstall.body as any;
      expect(gone.event).toBe('ONAPPUNINSTALL');
      expect(gone.data).toEqual({ LANGUAGE_ID: 'en', CLEAN: '1' });
      expect(Object.keys(gone.auth)).toEqual(['domain', 'client_endpoint', 'server_endpoint', 'member_id', 'application_token']);
      // The one check an uninstall handler can make: the token it stored at install.
      expect(gone.auth.application_token).toBe(body.auth.application_token);
      expect(await server.services.db.selectFrom('event_handlers').select('id').where('app_id', '=', appRow.id).execute()).toEqual([]);
    } finally {
      await lifecycle.close();
    }
  });
});
