// Unit tests of source detection (sales-intelligence.md §3): built-in sources by region, the
// social referrer option, order and exactness of matching, and the precedence inside a trace.
import { describe, expect, it } from 'vitest';
import { parseTrace, traceSourceId } from '../../src/tracking/parseTrace.js';
import { DEFAULT_TRACKING_SETTINGS, matchableSources, type SourceRecord, type SourceValues, type TrackingSettings } from '../../src/tracking/sourceCatalog.js';
import { buildSourceMatcher } from '../../src/tracking/sourceMatcher.js';

function source(id: number, code: string | null, values: Partial<SourceValues> = {}, active = true): SourceRecord {
  return {
    id,
    code,
    name: code ?? `custom ${id}`,
    active,
    createdAt: null,
    values: { UTM_SOURCE: [], REF_DOMAIN: [], PHONE: [], EMAIL: [], ...values },
  };
}

/** The seeded built-ins with their migration IDs, plus whatever a test adds. */
function sources(extra: SourceRecord[] = [], builtInValues: Record<string, Partial<SourceValues>> = {}): SourceRecord[] {
  const codes = ['google', 'fb', 'instagram', 'vkads', 'vk', 'yandex'];
  return [...codes.map((code, i) => source(i + 1, code, builtInValues[code])), ...extra];
}

const RU: TrackingSettings = { region: 'ru', socialReferrers: true };
const OTHER: TrackingSettings = DEFAULT_TRACKING_SETTINGS;

describe('defaults', () => {
  it('are region "other" with social referrers on', () => {
    expect(DEFAULT_TRACKING_SETTINGS).toEqual({ region: 'other', socialReferrers: true });
  });
});

describe('availability by region', () => {
  it('offers google, fb and instagram outside Russia', () => {
    expect(matchableSources(sources(), OTHER).map((s) => s.code)).toEqual(['google', 'fb', 'instagram']);
  });

  it('offers google, vkads, vk and yandex in Russia', () => {
    expect(matchableSources(sources(), RU).map((s) => s.code)).toEqual(['google', 'vkads', 'vk', 'yandex']);
  });

  it('offers custom sources everywhere, after the built-in ones, by ID', () => {
    const list = sources([source(12, null), source(9, null)]);
    expect(matchableSources(list, RU).map((s) => s.id)).toEqual([1, 4, 5, 6, 9, 12]);
  });

  it('never matches an unavailable built-in source', () => {
    const list = sources([], { fb: { UTM_SOURCE: ['facebook'] }, vk: { UTM_SOURCE: ['vkontakte'] } });
    expect(buildSourceMatcher(list, RU).byUtmSource('facebook')).toBeNull();
    expect(buildSourceMatcher(list, RU).byUtmSource('vkontakte')).toBe(5);
    expect(buildSourceMatcher(list, OTHER).byUtmSource('facebook')).toBe(2);
    expect(buildSourceMatcher(list, OTHER).byUtmSource('vkontakte')).toBeNull();
  });
});

describe('utm_source matching', () => {
  const list = sources([source(7, null, { UTM_SOURCE: ['newsletter', '10', ' spaced'] }), source(8, null, { UTM_SOURCE: ['newsletter', 'promo'] })], {
    google: { UTM_SOURCE: ['google', 'adwords'] },
  });
  const matcher = buildSourceMatcher(list, OTHER);

  it('finds the source listing the value', () => {
    expect(matcher.byUtmSource('adwords')).toBe(1);
    expect(matcher.byUtmSource('promo')).toBe(8);
  });

  it('takes the first source in order when two list the same value', () => {
    expect(matcher.byUtmSource('newsletter')).toBe(7);
  });

  it('is exact: case-sensitive, untrimmed, no numeric equality', () => {
    expect(matcher.byUtmSource('Google')).toBeNull();
    expect(matcher.byUtmSource('google ')).toBeNull();
    expect(matcher.byUtmSource('spaced')).toBeNull();
    expect(matcher.byUtmSource(' spaced')).toBe(7);
    expect(matcher.byUtmSource('1e1')).toBeNull();
    expect(matcher.byUtmSource('10')).toBe(7);
  });

  it('never matches an empty value or an archived source', () => {
    expect(matcher.byUtmSource('')).toBeNull();
    const archived = buildSourceMatcher(sources([source(7, null, { UTM_SOURCE: ['x'] }, false)]), OTHER);
    expect(archived.byUtmSource('x')).toBeNull();
  });
});

describe('referrer matching', () => {
  it('recognises the social domains by default, exactly by host', () => {
    const matcher = buildSourceMatcher(sources(), OTHER);
    expect(matcher.byReferrer('https://www.facebook.com/groups/1')).toBe(2);
    expect(matcher.byReferrer('https://facebook.com/')).toBe(2);
    expect(matcher.byReferrer('https://WWW.INSTAGRAM.COM/p/1')).toBe(3);
    expect(matcher.byReferrer('https://m.facebook.com/')).toBeNull();
    expect(matcher.byReferrer('https://www.google.com/')).toBeNull();
    const ru = buildSourceMatcher(sources(), RU);
    expect(ru.byReferrer('https://vk.com/wall1')).toBe(5);
    expect(ru.byReferrer('https://ads.vk.com/')).toBe(4);
    expect(ru.byReferrer('https://facebook.com/')).toBeNull();
  });

  it('turns the social domains off with the option', () => {
    const matcher = buildSourceMatcher(sources(), { region: 'other', socialReferrers: false });
    expect(matcher.byReferrer('https://facebook.com/')).toBeNull();
  });

  it('uses referrer domains configured on a built-in source too (Bitrix drops them)', () => {
    const list = sources([], { google: { REF_DOMAIN: ['www.google.com'] }, fb: { REF_DOMAIN: ['l.facebook.com'] } });
    const matcher = buildSourceMatcher(list, OTHER);
    expect(matcher.byReferrer('https://www.google.com/search?q=x')).toBe(1);
    expect(matcher.byReferrer('https://l.facebook.com/l.php')).toBe(2);
    expect(matcher.byReferrer('https://facebook.com/')).toBe(2);
  });

  it('uses custom sources', () => {
    const matcher = buildSourceMatcher(sources([source(9, null, { REF_DOMAIN: ['partner.example'] })]), OTHER);
    expect(matcher.byReferrer('http://partner.example:8080/x')).toBe(9);
    expect(matcher.byReferrer('not a url at all')).toBeNull();
  });
});

describe('channel sources', () => {
  const list = sources([source(9, null, { PHONE: ['74951234567'], EMAIL: ['sales@example.com'] })]);

  it('matches a call by the digits of the number and a mail by address', () => {
    const matcher = buildSourceMatcher(list, OTHER);
    expect(matcher.byChannel({ code: 'call', value: '+7 (495) 123-45-67' })).toBe(9);
    expect(matcher.byChannel({ code: 'call', value: '84951234567' })).toBeNull();
    expect(matcher.byChannel({ code: 'mail', value: 'Sales@Example.com' })).toBe(9);
    expect(matcher.byChannel({ code: 'form', value: '74951234567' })).toBeNull();
    expect(matcher.byChannel({ code: 'call', value: null })).toBeNull();
  });

  it('maps Open Channels connectors to the built-in sources available in the region', () => {
    expect(buildSourceMatcher(list, OTHER).byChannel({ code: 'imol', value: 'facebookmessenger' })).toBe(2);
    expect(buildSourceMatcher(list, OTHER).byChannel({ code: 'imol', value: 'fbinstagram' })).toBe(3);
    expect(buildSourceMatcher(list, OTHER).byChannel({ code: 'imol', value: 'vkgroup' })).toBeNull();
    expect(buildSourceMatcher(list, RU).byChannel({ code: 'imol', value: 'vkgroup' })).toBe(5);
    expect(buildSourceMatcher(list, RU).byChannel({ code: 'imol', value: 'yandex' })).toBe(6);
    expect(buildSourceMatcher(list, RU).byChannel({ code: 'imol', value: 'livechat' })).toBeNull();
    expect(buildSourceMatcher(list, RU).byChannel({ code: 'imol', value: 'toString' })).toBeNull();
  });
});

describe('precedence inside one trace', () => {
  const list = sources([source(9, null, { UTM_SOURCE: ['mail'], PHONE: ['5550100'] }), source(10, null, { REF_DOMAIN: ['blog.example'] })], {
    google: { UTM_SOURCE: ['google'] },
  });
  const matcher = buildSourceMatcher(list, OTHER);
  const sourceOf = (data: unknown) => traceSourceId(parseTrace(data, matcher, 0), matcher);

  it('utm_source wins over the referrer', () => {
    expect(sourceOf({ tags: { list: { utm_source: 'google' } }, ref: 'https://facebook.com/' })).toBe(1);
  });

  it('the referrer decides when utm_source matches nothing or is absent', () => {
    expect(sourceOf({ tags: { list: { utm_source: 'unknown' } }, ref: 'https://facebook.com/' })).toBe(2);
    expect(sourceOf({ ref: 'https://blog.example/post' })).toBe(10);
  });

  it('channels decide only when neither tags nor referrer did', () => {
    expect(sourceOf({ channels: [{ code: 'call', value: '555-01-00' }] })).toBe(9);
    expect(sourceOf({ ref: 'https://blog.example/', channels: [{ code: 'call', value: '5550100' }] })).toBe(10);
  });

  it('nothing matching is organic (null)', () => {
    expect(sourceOf({ url: 'https://shop.example/', ref: 'https://unknown.example/' })).toBeNull();
    expect(sourceOf({})).toBeNull();
  });
});
