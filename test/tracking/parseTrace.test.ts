// Unit tests of the TRACE parser, one block per rule of sales-intelligence.md §2.2, in order.
import { describe, expect, it } from 'vitest';
import {
  addUtmTag,
  decodeTraceText,
  JSON_MAX_DEPTH,
  parseTrace,
  PREVIOUS_MAX_DEPTH,
  PREVIOUS_PER_LEVEL,
  TRACE_MAX_BYTES,
  traceSourceId,
  type ParsedTrace,
} from '../../src/tracking/parseTrace.js';
import type { SourceMatcher } from '../../src/tracking/sourceMatcher.js';
import { restError } from '../../src/rest/errors.js';

// The parser throws kinds (tracking/errors.ts); the answers' texts are the registry's.
const TRACE_MESSAGES = {
  tooLarge: restError('TRACE_TOO_LARGE', { limit: TRACE_MAX_BYTES }).description,
  tooDeep: restError('TRACE_TOO_DEEP', { limit: PREVIOUS_MAX_DEPTH }).description,
};
const TRACE_ERRORS = {
  invalidJson: expect.objectContaining({ kind: 'traceInvalidJson' }),
  tooLarge: expect.objectContaining({ kind: 'traceTooLarge', details: { limit: TRACE_MAX_BYTES } }),
  tooDeep: expect.objectContaining({ kind: 'traceTooDeep', details: { limit: PREVIOUS_MAX_DEPTH } }),
};

const NOW = 1_767_225_600; // 2026-01-01T00:00:00Z

/** A matcher with fixed answers: utm "google" → 1, "fb" → 2, referrer host facebook.com → 2, call 555 → 7, own site shop.example → 4. */
const matcher: SourceMatcher = {
  byUtmSource: (value) => ({ google: 1, fb: 2, other: 9 })[value] ?? null,
  byReferrer: (ref) => (/^https?:\/\/(www\.)?facebook\.com/.test(ref) ? 2 : null),
  byPhone: (phone) => (phone.replace(/\D/g, '') === '555' ? 7 : null),
  byEmail: () => null,
  byChannel: (channel) => (channel.code === 'call' && channel.value === '555' ? 7 : null),
  bySiteHost: (host) => (host === 'shop.example' ? 4 : null),
  codeOf: () => null,
};

function parse(data: unknown): ParsedTrace {
  return parseTrace(data, matcher, NOW);
}

function parseText(text: string): ParsedTrace {
  return parse(decodeTraceText(text));
}

describe('the documented limits', () => {
  // Other tests build their expectations from these constants; this one pins them to what
  // COMPATIBILITY.md promises, so the code and the documentation cannot drift apart.
  it('are 262144 bytes, 3 levels of previous traces and 5 previous traces per trace', () => {
    expect([TRACE_MAX_BYTES, PREVIOUS_MAX_DEPTH, PREVIOUS_PER_LEVEL]).toEqual([262144, 3, 5]);
    expect(TRACE_MESSAGES.tooLarge).toBe('Parameter `TRACE` is too large: the limit is 262144 bytes.');
    expect(TRACE_MESSAGES.tooDeep).toBe('Parameter `TRACE` nests `previous` traces deeper than 3 levels.');
    const nested = (levels: number): unknown => (levels === 0 ? { url: 'https://a.example/' } : { previous: { list: [nested(levels - 1)] } });
    expect(() => parse(nested(3))).not.toThrow();
    expect(() => parse(nested(4))).toThrow(TRACE_ERRORS.tooDeep);
    const six = { previous: { list: Array.from({ length: 6 }, (_, i) => ({ url: `https://p${i}.example/` })) } };
    expect(parse(six).previous).toHaveLength(5);
    expect(decodeTraceText(JSON.stringify({ url: 'x'.repeat(262144 - 10) }))).toBeTypeOf('object');
    expect(() => decodeTraceText(JSON.stringify({ url: 'x'.repeat(262144 - 9) }))).toThrow(TRACE_ERRORS.tooLarge);
  });
});

describe('decoding the TRACE text', () => {
  it('accepts any valid JSON, scalars included', () => {
    expect(decodeTraceText('123')).toBe(123);
    expect(decodeTraceText('null')).toBeNull();
    expect(decodeTraceText(' {"a":1} ')).toEqual({ a: 1 });
  });

  it('refuses text that is not JSON with the documented message', () => {
    for (const text of ['{', 'abc', '{"a":}', "{'a':1}", '   ']) {
      expect(() => decodeTraceText(text)).toThrow(TRACE_ERRORS.invalidJson);
    }
  });

  it('refuses nesting deeper than PHP json_decode allows (512), accepts exactly 512', () => {
    const ok = '['.repeat(JSON_MAX_DEPTH) + ']'.repeat(JSON_MAX_DEPTH);
    expect(() => decodeTraceText(ok)).not.toThrow();
    const deep = '['.repeat(JSON_MAX_DEPTH + 1) + ']'.repeat(JSON_MAX_DEPTH + 1);
    expect(() => decodeTraceText(deep)).toThrow(TRACE_ERRORS.invalidJson);
    // Brackets inside strings do not count.
    expect(() => decodeTraceText(JSON.stringify({ a: '['.repeat(1000) }))).not.toThrow();
    // Objects and lists mixed, the deepest branch not the first, with and without a \u escape
    // elsewhere (the two ways the text is checked).
    const nest = (depth: number): unknown => (depth === 1 ? {} : depth % 2 === 0 ? [1, nest(depth - 1)] : { a: 'x', b: nest(depth - 1) });
    for (const escaped of [false, true]) {
      const text = (depth: number) => {
        const json = JSON.stringify({ first: [[1]], s: 'é', deep: nest(depth - 1) });
        return escaped ? json.replace('"é"', '"\\u00e9"') : json;
      };
      expect(text(3).includes('\\u00e9')).toBe(escaped);
      expect(() => decodeTraceText(text(JSON_MAX_DEPTH))).not.toThrow();
      expect(() => decodeTraceText(text(JSON_MAX_DEPTH + 1))).toThrow(TRACE_ERRORS.invalidJson);
    }
  });

  it('refuses lone UTF-16 surrogates as PHP does, accepts proper pairs', () => {
    expect(() => decodeTraceText('{"a":"\\ud83d\\ude00"}')).not.toThrow();
    expect(() => decodeTraceText('{"a":"\\ud83d"}')).toThrow(TRACE_ERRORS.invalidJson);
    expect(() => decodeTraceText('{"a":"\\ude00x"}')).toThrow(TRACE_ERRORS.invalidJson);
    expect(() => decodeTraceText('{"a":"\ud83d"}')).toThrow(TRACE_ERRORS.invalidJson);
  });

  it('refuses a TRACE over the size limit, counted in UTF-8 bytes', () => {
    const fits = JSON.stringify({ url: 'x'.repeat(TRACE_MAX_BYTES - 10) });
    expect(Buffer.byteLength(fits)).toBe(TRACE_MAX_BYTES);
    expect(() => decodeTraceText(fits)).not.toThrow();
    const oneOver = JSON.stringify({ url: 'x'.repeat(TRACE_MAX_BYTES - 9) });
    expect(() => decodeTraceText(oneOver)).toThrow(TRACE_ERRORS.tooLarge);
    // Fewer characters than the limit, but more bytes: two per Cyrillic letter.
    const cyrillic = JSON.stringify({ url: 'я'.repeat(TRACE_MAX_BYTES / 2) });
    expect(cyrillic.length).toBeLessThan(TRACE_MAX_BYTES);
    expect(() => decodeTraceText(cyrillic)).toThrow(TRACE_ERRORS.tooLarge);
  });
});

describe('scalar JSON and unknown keys', () => {
  it('gives an empty trace for scalars', () => {
    for (const value of [123, null, 'text', true, 0]) {
      expect(parse(value)).toEqual({ isMobile: false, pages: [], tags: {}, channels: [], sourceId: null, createdAt: null, previous: [] });
    }
  });

  it('gives an empty trace for valid JSON without the known keys (the old documented format)', () => {
    const trace = parseText('{"SOURCE_ID":"6","PAGES":[["https://a.example/",1,"A"]],"order":{"id":"1"},"gid":"g","client":{"gaId":"x"}}');
    expect(trace).toEqual(parse(null));
  });
});

describe('truthiness: 0, "", "0", false and [] count as absent', () => {
  it('applies to every key', () => {
    for (const falsy of [0, '', '0', false, [], null]) {
      const trace = parse({ url: falsy, ref: falsy, device: { isMobile: falsy }, pages: { list: falsy }, tags: { list: { utm_source: falsy } }, channels: falsy, previous: { list: falsy } });
      expect(trace.channels).toEqual([]);
      expect(trace.pages).toEqual([]);
      expect(trace.tags).toEqual({});
      expect(trace.isMobile).toBe(false);
      expect(trace.previous).toEqual([]);
    }
  });

  it('treats an empty container as absent', () => {
    expect(parse({ pages: [], tags: {}, device: [] })).toEqual(parse(null));
  });
});

describe('rule 1: previous.list', () => {
  it('keeps only the last five entries, each a trace of its own', () => {
    const list = [1, 2, 3, 4, 5, 6, 7].map((n) => ({ url: `https://p${n}.example/` }));
    const trace = parse({ previous: { list } });
    expect(trace.previous.map((p) => p.channels[0].value)).toEqual(['p3.example', 'p4.example', 'p5.example', 'p6.example', 'p7.example']);
  });

  it('slices first, then skips entries that are empty or not arrays', () => {
    const trace = parse({ previous: { list: [{ url: 'https://a.example/' }, {}, 'x', 5, [], { url: 'https://b.example/' }] } });
    // The last five are {}, 'x', 5, [], {b}: only b survives; a was sliced away.
    expect(trace.previous.map((p) => p.channels[0].value)).toEqual(['b.example']);
  });

  it('reads a list sent as a map in its order', () => {
    const trace = parse({ previous: { list: { x: { url: 'https://x.example/' }, y: { url: 'https://y.example/' } } } });
    expect(trace.previous.map((p) => p.channels[0].value)).toEqual(['x.example', 'y.example']);
  });

  it('keeps the last five at every level', () => {
    const leaf = (n: number) => ({ url: `https://l${n}.example/` });
    const trace = parse({ previous: { list: [{ url: 'https://m.example/', previous: { list: [1, 2, 3, 4, 5, 6].map(leaf) } }] } });
    expect(trace.previous[0].previous).toHaveLength(5);
    expect(trace.previous[0].previous[0].channels[0].value).toBe('l2.example');
  });

  it(`accepts ${PREVIOUS_MAX_DEPTH} levels and refuses a deeper one`, () => {
    let nested: Record<string, unknown> = { url: 'https://deepest.example/' };
    for (let level = 0; level < PREVIOUS_MAX_DEPTH; level++) nested = { url: `https://level${level}.example/`, previous: { list: [nested] } };
    let depth = 0;
    for (let node = parse(nested); node.previous.length > 0; node = node.previous[0]) depth++;
    expect(depth).toBe(PREVIOUS_MAX_DEPTH);
    expect(() => parse({ previous: { list: [nested] } })).toThrow(TRACE_ERRORS.tooDeep);
  });

  it('does not count levels that are skipped or sliced away', () => {
    let nested: Record<string, unknown> = { url: 'https://deepest.example/' };
    for (let level = 0; level < PREVIOUS_MAX_DEPTH; level++) nested = { previous: { list: [nested] } };
    // Too deep, but it is the sixth from the end and so dropped by the slice.
    const list = [nested, 1, 2, 3, 4, 5].map((entry) => (typeof entry === 'number' ? { url: `https://n${entry}.example/` } : { previous: { list: [entry] } }));
    expect(() => parse({ previous: { list } })).not.toThrow();
  });
});

describe('rule 2: device.isMobile', () => {
  it('uses PHP truthiness', () => {
    expect(parse({ device: { isMobile: true } }).isMobile).toBe(true);
    expect(parse({ device: { isMobile: 'false' } }).isMobile).toBe(true); // a non-empty string is true in PHP
    expect(parse({ device: { isMobile: 1 } }).isMobile).toBe(true);
    expect(parse({ device: { isMobile: false } }).isMobile).toBe(false);
    expect(parse({ device: true }).isMobile).toBe(false);
  });
});

describe('rule 3: pages.list as [url, ts, title]', () => {
  it('keeps every tuple with a URL, in order', () => {
    const trace = parse({ pages: { list: [['https://a.example/x', 1700000000, 'A'], ['https://a.example/y', '1700000100', 'B'], ['https://a.example/z']] } });
    expect(trace.pages).toEqual([
      { URL: 'https://a.example/x', DATE_INSERT: 1700000000, TITLE: 'A' },
      { URL: 'https://a.example/y', DATE_INSERT: 1700000100, TITLE: 'B' },
      { URL: 'https://a.example/z', DATE_INSERT: null, TITLE: null },
    ]);
  });

  it('skips tuples without a URL and entries that are not tuples', () => {
    const trace = parse({ pages: { list: [['', 1, 'x'], [0, 1], [null], 'https://flat.example/', 7, { 0: 'https://map.example/', 1: 5, 2: 'M' }] } });
    expect(trace.pages).toEqual([{ URL: 'https://map.example/', DATE_INSERT: 5, TITLE: 'M' }]);
  });

  it('ignores timestamps that are not numeric or out of range', () => {
    const trace = parse({ pages: { list: [['https://a.example/', 'soon', 7], ['https://b.example/', 1e20, ['t']]] } });
    expect(trace.pages).toEqual([
      { URL: 'https://a.example/', DATE_INSERT: null, TITLE: '7' },
      { URL: 'https://b.example/', DATE_INSERT: null, TITLE: null },
    ]);
  });
});

describe('rule 5: url, else the first page, gives the site channel first', () => {
  it('uses url', () => {
    expect(parse({ url: 'https://Shop.Example.com:8443/p?q=1', channels: [{ code: 'form', value: '3' }] }).channels).toEqual([
      { code: 'site-domain', value: 'shop.example.com' },
      { code: 'form', value: '3' },
    ]);
  });

  it('falls back to the first page', () => {
    expect(parse({ pages: { list: [['https://first.example/a', 1, 'A'], ['https://second.example/', 2, 'B']] } }).channels).toEqual([
      { code: 'site-domain', value: 'first.example' },
    ]);
  });

  it('keeps www. and reads a URL without scheme as http', () => {
    expect(parse({ url: 'www.example.org/landing' }).channels).toEqual([{ code: 'site-domain', value: 'www.example.org' }]);
  });

  it('names an active own site by its ID instead of its host, by the exact lower-cased host (§3.5)', () => {
    expect(parse({ url: 'https://SHOP.example/cart' }).channels).toEqual([{ code: 'site', value: '4' }]);
    expect(parse({ url: 'https://www.shop.example/cart' }).channels).toEqual([{ code: 'site-domain', value: 'www.shop.example' }]);
  });

  it('records the channel without a host when the URL has none', () => {
    expect(parse({ url: 'mailto:someone' }).channels).toEqual([{ code: 'site-domain', value: null }]);
  });

  it('ignores a url that is not text, falling back to the first page', () => {
    expect(parse({ url: ['x'], pages: { list: [['https://p.example/', 1, 'P']] } }).channels).toEqual([{ code: 'site-domain', value: 'p.example' }]);
  });
});

describe('rule 6: tags.ts dates previous traces only', () => {
  it('sets DATE_CREATE on a previous trace, never on the main one', () => {
    const trace = parse({ tags: { ts: 1600000000 }, previous: { list: [{ tags: { ts: '1500000000' } }, { tags: { ts: 'x' } }, { url: 'https://n.example/' }] } });
    expect(trace.createdAt).toBeNull();
    expect(trace.previous.map((p) => p.createdAt)).toEqual([1500000000, null, null]);
  });
});

describe('rule 7: tags.list through the UTM whitelist', () => {
  it('upper-cases names and keeps only the five UTM codes', () => {
    const trace = parse({
      tags: {
        list: { utm_source: 'google', Utm_Medium: 'cpc', UTM_CAMPAIGN: 'spring', utm_content: 7, utm_term: 'shoes', gclid: 'g', utm_id: '1', yclid: 'y' },
        gclid: 'ignored',
      },
    });
    expect(trace.tags).toEqual({ UTM_SOURCE: 'google', UTM_MEDIUM: 'cpc', UTM_CAMPAIGN: 'spring', UTM_CONTENT: '7', UTM_TERM: 'shoes' });
    expect(Object.keys(trace.tags)).toEqual(['UTM_SOURCE', 'UTM_MEDIUM', 'UTM_CAMPAIGN', 'UTM_CONTENT', 'UTM_TERM']);
  });

  it('drops falsy and non-text values', () => {
    const trace = parse({ tags: { list: { utm_source: '', utm_medium: '0', utm_campaign: ['a'], utm_content: true, utm_term: 0 } } });
    expect(trace.tags).toEqual({});
  });

  it('picks the source from the first utm_source that matches', () => {
    expect(parse({ tags: { list: { utm_source: 'google' } } }).sourceId).toBe(1);
    expect(parse({ tags: { list: { utm_source: 'nothing' } } }).sourceId).toBeNull();
    // Two spellings of one name: the later value is stored, the first match chooses the source.
    const both = parse({ tags: { list: { utm_source: 'google', UTM_SOURCE: 'fb' } } });
    expect(both.tags).toEqual({ UTM_SOURCE: 'fb' });
    expect(both.sourceId).toBe(1);
  });
});

describe('rule 8: channels', () => {
  it('keeps known codes with their values and skips unknown or missing codes', () => {
    const trace = parse({
      channels: [
        { code: 'call', value: '+5 5-5' },
        { code: 'telegram', value: 'x' },
        { code: 'crm-shop', value: '1' },
        { code: '' },
        { value: 'no code' },
        'form',
        { code: 'FORM', value: '1' },
        { code: 'button' },
        { code: 'mail', value: ' Sales@Example.COM ' },
        { code: 'imol', value: ['not text'] },
      ],
    });
    expect(trace.channels).toEqual([
      { code: 'call', value: '555' },
      { code: 'button', value: null },
      { code: 'mail', value: 'sales@example.com' },
      { code: 'imol', value: null },
    ]);
  });

  it('keeps one channel per code, the first', () => {
    expect(parse({ url: 'https://a.example/', channels: [{ code: 'site-domain', value: 'b.example' }, { code: 'form', value: '1' }, { code: 'form', value: '2' }] }).channels).toEqual([
      { code: 'site-domain', value: 'a.example' },
      { code: 'form', value: '1' },
    ]);
  });

  it('gives a source through a channel only when no tag or referrer chose one', () => {
    const byChannel = parse({ channels: [{ code: 'call', value: '555' }] });
    expect(byChannel.sourceId).toBeNull();
    expect(traceSourceId(byChannel, matcher)).toBe(7);
    const byTag = parse({ tags: { list: { utm_source: 'google' } }, channels: [{ code: 'call', value: '555' }] });
    expect(traceSourceId(byTag, matcher)).toBe(1);
  });
});

describe('rule 10: ref', () => {
  it('sets the source when none is set yet and prepends a referrer page', () => {
    const trace = parse({ ref: ' https://www.facebook.com/some/post ', pages: { list: [['https://a.example/', 1700000000, 'A']] } });
    expect(trace.sourceId).toBe(2);
    expect(trace.pages).toEqual([
      { URL: 'https://www.facebook.com/some/post', DATE_INSERT: 1700000000, TITLE: 'www.facebook.com', IS_REF: true },
      { URL: 'https://a.example/', DATE_INSERT: 1700000000, TITLE: 'A' },
    ]);
    // The landing URL is still the first real page, not the referrer.
    expect(trace.channels).toEqual([{ code: 'site-domain', value: 'a.example' }]);
  });

  it('dates the referrer page now when there are no pages', () => {
    expect(parse({ ref: 'https://elsewhere.example/' }).pages).toEqual([
      { URL: 'https://elsewhere.example/', DATE_INSERT: NOW, TITLE: 'elsewhere.example', IS_REF: true },
    ]);
  });

  it('does not override a source chosen by utm_source (utm_source wins)', () => {
    const trace = parse({ ref: 'https://facebook.com/', tags: { list: { utm_source: 'google' } } });
    expect(trace.sourceId).toBe(1);
    expect(trace.pages[0].IS_REF).toBe(true);
  });

  it('lets the referrer decide when utm_source matches nothing', () => {
    expect(parse({ ref: 'https://facebook.com/', tags: { list: { utm_source: 'newsletter' } } }).sourceId).toBe(2);
  });

  it('ignores a blank or non-text ref', () => {
    expect(parse({ ref: '   ' }).pages).toEqual([]);
    expect(parse({ ref: { a: 1 } }).pages).toEqual([]);
  });
});

describe('addUtmTag (an item UTM_* field over the JSON tags)', () => {
  it('overrides a tag and sets the source only if none was chosen', () => {
    const trace = parse({ tags: { list: { utm_source: 'nothing', utm_medium: 'cpc' } } });
    addUtmTag(trace, 'UTM_MEDIUM', 'email', matcher);
    addUtmTag(trace, 'UTM_SOURCE', 'google', matcher);
    expect(trace.tags).toEqual({ UTM_SOURCE: 'google', UTM_MEDIUM: 'email' });
    expect(trace.sourceId).toBe(1);
    addUtmTag(trace, 'UTM_SOURCE', 'fb', matcher);
    expect(trace.sourceId).toBe(1);
  });
});
