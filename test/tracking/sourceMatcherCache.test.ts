// The server keeps its source matcher between traces (src/tracking/sourceMatcherCache.ts);
// these prove that a change to the sources, by the server or by a CLI command on its own
// database connection (as from another process), is used by the very next trace, and that nothing changed means nothing re-read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SourceMatcherCache } from '../../src/tracking/sourceMatcherCache.js';
import { markSourcesChanged, saveTrackingSettings } from '../../src/tracking/settings.js';
import { runCli } from '../helpers/cli.js';
import { callJson, startTestServer, type TestServer } from '../helpers/server.js';
import { addTrace, getTrace } from './helpers.js';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(async () => {
  await server.close();
});

const sourceOf = async (utmSource: string) =>
  (await getTrace(server, await addTrace(server, { url: 'https://shop.example/', tags: { list: { utm_source: utmSource } } }))).SOURCE_ID;

describe('the kept source matcher', () => {
  it('sees sources a CLI command adds, changes and deletes while the server runs', async () => {
    expect(await sourceOf('cached-campaign')).toBe(0);
    const added = await runCli(['source', 'add', '--name', 'Cached campaign', '--utm-source', 'cached-campaign', '--data', server.dataDir]);
    expect(added.code, added.stderr).toBe(0);
    const id = Number(/^source (\d+) added$/m.exec(added.stdout)?.[1]);
    expect(id).toBeGreaterThan(0);
    expect(await sourceOf('cached-campaign')).toBe(id);
    const archived = await runCli(['source', 'update', String(id), '--active', 'off', '--data', server.dataDir]);
    expect(archived.code, archived.stderr).toBe(0);
    expect(await sourceOf('cached-campaign')).toBe(0);
    const restored = await runCli(['source', 'update', String(id), '--active', 'on', '--utm-source', 'renamed-campaign', '--data', server.dataDir]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(await sourceOf('cached-campaign')).toBe(0);
    expect(await sourceOf('renamed-campaign')).toBe(id);
    const deleted = await runCli(['source', 'delete', String(id), '--data', server.dataDir]);
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(await sourceOf('renamed-campaign')).toBe(0);
  });

  it('sees the settings a CLI command changes while the server runs, on the very next trace', async () => {
    const socialSource = async () =>
      (await getTrace(server, await addTrace(server, { url: 'https://shop.example/', ref: 'https://www.facebook.com/' }))).SOURCE_ID;
    const settings = async (value: 'on' | 'off') => {
      const changed = await runCli(['source', 'settings', '--social-referrers', value, '--data', server.dataDir]);
      expect(changed.code, changed.stderr).toBe(0);
    };
    await settings('on');
    const social = await socialSource();
    expect(social).toBeGreaterThan(0);
    expect(await socialSource()).toBe(social);
    await settings('off');
    expect(await socialSource()).toBe(0);
    await settings('on');
    expect(await socialSource()).toBe(social);
  });

  it('builds a new matcher only when the sources or the settings changed', async () => {
    const cache = new SourceMatcherCache();
    const db = server.services.db;
    const first = await cache.get(db);
    expect(await cache.get(db)).toBe(first);
    await markSourcesChanged(db);
    const afterSources = await cache.get(db);
    expect(afterSources).not.toBe(first);
    expect(await cache.get(db)).toBe(afterSources);
    const { socialReferrers } = await server.services.tracking.settings();
    await saveTrackingSettings(db, { socialReferrers: !socialReferrers });
    const afterSettings = await cache.get(db);
    expect(afterSettings).not.toBe(afterSources);
    await saveTrackingSettings(db, { socialReferrers });
    expect(await cache.get(db)).not.toBe(afterSettings);
  });
});

describe('a batch run of trace.add rows', () => {
  it('keeps one matcher only between trace.add rows: a source added by a row in between is used by the next', async () => {
    const row = (marker: string) => `crm.tracking.trace.add?${new URLSearchParams({ TRACE: JSON.stringify({ url: 'https://shop.example/', tags: { list: { utm_source: marker } } }) })}`;
    const cmd = {
      before1: row('batch-added-source'),
      before2: row('batch-added-source'),
      add: `salestrace.source.add?${new URLSearchParams({ 'fields[NAME]': 'Added in a batch', 'fields[UTM_SOURCE][0]': 'batch-added-source' })}`,
      after1: row('batch-added-source'),
      after2: row('batch-added-source'),
    };
    const answer = await callJson(server, 'batch', { halt: 1, cmd });
    expect(answer.status, answer.text).toBe(200);
    expect(answer.body.result.result_error).toEqual([]);
    const { result } = answer.body.result;
    const sourceId = result.add;
    expect(sourceId).toBeGreaterThan(0);
    const sources = await Promise.all(['before1', 'before2', 'after1', 'after2'].map(async (key) => (await getTrace(server, result[key])).SOURCE_ID));
    expect(sources).toEqual([0, 0, sourceId, sourceId]);
  });
});
