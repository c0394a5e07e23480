// The tracker pack served at a portal's path (tracker-and-calls.md §1.1, §1.2, §2.2): the
// configuration inlined, ETag and caching, every edit reaching the next download, the size.
import { gzipSync } from 'node:zlib';
import http from 'node:http';
import vm from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeSetting } from '../../src/system/settings.js';
import { callJson, request, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server?.close();
});

async function download(path = '/upload/crm/tag/call.tracker.js', headers: Record<string, string> = {}) {
  const response = await fetch(server.httpUrl + path, { headers });
  return { status: response.status, headers: response.headers, body: await response.text() };
}

/** Runs the pack's prologue only, to read the configuration it carries. */
function inlined(body: string): any {
  const match = /^;\(function \(\) \{\nvar __salestracePack = (.*);\n/.exec(body);
  if (!match) throw new Error('no inlined configuration');
  return vm.runInNewContext(`(${match[1]})`);
}

async function ok(method: string, params: unknown) {
  const answer = await callJson(server, method, params);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return (answer.body as { result: unknown }).result;
}

describe('GET /upload/crm/tag/call.tracker.js', () => {
  it('serves JavaScript with the configuration inlined, an ETag and a one-minute cache', async () => {
    const answer = await download();
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('application/javascript; charset=utf-8');
    expect(answer.headers.get('cache-control')).toBe('public, max-age=60');
    expect(answer.headers.get('etag')).toMatch(/^"[\w-]{32}"$/);
    // No sources with UTM values and no sites yet: the tracker is disabled (§2.2).
    expect(inlined(answer.body)).toEqual({
      address: server.httpUrl,
      guest: { lifespan: 28, canRegisterOrder: true },
      tracker: { enabled: false, sources: [], sites: [], editor: { resources: [] } },
    });
    expect(answer.body.endsWith('})();\n')).toBe(true);
    // The same file answers 304 to its own ETag, with the same validator.
    const again = await download(undefined, { 'if-none-match': answer.headers.get('etag')! });
    expect(again.status).toBe(304);
    expect(again.body).toBe('');
    expect(again.headers.get('etag')).toBe(answer.headers.get('etag'));
    const head = await fetch(server.httpUrl + '/upload/crm/tag/call.tracker.js', { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('etag')).toBe(answer.headers.get('etag'));
  });

  it('guest.js holds the guest module alone', async () => {
    const guest = await download('/upload/crm/tag/guest.js');
    expect(guest.status).toBe(200);
    expect(inlined(guest.body)).toEqual({ address: server.httpUrl, guest: { lifespan: 28, canRegisterOrder: true } });
    expect(guest.body).not.toContain('Manager');
    expect((await download()).body).toContain('Manager');
  });

  it('a source, a site or the attribution window changed reaches the next download', async () => {
    const first = await download();
    const sourceId = await ok('salestrace.source.add', {
      fields: { NAME: 'Newsletter', UTM_SOURCE: ['newsletter'], PHONE: ['+7 (495) 111-22-33'], EMAIL: ['news@shop.example'] },
    });
    await ok('salestrace.source.add', { fields: { NAME: 'Phones only', PHONE: ['+7 111 222-33-44'] } });
    await ok('salestrace.site.add', {
      fields: { ADDRESS: 'https://shop.example/', PHONES: ['+7 (495) 000-00-00'], EMAILS: ['info@shop.example'], ENRICH_TEXT: 'N' },
    });
    const second = await download(undefined, { 'if-none-match': first.headers.get('etag')! });
    expect(second.status).toBe(200);
    expect(second.headers.get('etag')).not.toBe(first.headers.get('etag'));
    const config = inlined(second.body).tracker;
    expect(config.enabled).toBe(true);
    expect(config.sources).toContainEqual({
      code: null,
      name: null,
      utm: ['newsletter'],
      replacement: { email: ['news@shop.example'], phone: ['+74951112233'] },
    });
    // A source with a phone pool but no UTM value or referrer domain is not ready (getReadySources).
    expect(JSON.stringify(config.sources)).not.toContain('+71112223344');
    expect(config.sites).toEqual([
      {
        host: 'shop.example',
        b24: false,
        replaceText: true,
        enrichText: false,
        resolveDup: true,
        replacement: [
          { type: 'email', value: 'info@shop.example' },
          { type: 'phone', value: '+7 (495) 000-00-00' },
        ],
      },
    ]);

    await ok('salestrace.source.update', { id: sourceId, fields: { PHONE: ['+7 495 999-88-77'] } });
    const third = inlined((await download()).body).tracker;
    expect(third.sources.find((source: { utm: string[] }) => source.utm[0] === 'newsletter').replacement.phone).toEqual(['+74959998877']);

    await writeSetting(server.services.db, 'tracking.attribution_window_days', '14');
    const fourth = await download();
    expect(inlined(fourth.body).guest).toEqual({ lifespan: 14, canRegisterOrder: true });
    expect(inlined((await download('/upload/crm/tag/guest.js')).body).guest).toEqual({ lifespan: 14, canRegisterOrder: true });

    const sites = (await ok('salestrace.site.list', {})) as { ID: number }[];
    await ok('salestrace.site.update', { id: sites[0].ID, fields: { ACTIVE: 'N' } });
    const fifth = inlined((await download()).body).tracker;
    expect(fifth).toEqual({ enabled: false, sources: [], sites: [], editor: { resources: [] } });
    await ok('salestrace.site.update', { id: sites[0].ID, fields: { ACTIVE: 'Y' } });
    expect(inlined((await download()).body).tracker.enabled).toBe(true);
    await writeSetting(server.services.db, 'tracking.attribution_window_days', '28');
  });

  it('a hostile Host header cannot break out of the inlined configuration', async () => {
    const port = new URL(server.httpUrl).port;
    const body = await new Promise<string>((resolve, reject) => {
      const sent = http.get({ host: '127.0.0.1', port, path: '/upload/crm/tag/guest.js', headers: { host: 'x"</script><b>' } }, (response) => {
        let text = '';
        response.on('data', (chunk) => (text += chunk));
        response.on('end', () => resolve(text));
      });
      sent.on('error', reject);
    });
    expect(body).not.toContain('</script>');
    expect(inlined(body).address).toBe('http://x"</script><b>');
  });

  it('call.tracker.js stays within 6 kB gzipped', async () => {
    const answer = await download();
    const size = gzipSync(Buffer.from(answer.body)).length;
    expect(size).toBeLessThanOrEqual(6 * 1024);
  });

  it('salestrace.site.loader and the snippet: the async injector with the minute cache buster', async () => {
    const result = (await ok('salestrace.site.loader', {})) as Record<string, string>;
    const address = server.services.config.publicUrl ?? `http://127.0.0.1:${server.services.config.port}`;
    expect(result.URL).toBe(`${address}/upload/crm/tag/call.tracker.js`);
    expect(result.LOADER).toBe(
      '<script>\n' +
        "(function(w,d,u){var s=d.createElement('script');s.async=true;s.src=u+'?'+(Date.now()/60000|0);" +
        "var h=d.getElementsByTagName('script')[0];h.parentNode.insertBefore(s,h);})" +
        `(window,document,"${result.URL}");\n</script>`,
    );
    expect(result.FORM_HOOK).toContain('getTrace()');
  });
});

describe('the pack behind a public address', () => {
  it('uses serve --public-url in the pack and the loader', async () => {
    const other = await startTestServer({ config: { publicUrl: 'https://crm.example.com/' } });
    try {
      const answer = await fetch(other.httpUrl + '/upload/crm/tag/call.tracker.js');
      expect(inlined(await answer.text()).address).toBe('https://crm.example.com');
      const loader = await callJson(other, 'salestrace.site.loader', {});
      expect((loader.body as { result: { URL: string } }).result.URL).toBe('https://crm.example.com/upload/crm/tag/call.tracker.js');
    } finally {
      await other.close();
    }
  });
});
