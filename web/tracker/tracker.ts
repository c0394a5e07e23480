// The tracker module (`window.b24Tracker.Manager`, tracker-and-calls.md §2.3–§2.5): shows each
// source its own phone number and e-mail on the owner's sites, and on mobiles stores a trace with
// a `call` channel when a visitor taps a number.
import type { Guest } from './guest';
import { browser, hostnameOf, ls, onReady, url } from './webpacker';

type Kind = 'phone' | 'email';
type PoolItem = string | { host?: string; value: string };

interface SourceConfig {
  readonly utm: string[];
  readonly replacement: { readonly phone?: PoolItem[]; readonly email?: PoolItem[] };
}

interface SiteConfig {
  readonly host: string | string[];
  readonly replaceText: boolean;
  readonly enrichText: boolean;
  readonly resolveDup: boolean;
  readonly replacement: { type: string; value: string }[] | 'all';
}

export interface TrackerOptions {
  enabled: boolean;
  sources: SourceConfig[];
  sites: SiteConfig[];
  b24SiteOnly?: boolean;
}

interface MapEntry {
  readonly type: Kind;
  readonly origin: { cleaned: string; formatted: string[] };
  readonly final: { cleaned: string; formatted: string };
}

const KINDS: Record<Kind, { links: string; text: () => RegExp; protocol: string }> = {
  phone: {
    links: 'a[href^="tel:"], a[href^="callto:"]',
    text: () => /([+]?([\d][- ()\u00A0]{0,2}){5,15}[\d])/gi,
    protocol: 'tel:',
  },
  email: {
    links: 'a[href^="mailto:"]',
    text: () => /([-_.\w\d]+@[-_.\w\d]+\.\w{2,15})/gi,
    protocol: 'mailto:',
  },
};
const KIND_NAMES: Kind[] = ['phone', 'email'];

function clean(type: Kind, value: string): string {
  return type === 'phone' ? value.replace(/[^\d+]/g, '') : value.trim();
}

function linkValue(link: Element): string {
  return (link.getAttribute('href') || '').replace(/^[a-z]+:/i, '').trim();
}

function guestModule(): Guest | null {
  const tracker = (window as any).b24Tracker;
  return tracker && tracker.guest ? tracker.guest : null;
}

/** The utm_source the guest module keeps; without one, the URL's, kept under `b24-tracker-utm`. */
function currentUtmSource(): string {
  const guest = guestModule();
  const stored = guest ? guest.getUtmSource() : '';
  if (stored) return stored;
  if (!guest) {
    const fromUrl = url.parameter.get('utm_source');
    if (fromUrl) ls.setItem('b24-tracker-utm', [{ name: 'utm_source', value: fromUrl }]);
  }
  const kept = ls.getItem('b24-tracker-utm');
  const item = Array.isArray(kept) ? kept.filter((tag: { name: string }) => tag && tag.name === 'utm_source')[0] : null;
  return item && typeof item.value === 'string' ? item.value : '';
}

/** Text nodes worth searching: outside script/style/noscript, at least 6 characters when trimmed. */
function textNodes(root: Node): Text[] {
  const found: Text[] = [];
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const parent = node.parentElement;
    if (parent && /^(script|style|noscript)$/i.test(parent.tagName)) continue;
    if ((node.nodeValue || '').trim().length >= 6) found.push(node as Text);
  }
  return found;
}

export class Manager {
  static Instance: Manager;
  options: TrackerOptions | null = null;
  site: SiteConfig | null = null;
  source: SourceConfig | null = null;
  map: MapEntry[] = [];
  private loaded = false;
  private sentCalls: string[] = [];

  load(options: TrackerOptions): void {
    if (this.loaded) return;
    this.loaded = true;
    if (url.parameter.get('b24_tracker_debug_enabled') === 'y') {
      // eslint-disable-next-line no-debugger
      debugger;
    }
    this.options = options;
    options.b24SiteOnly = false;
    onReady(() => this.run());
  }

  run(): void {
    const options = this.options;
    if (!options || !options.enabled) return;
    this.configure(options);
    if (!this.site) return;
    this.replace();
    if (this.map.length > 0 && this.source && this.site.resolveDup) this.resolveDuplicates();
    this.trackClicks();
  }

  configure(options: TrackerOptions): void {
    const hostname = window.location.hostname;
    this.site =
      (options.sites || []).filter((site) => {
        if (site.host === 'all') return true;
        const hosts = Array.isArray(site.host) ? site.host : [site.host];
        return hosts.some((host) => hostnameOf('http://' + host) === hostname);
      })[0] || null;
    if (!this.site) return;
    const utmSource = currentUtmSource();
    this.source = utmSource ? (options.sources || []).filter((source) => (source.utm || []).indexOf(utmSource) > -1)[0] || null : null;
    const originals = this.site.replacement === 'all' ? this.search() : this.site.replacement || [];
    this.map = originals
      .filter((item) => item.type === 'phone' || item.type === 'email')
      .map((item) => {
        const type = item.type as Kind;
        const formatted = this.pick(type) || item.value;
        return {
          type,
          origin: { cleaned: clean(type, item.value), formatted: [item.value] },
          final: { cleaned: clean(type, formatted), formatted },
        };
      });
  }

  /** The source's value of one kind for this site: a plain one or one for this host, else one for any host, else the first. */
  private pick(type: Kind): string | null {
    const pool = this.source && this.source.replacement ? this.source.replacement[type] || [] : [];
    const host = this.site ? this.site.host : '';
    const valueOf = (item: PoolItem) => (typeof item === 'string' ? item : item.value);
    const own = pool.filter((item) => typeof item === 'string' || item.host === host)[0];
    if (own !== undefined) return valueOf(own);
    const any = pool.filter((item) => typeof item === 'object' && !item.host)[0];
    if (any !== undefined) return valueOf(any);
    return pool.length > 0 ? valueOf(pool[0]) : null;
  }

  /** Every phone and e-mail on the page, from links and text. */
  search(): { type: string; value: string; cleaned: string }[] {
    const found: { type: string; value: string; cleaned: string }[] = [];
    const add = (type: Kind, value: string) => {
      const cleaned = clean(type, value);
      if (cleaned && !found.some((item) => item.type === type && item.cleaned === cleaned)) found.push({ type, value, cleaned });
    };
    KIND_NAMES.forEach((type) => {
      const links = document.querySelectorAll(KINDS[type].links);
      for (let i = 0; i < links.length; i++) add(type, linkValue(links[i]));
      textNodes(document.body).forEach((node) => {
        const matches = (node.nodeValue || '').match(KINDS[type].text());
        if (matches) matches.forEach((value) => add(type, value));
      });
    });
    return found;
  }

  replace(): void {
    const site = this.site as SiteConfig;
    KIND_NAMES.forEach((type) => {
      const entries = this.map.filter((entry) => entry.type === type);
      const links = document.querySelectorAll(KINDS[type].links);
      for (let i = 0; i < links.length; i++) {
        const link = links[i];
        const value = linkValue(link);
        const cleaned = clean(type, value);
        entries
          .filter((entry) => entry.origin.cleaned === cleaned)
          .forEach((entry) => {
            if (value !== '') link.setAttribute('href', (link.getAttribute('href') || '').split(value).join(entry.final.cleaned));
          });
        textNodes(link).forEach((node) => this.replaceText(node, false));
      }
    });
    if (site.replaceText) {
      textNodes(document.body).forEach((node) => {
        const link = node.parentElement ? node.parentElement.closest('a') : null;
        if (link && link.matches(KINDS.phone.links + ', ' + KINDS.email.links)) return;
        this.replaceText(node, site.enrichText);
      });
    }
  }

  /** Rewrites every known original in one text node; with `enrich` each becomes a link. */
  private replaceText(node: Text, enrich: boolean): void {
    const text = node.nodeValue || '';
    const hits: { value: string; entry: MapEntry }[] = [];
    KIND_NAMES.forEach((type) => {
      const matches = text.match(KINDS[type].text()) || [];
      matches.forEach((value) => {
        const entry = this.map.filter((item) => item.type === type && item.origin.cleaned === clean(type, value))[0];
        if (entry && !hits.some((hit) => hit.value === value)) hits.push({ value, entry });
      });
    });
    if (hits.length === 0) return;
    if (!enrich) {
      let replaced = text;
      hits.forEach((hit) => {
        replaced = replaced.split(hit.value).join(hit.entry.final.formatted);
      });
      if (replaced !== text) node.nodeValue = replaced;
      return;
    }
    const fragment = document.createDocumentFragment();
    let rest = text;
    while (rest !== '') {
      let first: { at: number; hit: { value: string; entry: MapEntry } } | null = null;
      hits.forEach((hit) => {
        const at = rest.indexOf(hit.value);
        if (at > -1 && (first === null || at < first.at)) first = { at, hit };
      });
      if (first === null) {
        fragment.appendChild(document.createTextNode(rest));
        break;
      }
      const { at, hit } = first as { at: number; hit: { value: string; entry: MapEntry } };
      if (at > 0) fragment.appendChild(document.createTextNode(rest.slice(0, at)));
      const anchor = document.createElement('a');
      anchor.href = KINDS[hit.entry.type].protocol + hit.entry.final.cleaned;
      anchor.textContent = hit.entry.final.formatted;
      fragment.appendChild(anchor);
      rest = rest.slice(at + hit.value.length);
    }
    if (node.parentNode) node.parentNode.replaceChild(fragment, node);
  }

  /** Links of one kind that share a parent: all but the first are hidden. */
  resolveDuplicates(): void {
    KIND_NAMES.forEach((type) => {
      const seen: Node[] = [];
      const links = document.querySelectorAll(KINDS[type].links);
      for (let i = 0; i < links.length; i++) {
        const parent = links[i].parentNode;
        if (!parent) continue;
        if (seen.indexOf(parent) > -1) (links[i] as HTMLElement).style.display = 'none';
        else seen.push(parent);
      }
    });
  }

  /** ClickTracker (§2.5): taps on numbers on mobiles, and the source's number once per new campaign arrival. */
  private trackClicks(): void {
    const guest = guestModule();
    if (!guest) return;
    if (browser.isMobile()) {
      const links = document.querySelectorAll(KINDS.phone.links);
      for (let i = 0; i < links.length; i++) {
        const link = links[i];
        link.addEventListener('click', () => {
          const value = linkValue(link);
          if (!value || this.sentCalls.indexOf(value) > -1) return;
          this.sentCalls.push(value);
          guest.storeTrace(guest.getTrace({ channels: [{ code: 'call', value }] }));
        });
      }
    }
    const phones = this.source && this.source.replacement ? this.source.replacement.phone || [] : [];
    if (this.source && guest.isUtmSourceDetected() && phones.length > 0) {
      const first = phones[0];
      const value = typeof first === 'string' ? first : first.value;
      guest.storeTrace(guest.getTrace({ channels: [{ code: 'call', value }] }));
    }
  }
}

/** Installs `window.b24Tracker.Manager` with its single instance and loads the inlined configuration. */
export function startTracker(options: unknown): void {
  const w = window as any;
  w.b24Tracker = w.b24Tracker || {};
  if (!w.b24Tracker.Manager) {
    Manager.Instance = new Manager();
    w.b24Tracker.Manager = Manager;
  }
  w.b24Tracker.Manager.Instance.load(options as TrackerOptions);
}
