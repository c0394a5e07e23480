// The official b24jssdk as an independent witness (issue 13, "Done when"): an app built with it
// is installed, takes its OAuth context from the ONAPPINSTALL request exactly as the SDK's own
// event types name the fields, binds events through the SDK, receives them, reads the changed
// item with the event's token, and acknowledges offline events with event.offline.get/clear.
// The SDK has types for handler requests (EventOnAppInstallHandlerParams, HandlerAuthParams)
// but no parser: the body is decoded with PHP's rules, as a PHP handler would.
import { B24OAuth, type EventHandlerParams, type EventOnAppInstallHandlerParams, type HandlerAuthParams } from '@bitrix24/b24jssdk';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { runCli } from '../cli/inProcess.js';
import { startReceiver, type Receiver } from './receiver.js';

let server: TestServer;
let receiver: Receiver;
beforeAll(async () => {
  server = await startTestServer();
  receiver = await startReceiver();
});
afterAll(async () => {
  await server.close();
  await receiver.close();
});

function appFromEvent(auth: HandlerAuthParams, clientId: string, clientSecret: string): B24OAuth {
  const b24 = new B24OAuth(
    {
      applicationToken: auth.application_token,
      userId: Number(auth.user_id),
      memberId: auth.member_id,
      accessToken: auth.access_token,
      refreshToken: auth.refresh_token,
      expires: Number(auth.expires),
      expiresIn: Number(auth.expires_in),
      scope: auth.scope,
      domain: auth.domain,
      clientEndpoint: auth.client_endpoint,
      serverEndpoint: auth.server_endpoint,
      status: auth.status as 'L',
    },
    { clientId, clientSecret },
    { restrictionParams: { rateLimit: { burstLimit: 10000, drainRate: 1000, adaptiveEnabled: false } } },
  );
  b24.offClientSideWarning();
  return b24;
}

it('an app built with b24jssdk binds, receives and acknowledges events', async () => {
  const added = await runCli(['app', 'add', '--data', server.dataDir, '--scope', 'crm', '--install-handler', receiver.url]);
  expect(added.code).toBe(0);
  const clientId = /client_id: (\S+)/.exec(added.stdout)![1];
  const clientSecret = /client_secret: (\S+)/.exec(added.stdout)![1];
  const [installRequest] = await receiver.waitFor(1);
  const install = installRequest.body as unknown as EventOnAppInstallHandlerParams;
  expect(install.event).toBe('ONAPPINSTALL');
  expect(install.data.INSTALLED).toBe('Y');
  const b24 = appFromEvent(install.auth, clientId, clientSecret);

  const bound = await b24.actions.v2.call.make<boolean>({ method: 'event.bind', params: { event: 'ONCRMDEALADD', handler: receiver.url } });
  expect(bound.isSuccess).toBe(true);
  expect(bound.getData()!.result).toBe(true);
  const offline = await b24.actions.v2.call.make<boolean>({ method: 'event.bind', params: { event: 'ONCRMDEALUPDATE', event_type: 'offline' } });
  expect(offline.getData()!.result).toBe(true);
  const listed = await b24.actions.v2.call.make<{ event: string; offline: number }[]>({ method: 'event.get', params: {} });
  expect(listed.getData()!.result.map((h) => [h.event, h.offline])).toEqual([['ONAPPINSTALL', 0], ['ONCRMDEALADD', 0], ['ONCRMDEALUPDATE', 1]]);

  // A person adds a deal and changes it: the app is told of the add and queues the change.
  const dealId = (await callJson(server, 'crm.deal.add', { fields: { TITLE: 'Big one' } })).body.result;
  await callJson(server, 'crm.deal.update', { id: dealId, fields: { TITLE: 'Bigger one' } });
  const [, dealRequest] = await receiver.waitFor(2);
  const dealEvent = dealRequest.body as unknown as EventHandlerParams & { data: { FIELDS: { ID: string } } };
  expect(dealEvent.event).toBe('ONCRMDEALADD');
  expect(dealEvent.auth!.application_token).toBe(install.auth.application_token);
  const fromEvent = appFromEvent({ ...dealEvent.auth!, refresh_token: install.auth.refresh_token }, clientId, clientSecret);
  const deal = await fromEvent.actions.v2.call.make<{ TITLE: string }>({ method: 'crm.deal.get', params: { id: dealEvent.data.FIELDS.ID } });
  expect(deal.getData()!.result.TITLE).toBe('Bigger one');

  const batch = await b24.actions.v2.call.make<{ process_id: string; events: { EVENT_NAME: string; EVENT_DATA: { FIELDS: { ID: number } }; MESSAGE_ID: string }[] }>({
    method: 'event.offline.get',
    params: { clear: 0 },
  });
  const { process_id: processId, events } = batch.getData()!.result;
  expect(events.map((e) => [e.EVENT_NAME, e.EVENT_DATA.FIELDS.ID])).toEqual([['ONCRMDEALUPDATE', dealId]]);
  const cleared = await b24.actions.v2.call.make<boolean>({ method: 'event.offline.clear', params: { process_id: processId } });
  expect(cleared.getData()!.result).toBe(true);
  const after = await b24.actions.v2.call.make<{ total?: number }>({ method: 'event.offline.list', params: {} });
  expect(after.getData()!.result).toEqual([]);
});
