// salestrace.source.* over real sockets, the region and social-referrer settings as traces see
// them, and `serve --strict`, which hides the whole salestrace.* namespace.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { B24Hook } from '@bitrix24/b24jssdk';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { addTrace, getTrace, userWebhook } from './helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

function builtIn(id: number, code: string, name: string, available: boolean, social: string[] = []) {
  return {
    ID: id, CODE: code, NAME: name, ACTIVE: 'Y', BUILT_IN: 'Y', AVAILABLE: available ? 'Y' : 'N', DATE_CREATE: null,
    UTM_SOURCE: [], REF_DOMAIN: [], PHONE: [], EMAIL: [], SOCIAL_REF_DOMAIN: social,
  };
}

const ORGANIC = {
  ID: 0, CODE: 'organic', NAME: 'Other traffic', ACTIVE: 'Y', BUILT_IN: 'Y', AVAILABLE: 'Y', DATE_CREATE: null,
  UTM_SOURCE: [], REF_DOMAIN: [], PHONE: [], EMAIL: [], SOCIAL_REF_DOMAIN: [],
};

async function sourceList(): Promise<any[]> {
  const answer = await callJson(server, 'salestrace.source.list', {});
  expect(answer.status).toBe(200);
  return answer.body.result;
}

async function sourceRowCount(): Promise<number> {
  const db = server.services.db;
  const sources = await db.selectFrom('tracking_sources').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  const values = await db.selectFrom('tracking_source_values').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
  return Number(sources.n) * 1000 + Number(values.n);
}

describe('salestrace.source.list', () => {
  it('lists the built-in sources, organic traffic, then custom ones', async () => {
    const answer = await callJson(server, 'salestrace.source.list', {});
    expect(answer.body.total).toBe(7);
    expect(answer.body.result).toEqual([
      builtIn(1, 'google', 'Google Ads', true),
      builtIn(2, 'fb', 'Facebook', true, ['www.facebook.com', 'facebook.com']),
      builtIn(3, 'instagram', 'Instagram', true, ['www.instagram.com', 'instagram.com']),
      builtIn(4, 'vkads', 'VK Ads', false, ['www.ads.vk.com', 'ads.vk.com']),
      builtIn(5, 'vk', 'VK', false, ['www.vk.com', 'vk.com']),
      builtIn(6, 'yandex', 'Yandex.Direct', false),
      ORGANIC,
    ]);
  });
});

describe('salestrace.source.add / update / delete', () => {
  it('adds a custom source with normalised values and matches traces by them', async () => {
    const answer = await callJson(server, 'salestrace.source.add', {
      fields: {
        NAME: ' Partner blog ',
        UTM_SOURCE: ['partner', 'partner', ' spaced '],
        REF_DOMAIN: ['https://Blog.Partner.Example/posts', 'partner.example'],
        PHONE: ['+7 (495) 123-45-67'],
        EMAIL: ' Leads@Partner.Example ',
      },
    });
    expect(answer.status, answer.text).toBe(200);
    const id = answer.body.result;
    expect(Number.isInteger(id)).toBe(true);
    const listed = (await sourceList()).at(-1);
    expect(listed).toMatchObject({
      ID: id, CODE: null, NAME: 'Partner blog', ACTIVE: 'Y', BUILT_IN: 'N', AVAILABLE: 'Y',
      UTM_SOURCE: ['partner', ' spaced '], REF_DOMAIN: ['blog.partner.example', 'partner.example'],
      PHONE: ['74951234567'], EMAIL: ['leads@partner.example'], SOCIAL_REF_DOMAIN: [],
    });
    expect(listed.DATE_CREATE).toMatch(/^\d{4}-\d\d-\d\dT/);

    expect((await getTrace(server, await addTrace(server, { tags: { list: { utm_source: 'partner' } } }))).SOURCE_ID).toBe(id);
    expect((await getTrace(server, await addTrace(server, { ref: 'https://blog.partner.example/x' }))).SOURCE_ID).toBe(id);
    expect((await getTrace(server, await addTrace(server, { channels: [{ code: 'call', value: '74951234567' }] }))).SOURCE_ID).toBe(id);
    expect((await getTrace(server, await addTrace(server, { channels: [{ code: 'mail', value: 'LEADS@partner.example' }] }))).SOURCE_ID).toBe(id);
  });

  it('refuses bad fields and writes nothing', async () => {
    const before = await sourceRowCount();
    const cases: [unknown, string, string][] = [
      [{}, 'The source name is required.', 'NAME'],
      [{ NAME: '   ' }, 'The source name must not be empty.', 'NAME'],
      [{ NAME: 'x'.repeat(256) }, 'The source name is longer than 255 characters.', 'NAME'],
      [{ NAME: 5 }, 'Field `NAME` must be a string.', 'NAME'],
      [{ NAME: 'A', CODE: 'google' }, 'Unknown or read-only field `CODE`. Allowed: NAME, ACTIVE, UTM_SOURCE, REF_DOMAIN, PHONE, EMAIL.', 'CODE'],
      [{ NAME: 'A', ACTIVE: 'maybe' }, 'Field `ACTIVE` must be Y or N.', 'ACTIVE'],
      [{ NAME: 'A', UTM_SOURCE: ['ok'], REF_DOMAIN: ['not a domain'] }, '"not a domain" is not a domain name.', 'REF_DOMAIN'],
      [{ NAME: 'A', PHONE: ['call me'] }, '"call me" is not a phone number.', 'PHONE'],
      [{ NAME: 'A', EMAIL: ['nobody'] }, '"nobody" is not an e-mail address.', 'EMAIL'],
      [{ NAME: 'A', UTM_SOURCE: [['nested']] }, 'Field `UTM_SOURCE` must be a list of strings.', 'UTM_SOURCE'],
      [{ NAME: 'A', UTM_SOURCE: ['x'.repeat(2001)] }, 'A UTM_SOURCE value is longer than 2000 characters.', 'UTM_SOURCE'],
    ];
    for (const [fields, message, argument] of cases) {
      const answer = await callJson(server, 'salestrace.source.add', { fields });
      expect(answer.status, message).toBe(400);
      expect(answer.body).toEqual({ error: 'ERROR_ARGUMENT', error_description: message, argument });
    }
    const noFields = await callJson(server, 'salestrace.source.add', { NAME: 'A' });
    expect(noFields.body).toEqual({ error: 'ERROR_ARGUMENT', error_description: 'Parameter `fields` must be an object.', argument: 'fields' });
    expect(await sourceRowCount()).toBe(before);
  });

  it('is for administrators only; everyone with crm may list', async () => {
    const user = await userWebhook(server, { admin: false });
    for (const [method, params] of [
      ['salestrace.source.add', { fields: { NAME: 'X' } }],
      ['salestrace.source.update', { id: 1, fields: { NAME: 'X' } }],
      ['salestrace.source.delete', { id: 1 }],
    ] as const) {
      const answer = await callJson(server, method, params, user);
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({ error: 'ACCESS_DENIED', error_description: 'Access denied!' });
    }
    expect((await callJson(server, 'salestrace.source.list', {}, user)).status).toBe(200);
  });

  it('updates only the given fields; a value list replaces the old one', async () => {
    const id = (await callJson(server, 'salestrace.source.add', { fields: { NAME: 'Mailing', UTM_SOURCE: ['mail1', 'mail2'], EMAIL: ['a@b.c'] } })).body.result;
    const answer = await callJson(server, 'salestrace.source.update', { id, fields: { UTM_SOURCE: ['mail3'] } });
    expect(answer.body.result).toBe(true);
    const row = (await sourceList()).find((s) => s.ID === id);
    expect(row).toMatchObject({ NAME: 'Mailing', UTM_SOURCE: ['mail3'], EMAIL: ['a@b.c'], ACTIVE: 'Y' });
    await callJson(server, 'salestrace.source.update', { id, fields: { NAME: 'Mailing 2', EMAIL: [] } });
    expect((await sourceList()).find((s) => s.ID === id)).toMatchObject({ NAME: 'Mailing 2', UTM_SOURCE: ['mail3'], EMAIL: [] });
  });

  it('archives a source with ACTIVE=N: it no longer matches', async () => {
    const id = (await callJson(server, 'salestrace.source.add', { fields: { NAME: 'Seasonal', UTM_SOURCE: ['season'] } })).body.result;
    expect((await getTrace(server, await addTrace(server, { tags: { list: { utm_source: 'season' } } }))).SOURCE_ID).toBe(id);
    await callJson(server, 'salestrace.source.update', { id, fields: { ACTIVE: 'N' } });
    expect((await sourceList()).find((s) => s.ID === id).ACTIVE).toBe('N');
    expect((await getTrace(server, await addTrace(server, { tags: { list: { utm_source: 'season' } } }))).SOURCE_ID).toBe(0);
  });

  it('configures built-in sources, referrer domains included', async () => {
    await callJson(server, 'salestrace.source.update', { id: 1, fields: { UTM_SOURCE: ['adwords'], REF_DOMAIN: ['www.google.com'], NAME: 'Google' } });
    expect((await sourceList())[0]).toMatchObject({ ID: 1, CODE: 'google', NAME: 'Google', UTM_SOURCE: ['adwords'], REF_DOMAIN: ['www.google.com'] });
    expect((await getTrace(server, await addTrace(server, { ref: 'https://www.google.com/search?q=x' }))).SOURCE).toEqual({ ID: 1, CODE: 'google', NAME: 'Google' });
  });

  it('deletes a custom source; its traces keep the ID but no longer name a source', async () => {
    const id = (await callJson(server, 'salestrace.source.add', { fields: { NAME: 'Temporary', UTM_SOURCE: ['temp'] } })).body.result;
    const traceId = await addTrace(server, { tags: { list: { utm_source: 'temp' } } });
    const answer = await callJson(server, 'salestrace.source.delete', { id });
    expect(answer.body.result).toBe(true);
    expect((await sourceList()).some((s) => s.ID === id)).toBe(false);
    const values = await server.services.db.selectFrom('tracking_source_values').select('id').where('source_id', '=', id).execute();
    expect(values).toEqual([]);
    expect(await getTrace(server, traceId)).toMatchObject({ SOURCE_ID: id, SOURCE: null });
  });

  it('refuses to delete a built-in source and answers unknown IDs with SOURCE_NOT_FOUND', async () => {
    const builtInDelete = await callJson(server, 'salestrace.source.delete', { id: 2 });
    expect(builtInDelete.status).toBe(400);
    expect(builtInDelete.body).toEqual({
      error: 'SOURCE_IS_BUILT_IN',
      error_description: 'Source `fb` is built in and cannot be deleted; set ACTIVE to N to archive it.',
    });
    for (const method of ['salestrace.source.delete', 'salestrace.source.update']) {
      const answer = await callJson(server, method, { id: 9999, fields: { NAME: 'x' } });
      expect(answer.status).toBe(400);
      expect(answer.body).toEqual({ error: 'SOURCE_NOT_FOUND', error_description: 'Source with ID `9999` not found.' });
    }
  });
});

describe('settings', () => {
  it('region ru swaps the built-in sources, and the social option toggles referrer domains', async () => {
    const trace = { ref: 'https://vk.com/wall-1' };
    const fbTrace = { ref: 'https://www.facebook.com/' };
    expect((await getTrace(server, await addTrace(server, trace))).SOURCE_ID).toBe(0);
    expect((await getTrace(server, await addTrace(server, fbTrace))).SOURCE_ID).toBe(2);

    await server.services.tracking.updateSettings({ region: 'ru' });
    const list = await sourceList();
    expect(list.filter((s) => s.AVAILABLE === 'Y').map((s) => s.CODE)).toEqual(['google', 'vkads', 'vk', 'yandex', 'organic', null, null, null]);
    expect((await getTrace(server, await addTrace(server, trace))).SOURCE_ID).toBe(5);
    expect((await getTrace(server, await addTrace(server, fbTrace))).SOURCE_ID).toBe(0);

    await server.services.tracking.updateSettings({ socialReferrers: false });
    expect((await sourceList()).find((s) => s.CODE === 'vk').SOCIAL_REF_DOMAIN).toEqual([]);
    expect((await getTrace(server, await addTrace(server, trace))).SOURCE_ID).toBe(0);
    await server.services.tracking.updateSettings({ region: 'other', socialReferrers: true });
  });
});

describe('independent witness', () => {
  it('b24jssdk creates, reads back and deletes a trace over HTTPS', async () => {
    const b24 = B24Hook.fromWebhookUrl(server.webhookHttpsUrl);
    const added = await b24.actions.v2.call.make<number>({
      method: 'crm.tracking.trace.add',
      params: { TRACE: '{"tags":{"list":{"utm_source":"adwords"}}}', ENTITIES: [] },
    });
    expect(added.isSuccess).toBe(true);
    const id = added.getData()!.result;
    expect(Number.isInteger(id)).toBe(true);
    const read = await b24.actions.v2.call.make<any>({ method: 'salestrace.trace.get', params: { id } });
    expect(read.getData()!.result).toMatchObject({ ID: id, SOURCE_ID: 1, TAGS: { UTM_SOURCE: 'adwords' } });
    const deleted = await b24.actions.v2.call.make<null>({ method: 'crm.tracking.trace.delete', params: { id } });
    expect(deleted.isSuccess).toBe(true);
    expect(deleted.getData()!.result).toBeNull();
    // The SDK throws an AjaxError carrying the Bitrix error code and text.
    await expect(b24.actions.v2.call.make<number>({ method: 'crm.tracking.trace.add', params: { TRACE: '{' } })).rejects.toMatchObject({
      code: 'ERROR_CORE',
      message: 'Can not parse JSON in parameter `TRACE`.',
    });
  });
});

describe('serve --strict', () => {
  it('hides every salestrace.* method and keeps crm.tracking.*', async () => {
    const strict = await startTestServer({ config: { strict: true } });
    try {
      for (const method of ['salestrace.trace.get', 'salestrace.trace.list', 'salestrace.source.list', 'salestrace.source.add', 'salestrace.source.update', 'salestrace.source.delete']) {
        const answer = await callJson(strict, method, { id: 1 });
        expect(answer.status, method).toBe(404);
        expect(answer.body).toEqual({ error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
      }
      const added = await callJson(strict, 'crm.tracking.trace.add', { TRACE: '{}' });
      expect(Number.isInteger(added.body.result)).toBe(true);
      expect((await callJson(strict, 'crm.tracking.trace.delete', { id: added.body.result })).body.result).toBeNull();
      const methods: string[] = (await callJson(strict, 'methods', { full: true })).body.result;
      expect(methods).toContain('crm.tracking.trace.add');
      expect(methods.filter((name) => name.startsWith('salestrace.'))).toEqual([]);
      const normal: string[] = (await callJson(server, 'methods', { full: true })).body.result;
      expect(normal).toEqual(expect.arrayContaining(['salestrace.trace.get', 'salestrace.source.list', 'crm.tracking.trace.delete']));
    } finally {
      await strict.close();
    }
  });
});
