// The outbox survives a crash (events.md §4; issue 13): a change is answered, the server is
// killed with SIGKILL before it delivers the event, and the restarted server delivers it to a
// receiver that answers 200 exactly once. The first server runs with --no-event-delivery, so
// the kill falls between the change and its delivery every time, not by luck of timing.
import { afterAll, expect, it } from 'vitest';
import { removeTempDataDir, tempDataDir } from '../cli/spawn.js';
import { runCli } from '../cli/inProcess.js';
import { callOk, killableServer } from '../hardening/killableServer.js';
import { sleep, startReceiver } from './receiver.js';

const dataDir = await tempDataDir();
const server = killableServer(dataDir);
const receiver = await startReceiver();
afterAll(async () => {
  for (const serve of server.running) serve.child.kill('SIGKILL');
  await receiver.close();
  await removeTempDataDir(dataDir);
});

it('delivers an event raised before a SIGKILL once, after the restart', async () => {
  const first = await server.start(['--no-event-delivery']);
  const added = await runCli(['webhook', 'outgoing', 'add', '--data', dataDir, '--handler', receiver.url, '--events', 'ONCRMLEADADD,ONCRMLEADUPDATE']);
  expect(added.code).toBe(0);
  const leadId = await callOk(first.base, 'crm.lead.add', { fields: { TITLE: 'before the crash' } });
  await callOk(first.base, 'crm.lead.update', { id: leadId, fields: { TITLE: 'still before the crash' } });
  await sleep(300);
  expect(receiver.received).toEqual([]);
  const exited = new Promise((resolve) => first.serve.child.once('close', resolve));
  first.serve.child.kill('SIGKILL');
  await exited;
  server.reaped(first.serve);

  const second = await server.start();
  const got = await receiver.waitFor(2, 15_000);
  // Time for a duplicate to show up, were there one.
  await sleep(1500);
  expect(receiver.received.length).toBe(2);
  // Two handlers (one per event), served side by side: sorted by event name.
  expect(got.map((r) => [r.body.event, (r.body as any).data.FIELDS.ID]).sort()).toEqual([
    ['ONCRMLEADADD', String(leadId)],
    ['ONCRMLEADUPDATE', String(leadId)],
  ]);
  expect((got[0]!.body as any).auth.application_token).toBe(added.stdout.trim());
  await second.serve.stop();
  server.reaped(second.serve);
});
