// A JSON body that does not parse is refused and writes nothing (issue 18, finding 11). Core
// reads it as no parameters, so crm.lead.add with a truncated body would create an empty lead.
// An empty or whitespace-only body is still "no parameters": core trims the body first.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crmSnapshot } from '../crm/helpers.js';
import { callJson, request, startTestServer, type TestServer } from '../helpers/server.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const INVALID_JSON = { error: 'INVALID_JSON', error_description: 'Request body is not valid JSON' };

function postJson(url: string, body: string) {
  return request(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body });
}

async function leadCount(): Promise<number> {
  const answer = await callJson(server, 'crm.lead.list', { select: ['ID'] });
  expect(answer.status).toBe(200);
  return answer.body.total;
}

describe('a JSON body that does not parse', () => {
  it('crm.lead.add with a truncated body answers 400 and creates no lead', async () => {
    const whole = JSON.stringify({ fields: { TITLE: 'From the form', NAME: 'Ann' } });
    const before = await crmSnapshot(server);
    const leads = await leadCount();
    for (const body of [whole.slice(0, -1), whole.slice(0, 20), '{"fields":{"TITLE":"x",}}', `${whole}x`]) {
      const answer = await postJson(`${server.webhookUrl}crm.lead.add`, body);
      expect(answer.status, body).toBe(400);
      expect(answer.body, body).toEqual(INVALID_JSON);
    }
    expect(await crmSnapshot(server)).toEqual(before);
    expect(await leadCount()).toBe(leads);
  });

  it('is refused before authentication, and a batch of such a body runs no row', async () => {
    const before = await crmSnapshot(server);
    const noAuth = await postJson(`${server.httpUrl}/rest/crm.lead.add`, '{"fields":');
    expect(noAuth.status).toBe(400);
    expect(noAuth.body).toEqual(INVALID_JSON);
    const batch = await postJson(`${server.webhookUrl}batch`, '{"cmd":{"a":"crm.lead.add?fields[TITLE]=x"}');
    expect(batch.status).toBe(400);
    expect(batch.body).toEqual(INVALID_JSON);
    expect(await crmSnapshot(server)).toEqual(before);
  });

  it('is refused by the OAuth token endpoint too', async () => {
    const answer = await postJson(`${server.httpUrl}/oauth/token/`, '{"grant_type":"refresh_token"');
    expect(answer.status).toBe(400);
    expect(answer.body).toEqual(INVALID_JSON);
  });

  it('a body that is empty or only whitespace is still no parameters', async () => {
    for (const body of ['', '   ', '\r\n\t \u000b\u0000']) {
      const answer = await postJson(`${server.webhookUrl}salestrace.test.echo?q=1`, body);
      expect(answer.status, JSON.stringify(body)).toBe(200);
      expect(answer.body.result.params).toEqual({ q: '1' });
    }
  });

  it('the same text under another content type is still read as form syntax, as core reads it', async () => {
    const answer = await request(`${server.webhookUrl}salestrace.test.echo`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: '{"a":' });
    expect(answer.status).toBe(200);
    expect(answer.body.result.params).toEqual({ '{"a":': '' });
  });
});
