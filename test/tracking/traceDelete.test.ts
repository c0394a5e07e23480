// crm.tracking.trace.delete over real sockets: the `id` rules, unknown IDs, and complete
// clean-up of an unbound trace with its previous traces. Deletes of traces bound to CRM items,
// partial ones included, are in crmItems.test.ts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callForm, callGet, callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { addTrace, expectNoOrphans, getTrace, trackingCounts, userWebhook } from './helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const REQUIRED = { error: 'ERROR_CORE', error_description: 'Parameter `id` required.' };

/** A trace with two previous traces, one of which has a previous trace of its own, and channels everywhere. */
function treeTrace(tag: string) {
  return {
    url: `https://${tag}.example/`,
    channels: [{ code: 'form', value: '7' }],
    previous: {
      list: [
        { url: `https://${tag}-a.example/`, previous: { list: [{ url: `https://${tag}-a1.example/` }] } },
        { url: `https://${tag}-b.example/`, channels: [{ code: 'call', value: '123' }] },
      ],
    },
  };
}

describe('the id parameter', () => {
  it('is required: missing, empty, zero or not a number', async () => {
    const id = await addTrace(server, { url: 'https://keep.example/' });
    const before = await trackingCounts(server);
    for (const params of [{}, { id: 0 }, { id: '0' }, { id: '' }, { id: 'abc' }, { id: null }, { id: false }, { ID: id }, { Id: id }, { id: [id] }, { id: { 0: id } }]) {
      const answer = await callJson(server, 'crm.tracking.trace.delete', params);
      expect(answer.status, JSON.stringify(params)).toBe(400);
      expect(answer.body).toEqual(REQUIRED);
    }
    const form = await callForm(server, 'crm.tracking.trace.delete', `id[]=${id}`);
    expect(form.body).toEqual(REQUIRED);
    expect(await trackingCounts(server)).toEqual(before);
  });

  it('is cast like PHP (int): leading digits count', async () => {
    const id = await addTrace(server, { url: 'https://cast.example/' });
    const answer = await callGet(server, 'crm.tracking.trace.delete', `id=${id}abc`);
    expect(answer.status).toBe(200);
    expect((await callJson(server, 'salestrace.trace.get', { id })).body.error).toBe('TRACE_NOT_FOUND');
  });
});

describe('deleting', () => {
  it('answers result: null for an ID that does not exist and changes nothing', async () => {
    await addTrace(server, { url: 'https://other.example/' });
    const before = await trackingCounts(server);
    for (const id of [999999, '999998', -5]) {
      const answer = await callJson(server, 'crm.tracking.trace.delete', { id });
      expect(answer.status).toBe(200);
      expect(answer.text).toMatch(/^\{"result":null,"time":\{/);
    }
    expect(await trackingCounts(server)).toEqual(before);
  });

  it('removes an unbound trace completely: channels, tree rows and previous traces', async () => {
    const keep = await addTrace(server, treeTrace('keep'));
    const before = await trackingCounts(server);
    const id = await addTrace(server, treeTrace('gone'));
    const added = await trackingCounts(server);
    expect(added.traces - before.traces).toBe(4);
    expect(added.tree - before.tree).toBe(3);
    expect(added.channels - before.channels).toBe(6); // 4 site-domain + form + call

    const answer = await callJson(server, 'crm.tracking.trace.delete', { id });
    expect(answer.status).toBe(200);
    expect(answer.body.result).toBeNull();
    expect(await trackingCounts(server)).toEqual(before);
    await expectNoOrphans(server);
    // The other tree is untouched.
    const kept = await getTrace(server, keep);
    expect(kept.PREVIOUS).toHaveLength(2);
    expect(kept.PREVIOUS[0].PREVIOUS).toHaveLength(1);
  });

  it('deletes a previous trace on its own, leaving its parent without it', async () => {
    const parent = await addTrace(server, treeTrace('parent'));
    const [childA, childB] = (await getTrace(server, parent)).PREVIOUS_IDS;
    const before = await trackingCounts(server);
    await callJson(server, 'crm.tracking.trace.delete', { id: childA });
    const after = await trackingCounts(server);
    // childA and its own previous trace go; one tree row from parent and one below childA.
    expect(before.traces - after.traces).toBe(2);
    expect(before.tree - after.tree).toBe(2);
    expect((await getTrace(server, parent)).PREVIOUS_IDS).toEqual([childB]);
    await expectNoOrphans(server);
  });

  it('deletes an unbound trace only for its creator or an administrator; anyone else gets result: null and it stays', async () => {
    const creator = await userWebhook(server, { admin: false });
    const other = await userWebhook(server, { admin: false });
    const addAs = async (base: string, tag: string) => (await callJson(server, 'crm.tracking.trace.add', { TRACE: JSON.stringify(treeTrace(tag)) }, base)).body.result as number;
    const theirs = await addTrace(server, treeTrace('admins'));
    const mine = await addAs(creator, 'creators');
    const before = await trackingCounts(server);
    for (const [base, id] of [[other, theirs], [other, mine], [creator, theirs]] as const) {
      const answer = await callJson(server, 'crm.tracking.trace.delete', { id }, base);
      expect([answer.status, answer.body.result]).toEqual([200, null]);
    }
    expect(await trackingCounts(server)).toEqual(before);
    expect((await getTrace(server, theirs)).PREVIOUS_IDS).toHaveLength(2);

    // Traces written before creators were recorded are the administrators' alone.
    await server.services.db.updateTable('tracking_traces').set({ created_by: null }).where('id', '=', mine).execute();
    expect((await callJson(server, 'crm.tracking.trace.delete', { id: mine }, creator)).body.result).toBeNull();
    expect(await trackingCounts(server)).toEqual(before);
    await server.services.db.updateTable('tracking_traces').set({ created_by: Number(creator.split('/')[4]) }).where('id', '=', mine).execute();

    expect((await callJson(server, 'crm.tracking.trace.delete', { id: mine }, creator)).body.result).toBeNull();
    expect((await callJson(server, 'salestrace.trace.get', { id: mine })).body.error).toBe('TRACE_NOT_FOUND');
    expect((await callJson(server, 'crm.tracking.trace.delete', { id: theirs })).body.result).toBeNull();
    expect((await callJson(server, 'salestrace.trace.get', { id: theirs })).body.error).toBe('TRACE_NOT_FOUND');
    expect(await trackingCounts(server)).toEqual({ ...before, traces: before.traces - 8, channels: before.channels - 12, tree: before.tree - 6 });
    await expectNoOrphans(server);
  });

  it('runs in batch, and a second delete of the same ID is a no-op', async () => {
    const id = await addTrace(server, treeTrace('batch'));
    const answer = await callJson(server, 'batch', {
      cmd: { first: `crm.tracking.trace.delete?id=${id}`, again: `crm.tracking.trace.delete?id=${id}`, bad: 'crm.tracking.trace.delete?id=' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.result.result).toEqual({ first: null, again: null });
    expect(answer.body.result.result_error).toEqual({ bad: REQUIRED });
    await expectNoOrphans(server);
  });
});
