// Several processes on one database each start an event sender (serve --workers, several
// machines on PostgreSQL). The lease lets exactly one of them deliver, so every event reaches
// its handler once; when the holder stops, another takes over, and when it dies, its lease
// runs out and another takes over then (src/events/senderLease.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock } from '../../src/clock.js';
import { DEFAULT_SENDER_OPTIONS, EventSender } from '../../src/events/sender.js';
import { leaseTermMs, SenderLease } from '../../src/events/senderLease.js';
import { createLogger } from '../../src/logger.js';
import { runCli } from '../cli/inProcess.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { sleep, startReceiver, type Receiver } from './receiver.js';

let server: TestServer;
let receiver: Receiver;

beforeAll(async () => {
  // The server's own sender stays off: the test runs the two "processes'" senders itself.
  server = await startTestServer({ config: { eventDelivery: false } });
  receiver = await startReceiver();
  const added = await runCli(['webhook', 'outgoing', 'add', '--data', server.dataDir, '--handler', receiver.url, '--events', 'ONCRMLEADADD']);
  expect(added.code, added.stderr).toBe(0);
});
afterAll(async () => {
  await server.close();
  await receiver.close();
});

const options = { ...DEFAULT_SENDER_OPTIONS, timeoutMs: 1000, pollMs: 50 };
const endpoint = { origin: 'http://127.0.0.1:1', host: '127.0.0.1:1' };

function sender(): EventSender {
  const db = server.services.db;
  return new EventSender(db, systemClock, createLogger('silent'), endpoint, options, new SenderLease(db, systemClock, leaseTermMs(options.timeoutMs)));
}

async function addLeads(count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push(String((await callJson(server, 'crm.lead.add', { fields: { TITLE: `Lead ${i}` } })).body.result));
  return ids;
}

const deliveredIds = () => receiver.received.map((request) => (request.body as any).data.FIELDS.ID as string);

describe('two senders on one database', () => {
  it('deliver each event once, and the second takes over when the first stops', async () => {
    const first = await addLeads(20);
    const a = sender();
    const b = sender();
    a.start();
    b.start();
    try {
      await receiver.waitFor(20);
      // Time for a duplicate to arrive, were there one.
      await sleep(400);
      expect(deliveredIds()).toEqual(first);
      expect(await server.services.db.selectFrom('event_outbox').select('id').execute()).toEqual([]);

      // Whichever held the lease stops and gives it up; the other delivers what comes next.
      const holder = (await server.services.db.selectFrom('event_sender_lease').select('holder').executeTakeFirstOrThrow()).holder;
      const [stopping, staying] = holder === (a as any).lease.holder ? [a, b] : [b, a];
      await stopping.stop();
      const second = await addLeads(5);
      await receiver.waitFor(25);
      await sleep(400);
      expect(deliveredIds()).toEqual([...first, ...second]);
      expect((await server.services.db.selectFrom('event_sender_lease').select('holder').executeTakeFirstOrThrow()).holder).toBe(
        (staying as any).lease.holder,
      );
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});

describe('the lease', () => {
  it('passes to another process only once it has run out, and its old holder then starts nothing', async () => {
    const clock = new ManualClock(Date.now() + 3_600_000);
    const term = leaseTermMs(1000);
    const one = new SenderLease(server.services.db, clock, term);
    const two = new SenderLease(server.services.db, clock, term);
    await server.services.db.deleteFrom('event_sender_lease').execute();
    expect(await one.renew()).toBe(true);
    expect(await two.renew()).toBe(false);
    expect(two.usable()).toBe(false);
    // The holder renews while it lives.
    clock.advance(term - 1);
    expect(await one.renew()).toBe(true);
    expect(await two.renew()).toBe(false);
    // Past half its term an unrenewed holder starts no attempt (one that died renews nothing).
    clock.advance(term / 2);
    expect(one.usable()).toBe(false);
    expect(await two.renew()).toBe(false);
    // Past the whole term the lease passes on, and the old holder cannot take it back.
    clock.advance(term / 2 + 1);
    expect(await two.renew()).toBe(true);
    expect(two.usable()).toBe(true);
    expect(await one.renew()).toBe(false);
    expect(one.usable()).toBe(false);
    // Given up, it passes at once.
    await two.release();
    expect(await one.renew()).toBe(true);
  });
});
