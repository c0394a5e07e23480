// The guest module (`window.b24Tracker.guest`, tracker-and-calls.md §1.4–§1.9): it records the
// visitor's UTM tags, external referrer and last pages, keeps earlier campaign visits as previous
// traces, builds the getTrace() JSON and sends traces, orders and return events to /pub/guest.php.
import { browser, cookie, hostnameOf, ls, now, pack, url } from './webpacker';

const TAGS_KEY = 'b24_crm_guest_utm';
const REF_KEY = 'b24_crm_guest_ref';
const PAGES_KEY = 'b24_crm_guest_pages';
const TRACES_KEY = 'b24_crm_guest_traces';
const GID_KEY = 'b24_crm_guest_id';
const RETURNED_KEY = 'b24_crm_guest_id_returned';
const UTM_NAMES = ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term'];
/** A repeated utm_source counts as a new arrival after this many seconds (§1.5). */
const SAME_TAG_LIFESPAN = 3600;
const MAX_PAGES = 5;
const MAX_TRACES = 5;
const ORDER_ID = /^[\d\w.\-\/\\_#]{1,30}$/i;

export interface TraceOptions {
  previous?: boolean;
  channels?: { code: string; value: unknown }[];
  order?: { id: unknown; sum: unknown };
}

interface StoredTags {
  ts: number;
  list: Record<string, string>;
  gclid: string | null;
}

let lifespanDays = 28;
const lifespanSeconds = () => lifespanDays * 86400;

const tagTracker = {
  detected: undefined as boolean | undefined,
  read(): StoredTags | null {
    return ls.isSupported() ? ls.getItem(TAGS_KEY) : cookie.getItem(TAGS_KEY);
  },
  write(tags: StoredTags): void {
    if (ls.isSupported()) ls.setItem(TAGS_KEY, tags);
    else cookie.setItem(TAGS_KEY, tags);
  },
  clear(): void {
    ls.removeItem(TAGS_KEY);
    if (cookie.get(TAGS_KEY) !== null) cookie.remove(TAGS_KEY);
  },
  /** A new utm_source in the URL: different from the stored one, or the same one after an hour. */
  isSourceDetected(): boolean {
    if (tagTracker.detected === undefined) {
      const source = url.parameter.get('utm_source');
      const stored = tagTracker.read();
      const storedSource = stored && stored.list ? stored.list.utm_source : undefined;
      tagTracker.detected =
        !!source && (source !== storedSource || !stored || now() - stored.ts > SAME_TAG_LIFESPAN);
    }
    return tagTracker.detected;
  },
  collect(): void {
    const stored = tagTracker.read();
    const inUrl = url.parameter.getList().filter((item) => UTM_NAMES.indexOf(item.name) > -1);
    let list: Record<string, string>;
    let ts: number;
    if (inUrl.length > 0) {
      list = {};
      inUrl.forEach((item) => {
        let value = item.value;
        try {
          value = decodeURIComponent(value);
        } catch {
          // kept as sent
        }
        if (value.trim() !== '') list[item.name] = value;
      });
      ts = now();
    } else {
      list = stored && stored.list ? stored.list : {};
      ts = stored && stored.ts ? stored.ts : now();
    }
    const raw = url.parameter.getList().filter((item) => item.name === 'gclid')[0];
    const gclid = (raw && raw.value) || (stored ? stored.gclid : null) || null;
    if (now() - ts > lifespanSeconds()) {
      tagTracker.clear();
      return;
    }
    tagTracker.write({ ts, list, gclid });
  },
};

interface Detection {
  newest?: boolean;
  expired?: boolean;
  ref?: string;
}

const refTracker = {
  read(): { ts: number; ref: string } | null {
    return ls.getItem(REF_KEY, lifespanSeconds());
  },
  /** `false` for a referrer seen within the hour (the portal tracker's quirk, kept). */
  detect(): Detection | false {
    const ref = document.referrer;
    if (!ref) return {};
    const host = hostnameOf(ref);
    if (!host || host === window.location.hostname) return {};
    const stored = refTracker.read();
    if (!stored || stored.ref !== ref) return { newest: true, ref };
    if (now() - stored.ts > SAME_TAG_LIFESPAN) return { expired: true };
    return false;
  },
  collect(): void {
    const found = refTracker.detect();
    if (!found) return;
    if (found.expired) {
      ls.removeItem(REF_KEY);
      return;
    }
    if (!found.newest) return;
    const stored = refTracker.read();
    ls.setItem(REF_KEY, { ts: stored && stored.ts ? stored.ts : now(), ref: found.ref }, lifespanSeconds());
  },
};

const pageTracker = {
  read(): [string, number, string][] | null {
    const pages = ls.getItem(PAGES_KEY);
    return Array.isArray(pages) ? pages : null;
  },
  collect(): void {
    const heading = document.body ? document.body.querySelector('h1') : null;
    let title = heading && heading.textContent ? heading.textContent.trim() : '';
    if (title === '') title = (document.title || '').trim();
    title = title.slice(0, 40);
    const href = window.location.href;
    const pages = (pageTracker.read() || []).filter((page) => page[0] !== href);
    while (pages.length >= MAX_PAGES) pages.shift();
    pages.push([href, Math.round(Date.now() / 1000), title]);
    ls.setItem(PAGES_KEY, pages);
  },
};

function clientIds(): Record<string, string> {
  const client: Record<string, string> = {};
  const w = window as any;
  try {
    if (typeof w.ga === 'function') {
      const trackers = w.ga.getAll ? w.ga.getAll() : [];
      if (trackers[0] && trackers[0].get) client.gaId = trackers[0].get('clientId');
    }
  } catch {
    // analytics not ready
  }
  if (!client.gaId) {
    const ga = cookie.get('_ga');
    if (ga) client.gaId = ga.split('.').slice(-2).join('.');
  }
  try {
    if (w.ym && w.ym.a && w.ym.a[0]) {
      const counter = w['yaCounter' + w.ym.a[0][0]];
      if (counter && counter.getClientID) client.yaId = counter.getClientID();
    }
  } catch {
    // metrica not ready
  }
  if (!client.yaId) {
    const ya = cookie.get('_ym_uid');
    if (ya) client.yaId = ya;
  }
  return client;
}

const traceTracker = {
  list(): unknown[] {
    const stored = ls.getItem(TRACES_KEY);
    return stored && Array.isArray(stored.list) ? stored.list : [];
  },
  current(options: TraceOptions = {}): Record<string, unknown> {
    const ref = refTracker.read();
    const trace: Record<string, unknown> = {
      url: window.location.href,
      ref: ref ? ref.ref : undefined,
      device: { isMobile: browser.isMobile() },
      tags: tagTracker.read() || {},
      client: clientIds(),
      pages: { list: pageTracker.read() },
      gid: guest.getGidCookie(),
    };
    if (options.previous !== false) trace.previous = { list: traceTracker.list() };
    if (options.channels) trace.channels = options.channels;
    if (options.order) trace.order = options.order;
    return trace;
  },
  /** A new campaign or referrer: what was collected so far becomes a previous trace. */
  collect(): void {
    const ref = refTracker.detect();
    if (!tagTracker.isSourceDetected() && !(ref && ref.newest)) return;
    if (!pageTracker.read()) return;
    const list = traceTracker.list();
    list.push(traceTracker.current({ previous: false }));
    while (list.length > MAX_TRACES) list.shift();
    ls.setItem(TRACES_KEY, { list });
    tagTracker.clear();
    ls.removeItem(PAGES_KEY);
  },
  clear(): void {
    ls.removeItem(TRACES_KEY);
  },
};

function sessionFlag(): string | null | undefined {
  try {
    return window.sessionStorage.getItem(RETURNED_KEY);
  } catch {
    return undefined;
  }
}

/** POST to /pub/guest.php as a plain form (§1.8); a `<script>` GET where XHR has no credentials. */
function query(data: Record<string, unknown>, callback?: (response: any) => void): void {
  const body = Object.keys(data)
    .map((key) => {
      const value = data[key];
      return key + '=' + encodeURIComponent(typeof value === 'object' ? JSON.stringify(value) : String(value));
    })
    .join('&');
  const request = new XMLHttpRequest();
  if (!('withCredentials' in request)) {
    const script = document.createElement('script');
    script.src = guest.requestUrl + '?' + body;
    document.head.appendChild(script);
    return;
  }
  request.open('POST', guest.requestUrl);
  request.setRequestHeader('Content-Type', 'application/x-www-form-urlencoded');
  request.withCredentials = true;
  request.onload = () => {
    if (request.status !== 200 || !callback) return;
    try {
      callback(JSON.parse(request.responseText));
    } catch {
      // not JSON: ignored
    }
  };
  request.send(body);
}

export const guest = {
  cookieName: GID_KEY,
  returnCookieName: RETURNED_KEY,
  requestUrl: '',
  isInit: false,
  sentOrders: [] as string[],
  init(): void {
    if (guest.isInit) return;
    guest.isInit = true;
    const address = pack.address.match(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]+/i);
    guest.requestUrl = (address ? address[0] : '') + '/pub/guest.php';
    const lifespan = pack.guest.lifespan;
    if (typeof lifespan === 'number' && lifespan > 0 && Math.floor(lifespan) === lifespan) lifespanDays = lifespan;
    // The portal's older tracker kept the guest id in a cookie: adopt it (COMPATIBILITY.md).
    if (!guest.getGidCookie()) {
      const old = cookie.get(GID_KEY);
      if (old && /^[\w-]{1,64}$/.test(old)) ls.setItem(GID_KEY, old);
    }
    traceTracker.collect();
    tagTracker.collect();
    refTracker.collect();
    pageTracker.collect();
    guest.checkReturn();
    const w = window as any;
    const queued = w.b24order || [];
    w.b24order = queued;
    for (let i = 0; i < queued.length; i++) guest.registerOrder(queued[i]);
    queued.push = (order: { id: unknown; sum: unknown }) => {
      guest.registerOrder(order);
      return queued.length;
    };
  },
  checkReturn(): void {
    const gid = guest.getGidCookie();
    if (!gid || sessionFlag() !== null) return;
    query({ gid, a: 'event', e: 'Return' });
    guest.markReturned();
  },
  storeTrace(trace: unknown, action = 'storeTrace'): void {
    query({ a: action, d: { trace } });
  },
  link(gid: string): void {
    if (gid && !guest.getGidCookie()) query({ a: 'link', gid }, guest.onAjaxResponse);
  },
  register(): void {
    if (!guest.getGidCookie()) query({ a: 'register' }, guest.onAjaxResponse);
  },
  onAjaxResponse(response: any): void {
    if (!guest.getGidCookie() && response && response.data && response.data.gid) guest.setGid(response.data.gid);
  },
  getPages(): [string, number, string][] | null {
    return pageTracker.read();
  },
  getTags(): Record<string, string> {
    const tags = tagTracker.read();
    return tags && tags.list ? tags.list : {};
  },
  registerOrder(options: { id: unknown; sum: unknown }): void {
    if (!pack.guest.canRegisterOrder) return;
    guest.storeTrace(guest.getTraceOrder(options), 'registerOrder');
  },
  getTraceOrder(options: { id: unknown; sum: unknown }): string | undefined {
    let id = options ? options.id : undefined;
    if (typeof id === 'number') id = String(id);
    if (typeof id !== 'string' || !ORDER_ID.test(id)) console.error('Wrong order id: ' + id);
    const sum = parseFloat(String(options ? options.sum : undefined));
    if (isNaN(sum) || sum < 0) console.error('Wrong order sum: ' + (options ? options.sum : undefined));
    const key = String(id);
    if (guest.sentOrders.indexOf(key) > -1) return undefined;
    guest.sentOrders.push(key);
    return guest.getTrace({ channels: [{ code: 'order', value: id }], order: { id, sum } });
  },
  getTrace(options?: TraceOptions): string {
    const trace = guest.remindTrace(options);
    traceTracker.clear();
    return trace;
  },
  remindTrace(options?: TraceOptions): string {
    return JSON.stringify(traceTracker.current(options));
  },
  getUtmSource(): string {
    return guest.getTags().utm_source || '';
  },
  isUtmSourceDetected(): boolean {
    return tagTracker.isSourceDetected();
  },
  getGidCookie(): string | null {
    const gid = ls.getItem(GID_KEY);
    return typeof gid === 'string' && gid !== '' ? gid : null;
  },
  setGid(gid: string): void {
    guest.markReturned();
    ls.setItem(GID_KEY, gid);
  },
  markReturned(): void {
    try {
      window.sessionStorage.setItem(RETURNED_KEY, 'y');
    } catch {
      // no session storage
    }
  },
};

export type Guest = typeof guest;

/** Installs `window.b24Tracker.guest` and runs it, unless a guest module is already there (§1.5). */
export function startGuest(): void {
  const w = window as any;
  w.b24Tracker = w.b24Tracker || {};
  if (w.b24Tracker.guest) return;
  w.b24Tracker.guest = guest;
  guest.init();
}
