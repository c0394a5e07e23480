// /pub/guest.php over real sockets (tracker-and-calls.md §3): every action by GET and form POST,
// `d` as a JSON string and as a form array, the cookie fallback for the gid, the exact answers,
// the traces it stores (as trace.add stores them, unbound, with the site and order channels),
// CORS for own sites only, the size and per-IP limits, and the background cleanup (§1.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { resetCleanupGate } from '../../src/sites/http/guestEndpoint.js';
import { callJson, request, startTestServer, type HttpAnswer, type TestServer } from '../helpers/server.js';
import { addTrace, getTrace } from '../tracking/helpers.js';

const clock = new ManualClock(Date.UTC(2026, 5, 1, 12));
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ manualClock: clock });
  const site = await callJson(server, 'salestrace.site.add', { fields: { ADDRESS: 'https://shop.example/' } });
  expect(site.body.result).toBe(1);
  // Google Ads recognises its utm_source.
  expect((await callJson(server, 'salestrace.source.update', { id: 1, fields: { UTM_SOURCE: ['google'] } })).body.result).toBe(true);
});
afterAll(async () => {
  await server.close();
});

const EMPTY = '{"error":false,"data":[]}';

interface GuestCall {
  method?: 'GET' | 'POST' | 'OPTIONS';
  query?: string;
  form?: Record<string, string> | string;
  origin?: string;
  cookie?: string;
}

/** One call as the tracker makes it: a form POST (§1.8), or a GET with a query. */
function guest(call: GuestCall): Promise<HttpAnswer> {
  const headers: Record<string, string> = {};
  if (call.origin) headers.origin = call.origin;
  if (call.cookie) headers.cookie = call.cookie;
  let body: string | undefined;
  if (call.form !== undefined) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = typeof call.form === 'string' ? call.form : new URLSearchParams(call.form).toString();
  }
  const method = call.method ?? (body === undefined ? 'GET' : 'POST');
  return request(`${server.httpUrl}/pub/guest.php${call.query ? `?${call.query}` : ''}`, { method, headers, body });
}

async function traceIds(): Promise<number[]> {
  return (await server.services.db.selectFrom('tracking_traces').select('id').orderBy('id').execute()).map((row) => row.id);
}

async function guests(): Promise<string[]> {
  return (await server.services.db.selectFrom('site_guests').select('gid').orderBy('id').execute()).map((row) => row.gid);
}

/** A trace as getTrace() builds it (§1.6), for a visit to the own site from a campaign. */
function browserTrace(extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    url: 'https://shop.example/catalog?utm_source=google',
    ref: 'https://www.google.com/',
    device: { isMobile: true },
    tags: { ts: 1780300000, list: { utm_source: 'google', utm_medium: 'cpc' }, gclid: null },
    client: {},
    pages: { list: [['https://shop.example/catalog?utm_source=google', 1780300000, 'Catalog']] },
    gid: null,
    previous: { list: [] },
    ...extra,
  });
}

describe('answers', () => {
  it('reg without a gid records a new guest with 32 random characters', async () => {
    const answer = await guest({ form: { a: 'reg' } });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(answer.text).toMatch(/^\{"error":false,"data":\{"gid":"[a-z0-9]{32}"\}\}$/);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    expect(await guests()).toEqual([answer.body.data.gid]);
    const second = await guest({ query: 'a=reg' });
    expect(second.body.data.gid).not.toBe(answer.body.data.gid);
    // The tracker's register() sends `register`: it registers too.
    const third = await guest({ form: { a: 'register' } });
    expect(third.text).toMatch(/^\{"error":false,"data":\{"gid":"[a-z0-9]{32}"\}\}$/);
    expect(await guests()).toHaveLength(3);
  });

  it('reg with a gid, from the parameter or the cookie, answers an empty array and records nothing', async () => {
    const before = await guests();
    expect((await guest({ form: { a: 'reg', gid: 'known' } })).text).toBe(EMPTY);
    expect((await guest({ query: 'a=reg', cookie: 'other=1; b24_crm_guest_id=fromcookie' })).text).toBe(EMPTY);
    expect(await guests()).toEqual(before);
  });

  it('link sets the cookie for a gid and answers it; without one it answers the cookie gid or null', async () => {
    const linked = await guest({ form: { a: 'link', gid: 'abc123' } });
    expect(linked.text).toBe('{"error":false,"data":{"gid":"abc123"}}');
    expect(linked.headers.get('set-cookie')).toBe('b24_crm_guest_id=abc123; Path=/; Max-Age=315360000; HttpOnly; SameSite=Lax');
    const fromCookie = await guest({ query: 'a=link', cookie: 'b24_crm_guest_id=%22quoted1%22' });
    expect(fromCookie.text).toBe('{"error":false,"data":{"gid":"quoted1"}}');
    expect((await guest({ query: 'a=link' })).text).toBe('{"error":false,"data":{"gid":null}}');
    // A gid that is not one is no gid.
    expect((await guest({ query: 'a=link&gid=%3Cscript%3E' })).text).toBe('{"error":false,"data":{"gid":null}}');
  });

  it('event, unknown actions and no action answer an empty array', async () => {
    expect((await guest({ form: { a: 'event', e: 'Return', gid: 'abc123' } })).text).toBe(EMPTY);
    expect((await guest({ form: { a: 'nothing' } })).text).toBe(EMPTY);
    expect((await guest({})).text).toBe(EMPTY);
  });
});

describe('storeTrace and registerOrder', () => {
  it('stores the tracker’s form POST as an unbound trace, as trace.add parses it, with the site and call channels', async () => {
    const before = await traceIds();
    const d = JSON.stringify({ trace: browserTrace({ channels: [{ code: 'call', value: '+7 (999) 123-45-67' }] }) });
    const answer = await guest({ form: { a: 'storeTrace', d } });
    expect(answer.text).toBe(EMPTY);
    const [id] = (await traceIds()).filter((trace) => !before.includes(trace));
    const trace = await getTrace(server, id);
    expect(trace).toMatchObject({
      ID: id,
      SOURCE_ID: 1,
      IS_MOBILE: 'Y',
      TAGS: { UTM_SOURCE: 'google', UTM_MEDIUM: 'cpc' },
      PAGES: [
        { URL: 'https://www.google.com/', DATE_INSERT: 1780300000, TITLE: 'www.google.com', IS_REF: 'Y' },
        { URL: 'https://shop.example/catalog?utm_source=google', DATE_INSERT: 1780300000, TITLE: 'Catalog', IS_REF: 'N' },
      ],
      CHANNELS: [
        { CODE: 'site', VALUE: '1' },
        { CODE: 'call', VALUE: '79991234567' },
      ],
      ENTITIES: [],
    });
    const row = await server.services.db.selectFrom('tracking_traces').select(['created_by', 'bound']).where('id', '=', id).executeTakeFirstOrThrow();
    expect(row).toEqual({ created_by: 0, bound: 0 });
  });

  it('takes d as a form array by GET, and stores registerOrder with its order channel', async () => {
    const before = await traceIds();
    const query = new URLSearchParams({ a: 'storeTrace', 'd[trace]': browserTrace({ url: 'https://other.example/' }) }).toString();
    expect((await guest({ query })).text).toBe(EMPTY);
    const order = JSON.stringify({ trace: browserTrace({ channels: [{ code: 'order', value: 'A-17' }], order: { id: 'A-17', sum: 12.5 } }) });
    expect((await guest({ form: { a: 'registerOrder', d: order } })).text).toBe(EMPTY);
    const added = (await traceIds()).filter((trace) => !before.includes(trace));
    expect(added).toHaveLength(2);
    expect((await getTrace(server, added[0])).CHANNELS).toEqual([{ CODE: 'site-domain', VALUE: 'other.example' }]);
    expect((await getTrace(server, added[1])).CHANNELS).toEqual([
      { CODE: 'site', VALUE: '1' },
      { CODE: 'order', VALUE: 'A-17' },
    ]);
  });

  it('stores nothing for an empty, missing or unreadable trace and still answers an empty array', async () => {
    const before = await traceIds();
    for (const form of [
      { a: 'storeTrace' },
      { a: 'storeTrace', d: '{}' },
      { a: 'storeTrace', d: 'not json' },
      { a: 'storeTrace', d: '{"trace":""}' },
      { a: 'storeTrace', d: '{"trace":"{broken"}' },
      { a: 'registerOrder', d: '{"trace":"' + 'x'.repeat(10) + '"}' },
    ] as Record<string, string>[]) {
      expect((await guest({ form })).text, JSON.stringify(form)).toBe(EMPTY);
    }
    expect(await traceIds()).toEqual(before);
  });
});

describe('origins', () => {
  it('answers an active own site’s origin with credentials, and refuses other origins without writing', async () => {
    const own = await guest({ form: { a: 'link', gid: 'g1' }, origin: 'https://shop.example' });
    expect(own.status).toBe(200);
    expect(own.headers.get('access-control-allow-origin')).toBe('https://shop.example');
    expect(own.headers.get('access-control-allow-credentials')).toBe('true');
    expect(own.headers.get('vary')).toBe('Origin');

    const before = { traces: await traceIds(), guests: await guests() };
    for (const origin of ['https://evil.example', 'null']) {
      for (const form of [{ a: 'reg' }, { a: 'storeTrace', d: JSON.stringify({ trace: browserTrace() }) }] as Record<string, string>[]) {
        const answer = await guest({ form, origin });
        expect(answer.status).toBe(403);
        expect(answer.body).toEqual({ error: 'ACCESS_DENIED', error_description: `Origin ${origin} is not an active own site of this portal.` });
        expect(answer.headers.get('access-control-allow-origin')).toBeNull();
      }
    }
    expect({ traces: await traceIds(), guests: await guests() }).toEqual(before);

    const preflight = await guest({ method: 'OPTIONS', origin: 'https://shop.example:8443' });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://shop.example:8443');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET, POST');
  });

  it('stops answering a site that is deactivated, and answers any origin when the option is on', async () => {
    await callJson(server, 'salestrace.site.update', { id: 1, fields: { ACTIVE: 'N' } });
    expect((await guest({ form: { a: 'link' }, origin: 'https://shop.example' })).status).toBe(403);
    await callJson(server, 'salestrace.site.update', { id: 1, fields: { ACTIVE: 'Y' } });
    await server.services.sites.savePublicSettings({ anyOrigin: true });
    const any = await guest({ form: { a: 'link' }, origin: 'https://evil.example' });
    expect(any.status).toBe(200);
    expect(any.headers.get('access-control-allow-origin')).toBe('https://evil.example');
    await server.services.sites.savePublicSettings({ anyOrigin: false });
    expect((await guest({ form: { a: 'link' }, origin: 'https://evil.example' })).status).toBe(403);
  });
});

describe('the background cleanup (§1.1)', () => {
  it('removes site traces still unbound after a day, and nothing else', async () => {
    const apiTrace = await addTrace(server, { url: 'https://shop.example/' });
    const siteTraces = (
      await server.services.db.selectFrom('tracking_traces').select('id').where('created_by', '=', 0).orderBy('id').execute()
    ).map((row) => row.id);
    expect(siteTraces.length).toBeGreaterThan(0);
    clock.advance(2 * 86_400_000);
    resetCleanupGate();
    expect((await guest({ form: { a: 'storeTrace', d: JSON.stringify({ trace: browserTrace() }) } })).text).toBe(EMPTY);
    const fresh = (await traceIds()).at(-1);
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline && (await traceIds()).some((id) => siteTraces.includes(id))) await new Promise((r) => setTimeout(r, 50));
    const left = await traceIds();
    expect(left.filter((id) => siteTraces.includes(id))).toEqual([]);
    expect(left).toContain(apiTrace);
    expect(left).toContain(fresh);
    // Not due again for ten hours.
    expect(await server.services.tracking.removeStaleSiteTraces()).toBeNull();
  });
});

describe('limits', () => {
  it('refuses a body over 1 MiB', async () => {
    const before = await traceIds();
    const answer = await guest({ form: { a: 'storeTrace', d: 'x'.repeat(1024 * 1024 + 10) } });
    expect(answer.status).toBe(413);
    expect(answer.body.error).toBe('REQUEST_TOO_LARGE');
    expect(await traceIds()).toEqual(before);
  });

  it('limits each address to 120 requests at once, then 5 a second', async () => {
    let refused: HttpAnswer | undefined;
    for (let i = 0; i < 200 && refused === undefined; i++) {
      const answer = await guest({ query: 'a=none' });
      if (answer.status !== 200) refused = answer;
    }
    expect(refused?.status).toBe(503);
    expect(refused?.body).toEqual({ error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
    expect(refused?.headers.get('retry-after')).toBe('1');
    const before = await traceIds();
    expect((await guest({ form: { a: 'storeTrace', d: JSON.stringify({ trace: browserTrace() }) } })).status).toBe(503);
    expect(await traceIds()).toEqual(before);
    clock.advance(1000);
    expect((await guest({ query: 'a=none' })).text).toBe(EMPTY);
  });
});
