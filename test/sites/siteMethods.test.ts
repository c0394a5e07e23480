// salestrace.site.* over real sockets: the own sites, their validation, the administrators-only
// rule, the version the tracker pack rebuilds on, and the `site` channel a trace on an active own
// site's host gets instead of `site-domain` (sales-intelligence.md §3.5).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { B24Hook } from '@bitrix24/b24jssdk';
import { callForm, callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { addTrace, getTrace, userWebhook } from '../tracking/helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

async function siteRows() {
  return server.services.db.selectFrom('sites').selectAll().orderBy('id').execute();
}

async function expectRefused(method: string, params: unknown, body: Record<string, unknown>) {
  const before = JSON.stringify(await siteRows());
  const version = await server.services.sites.sitesVersion();
  const answer = await callJson(server, method, params);
  expect(answer.status, answer.text).toBe(400);
  expect(answer.body).toEqual(body);
  expect(JSON.stringify(await siteRows())).toBe(before);
  expect(await server.services.sites.sitesVersion()).toBe(version);
}

describe('salestrace.site.add / get / list', () => {
  it('adds a site with the host derived, the defaults on, and trimmed contacts', async () => {
    expect(await server.services.sites.sitesVersion()).toBe('');
    const answer = await callJson(server, 'salestrace.site.add', {
      fields: { ADDRESS: ' https://Shop.Example/catalog ', PHONES: [' +7 (495) 000-00-00 ', ''], EMAILS: 'info@shop.example' },
    });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.result).toBe(1);
    const version = await server.services.sites.sitesVersion();
    expect(version).toMatch(/^[0-9a-f-]{36}$/);

    const got = await callJson(server, 'salestrace.site.get', { id: 1 });
    expect(got.status).toBe(200);
    const { DATE_CREATE, ...rest } = got.body.result;
    expect(DATE_CREATE).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$/);
    expect(rest).toEqual({
      ID: 1,
      ADDRESS: 'https://Shop.Example/catalog',
      HOST: 'shop.example',
      PHONES: ['+7 (495) 000-00-00'],
      EMAILS: ['info@shop.example'],
      REPLACE_TEXT: 'Y',
      ENRICH_TEXT: 'Y',
      RESOLVE_DUPLICATES: 'Y',
      ACTIVE: 'Y',
      IS_INSTALLED: 'Y',
    });
    expect(await siteRows()).toEqual([
      {
        id: 1, address: 'https://Shop.Example/catalog', host: 'shop.example', phones_json: '["+7 (495) 000-00-00"]',
        emails_json: '["info@shop.example"]', replace_text: 1, enrich_text: 1, resolve_dup: 1, active: 1, installed: 1,
        created_at: expect.anything(),
      },
    ]);
  });

  it('takes a form post with flags as Y/N, and lists sites by ID with a total', async () => {
    const answer = await callForm(
      server,
      'salestrace.site.add',
      'fields[ADDRESS]=blog.example:8080&fields[REPLACE_TEXT]=N&fields[ENRICH_TEXT]=N&fields[RESOLVE_DUPLICATES]=N&fields[IS_INSTALLED]=N&fields[PHONES][]=8 800 100-00-00',
    );
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.result).toBe(2);
    const list = await callJson(server, 'salestrace.site.list', {});
    expect(list.body.total).toBe(2);
    expect(list.body.result.map((site: any) => [site.ID, site.HOST, site.PHONES, site.REPLACE_TEXT, site.ENRICH_TEXT, site.RESOLVE_DUPLICATES, site.IS_INSTALLED])).toEqual([
      [1, 'shop.example', ['+7 (495) 000-00-00'], 'Y', 'Y', 'Y', 'Y'],
      [2, 'blog.example', ['8 800 100-00-00'], 'N', 'N', 'N', 'N'],
    ]);
    // Only active and installed sites are ready for the tracker pack.
    expect((await server.services.sites.listActiveSites()).map((site) => site.id)).toEqual([1]);
  });

  it('answers SITE_NOT_FOUND and ERROR_ARGUMENT for a bad id', async () => {
    expect((await callJson(server, 'salestrace.site.get', { id: 99 })).body).toEqual({ error: 'SITE_NOT_FOUND', error_description: 'Site with ID `99` not found.' });
    expect((await callJson(server, 'salestrace.site.get', { id: 'x' })).body).toEqual({
      error: 'ERROR_ARGUMENT', error_description: 'Parameter `id` must be a positive integer.', argument: 'id',
    });
  });
});

describe('validation: ERROR_ARGUMENT naming the field, nothing written', () => {
  it('refuses a site without an address', async () => {
    await expectRefused('salestrace.site.add', { fields: { PHONES: ['1'] } }, {
      error: 'ERROR_ARGUMENT', error_description: 'Field `ADDRESS` is required.', argument: 'ADDRESS',
    });
  });

  it('refuses an address that is not a web site', async () => {
    for (const address of ['mailto:a@b.example', 'ftp://files.example', 'not a site', 'nodots']) {
      await expectRefused('salestrace.site.add', { fields: { ADDRESS: address } }, {
        error: 'ERROR_ARGUMENT', error_description: `"${address}" is not the http(s) address of a web site.`, argument: 'ADDRESS',
      });
    }
  });

  it('refuses a host another site has', async () => {
    await expectRefused('salestrace.site.add', { fields: { ADDRESS: 'http://SHOP.example/other' } }, {
      error: 'ERROR_ARGUMENT', error_description: 'Site 1 already has the host shop.example.', argument: 'ADDRESS',
    });
    await expectRefused('salestrace.site.update', { id: 2, fields: { ADDRESS: 'shop.example' } }, {
      error: 'ERROR_ARGUMENT', error_description: 'Site 1 already has the host shop.example.', argument: 'ADDRESS',
    });
  });

  it('refuses a phone over 30 characters (trimmed) and a list of non-strings', async () => {
    await expectRefused('salestrace.site.add', { fields: { ADDRESS: 'c.example', PHONES: ['+7 (495) 000-00-00 ext. 123456789'] } }, {
      error: 'ERROR_ARGUMENT', error_description: 'Field `PHONES` must list phone numbers of at most 30 characters.', argument: 'PHONES',
    });
    const thirty = `  ${'1'.repeat(30)}  `;
    const ok = await callJson(server, 'salestrace.site.add', { fields: { ADDRESS: 'c.example', PHONES: [thirty] } });
    expect(ok.body.result).toBe(3);
    await callJson(server, 'salestrace.site.delete', { id: 3 });
    await expectRefused('salestrace.site.add', { fields: { ADDRESS: 'c.example', PHONES: [['1']] } }, {
      error: 'ERROR_ARGUMENT', error_description: 'Field `PHONES` must be a list of strings.', argument: 'PHONES',
    });
  });

  it('refuses an e-mail that is not an address', async () => {
    await expectRefused('salestrace.site.update', { id: 1, fields: { EMAILS: ['ok@shop.example', 'no-at-sign'] } }, {
      error: 'ERROR_ARGUMENT', error_description: '"no-at-sign" in `EMAILS` is not an e-mail address.', argument: 'EMAILS',
    });
  });

  it('refuses a flag that is not Y or N, an unknown field, and fields that are not an object', async () => {
    await expectRefused('salestrace.site.update', { id: 1, fields: { ACTIVE: 'yes' } }, {
      error: 'ERROR_ARGUMENT', error_description: 'Field `ACTIVE` must be Y or N.', argument: 'ACTIVE',
    });
    await expectRefused('salestrace.site.update', { id: 1, fields: { HOST: 'x.example' } }, {
      error: 'ERROR_ARGUMENT',
      error_description: 'Unknown or read-only field `HOST`. Allowed: ADDRESS, PHONES, EMAILS, REPLACE_TEXT, ENRICH_TEXT, RESOLVE_DUPLICATES, ACTIVE, IS_INSTALLED.',
      argument: 'HOST',
    });
    await expectRefused('salestrace.site.add', { fields: 'x' }, { error: 'ERROR_ARGUMENT', error_description: 'Parameter `fields` must be an object.', argument: 'fields' });
    await expectRefused('salestrace.site.update', { id: 42, fields: { ACTIVE: 'N' } }, { error: 'SITE_NOT_FOUND', error_description: 'Site with ID `42` not found.' });
    await expectRefused('salestrace.site.delete', { id: 42 }, { error: 'SITE_NOT_FOUND', error_description: 'Site with ID `42` not found.' });
  });
});

describe('who may manage sites', () => {
  it('refuses every salestrace.site.* method to a user who is not an administrator', async () => {
    const base = await userWebhook(server, { admin: false });
    for (const [method, params] of [
      ['salestrace.site.list', {}],
      ['salestrace.site.get', { id: 1 }],
      ['salestrace.site.add', { fields: { ADDRESS: 'x.example' } }],
      ['salestrace.site.update', { id: 1, fields: { ACTIVE: 'N' } }],
      ['salestrace.site.delete', { id: 1 }],
    ] as const) {
      const answer = await callJson(server, method, params, base);
      expect(answer.status, method).toBe(403);
      expect(answer.body).toEqual({ error: 'ACCESS_DENIED', error_description: 'Access denied!' });
    }
    expect((await siteRows()).map((row) => row.id)).toEqual([1, 2]);
  });

  it('works through b24jssdk as a real client would call it', async () => {
    const hook = B24Hook.fromWebhookUrl(server.webhookHttpsUrl);
    const answer = await hook.callMethod('salestrace.site.get', { id: 2 });
    expect(answer.getData()!.result).toMatchObject({ ID: 2, HOST: 'blog.example', IS_INSTALLED: 'N' });
  });
});

describe('the site channel (§3.5)', () => {
  it('gives a trace on an active own site the site channel with its ID, else site-domain', async () => {
    const onSite = await getTrace(server, await addTrace(server, { url: 'https://shop.example/cart?x=1' }));
    expect(onSite.CHANNELS).toEqual([{ CODE: 'site', VALUE: '1' }]);
    const other = await getTrace(server, await addTrace(server, { url: 'https://www.shop.example/cart' }));
    expect(other.CHANNELS).toEqual([{ CODE: 'site-domain', VALUE: 'www.shop.example' }]);
    // Inactive sites are not own sites for the channel; the change reaches the next trace at once.
    const version = await server.services.sites.sitesVersion();
    expect((await callJson(server, 'salestrace.site.update', { id: 1, fields: { ACTIVE: 'N' } })).body.result).toBe(true);
    expect(await server.services.sites.sitesVersion()).not.toBe(version);
    const inactive = await getTrace(server, await addTrace(server, { pages: { list: [['https://shop.example/', 1700000000, 'Shop']] } }));
    expect(inactive.CHANNELS).toEqual([{ CODE: 'site-domain', VALUE: 'shop.example' }]);
    // A site that is active but not installed is still an own site for the channel.
    const notInstalled = await getTrace(server, await addTrace(server, { url: 'http://blog.example:8080/post' }));
    expect(notInstalled.CHANNELS).toEqual([{ CODE: 'site', VALUE: '2' }]);
    await callJson(server, 'salestrace.site.update', { id: 1, fields: { ACTIVE: 'Y' } });
    const back = await getTrace(server, await addTrace(server, { url: 'shop.example' }));
    expect(back.CHANNELS).toEqual([{ CODE: 'site', VALUE: '1' }]);
  });

  it('deletes a site; its host becomes site-domain again', async () => {
    expect((await callJson(server, 'salestrace.site.delete', { id: 2 })).body.result).toBe(true);
    expect((await siteRows()).map((row) => row.id)).toEqual([1]);
    const trace = await getTrace(server, await addTrace(server, { url: 'http://blog.example/' }));
    expect(trace.CHANNELS).toEqual([{ CODE: 'site-domain', VALUE: 'blog.example' }]);
  });
});
