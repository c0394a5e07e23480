// Realistic TRACE values, shaped like the browser tracker's getTrace() output
// (sales-intelligence.md §2.1): a landing URL with UTM tags, an external referrer, three
// visited pages, analytics client ids and one previous trace from an earlier visit.
// Deterministic, so every run sends the same bytes.
import qs from 'qs';

const SOURCES = [
  { utm_source: 'google', utm_medium: 'cpc', ref: 'https://www.google.com/' },
  { utm_source: 'fb', utm_medium: 'social', ref: 'https://l.facebook.com/' },
  { utm_source: 'instagram', utm_medium: 'stories', ref: 'https://l.instagram.com/' },
  { utm_source: 'yandex', utm_medium: 'cpc', ref: 'https://yandex.ru/' },
  { utm_source: 'newsletter', utm_medium: 'email', ref: 'https://mail.example.net/' },
];
const PRODUCTS = ['running-shoes', 'trail-jacket', 'yoga-mat', 'water-bottle', 'head-lamp', 'rain-poncho', 'gym-bag', 'socks'];
const BASE_TS = 1767225600; // 2026-01-01T00:00:00Z

function browserTrace(i, ts, pageCount, source) {
  const product = PRODUCTS[i % PRODUCTS.length];
  const tags = {
    utm_source: source.utm_source,
    utm_medium: source.utm_medium,
    utm_campaign: `spring_sale_${(i % 7) + 1}`,
    utm_content: `banner_${(i % 3) + 1}`,
    utm_term: product.replace('-', ' '),
  };
  const landing = `https://shop.example.com/catalog/${product}/?${new URLSearchParams(tags)}`;
  const pages = [
    [landing, ts, `${product.replace('-', ' ')} | Example Shop`],
    [`https://shop.example.com/catalog/${product}/reviews/`, ts + 47, 'Reviews'],
    ['https://shop.example.com/cart/', ts + 131, 'Your cart'],
  ].slice(0, pageCount);
  return {
    url: landing,
    ref: source.ref,
    device: { isMobile: i % 3 === 0 },
    tags: { ts, list: tags, gclid: source.utm_source === 'google' ? `Cj0KCQiA${i}x7` : null },
    client: { gaId: `GA1.2.${100000 + i}.${BASE_TS}`, yaId: `${BASE_TS}${i}` },
    pages: { list: pages },
    gid: `guest-${1000 + i}`,
  };
}

/** The TRACE string of variant i: the current visit plus one previous visit three days earlier. */
export function traceJson(i) {
  const ts = BASE_TS + i * 600;
  const current = browserTrace(i, ts, 3, SOURCES[i % SOURCES.length]);
  const earlier = browserTrace(i + 1, ts - 3 * 86400, 2, SOURCES[(i + 2) % SOURCES.length]);
  return JSON.stringify({ ...current, previous: { list: [earlier] } });
}

/** crm.tracking.trace.add parameters binding the trace to one contact and one deal. */
export function traceAddParams(i, { contactId, dealId }) {
  return {
    TRACE: traceJson(i),
    ENTITIES: [
      { TYPE: 'CONTACT', ID: contactId },
      { TYPE: 'DEAL', ID: dealId },
    ],
  };
}

/** One batch row the way b24jssdk writes it: `method?` + qs.stringify(params) (clients.md §1.3). */
export function batchRow(method, params) {
  return `${method}?${qs.stringify(params)}`;
}
