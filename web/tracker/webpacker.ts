// The webPacker-style primitives the pack's modules share (tracker-and-calls.md §1.2, §1.3):
// the portal address, module properties, local storage with an optional TTL, unencoded cookies,
// URL parameters and the mobile check. The formats are the portal tracker's, so a visitor's
// existing storage keeps working.

/** What the server inlines into the pack (src/tracker/pack.ts writes it as `__salestracePack`). */
export interface PackConfig {
  /** Scheme, host and port of the Salestrace server, no trailing slash. */
  readonly address: string;
  /** Properties of the guest module: `lifespan` (days) and `canRegisterOrder`. */
  readonly guest: { readonly lifespan?: number; readonly canRegisterOrder?: boolean };
  /** The argument of `Manager.Instance.load` (§2.2); absent in guest.js. */
  readonly tracker?: unknown;
}

declare const __salestracePack: PackConfig;

export const pack: PackConfig = __salestracePack;

export function now(): number {
  return Math.round(Date.now() / 1000);
}

export const ls = {
  isSupported(): boolean {
    try {
      window.localStorage.setItem('b24crm-x-test', '1');
      window.localStorage.removeItem('b24crm-x-test');
      return true;
    } catch {
      return false;
    }
  },
  setItem(key: string, value: unknown, ttl?: number): void {
    try {
      if (ttl !== undefined && value !== null && typeof value === 'object') {
        const seconds = parseInt(String(ttl), 10);
        (value as { cacheData?: unknown }).cacheData = { time: now(), ttl: isNaN(seconds) ? 3600 : seconds };
      }
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch {
      // storage full or disabled: nothing is kept
    }
  },
  getItem(key: string, ttl?: number): any {
    try {
      const raw = window.localStorage.getItem(key);
      if (raw === null) return null;
      const value = JSON.parse(raw);
      if (value !== null && typeof value === 'object' && value.cacheData) {
        if (ttl !== undefined && now() > value.cacheData.time + ttl) {
          ls.removeItem(key);
          return null;
        }
        delete value.cacheData;
      }
      return value;
    } catch {
      return null;
    }
  },
  removeItem(key: string): void {
    try {
      window.localStorage.removeItem(key);
    } catch {
      // disabled storage
    }
  },
};

export const cookie = {
  set(name: string, value: string, expires?: number): void {
    const seconds = expires === undefined ? 3600 * 24 * 365 * 10 : expires;
    const date = new Date(Date.now() + seconds * 1000);
    document.cookie = `${name}=${value}; path=/; expires=${date.toUTCString()}`;
  },
  get(name: string): string | null {
    const parts = document.cookie.split(';');
    for (let i = 0; i < parts.length; i++) {
      const at = parts[i].indexOf('=');
      if (at > -1 && parts[i].slice(0, at).trim() === name) {
        try {
          return decodeURIComponent(parts[i].slice(at + 1));
        } catch {
          return parts[i].slice(at + 1);
        }
      }
    }
    return null;
  },
  setItem(name: string, value: unknown, expires?: number): void {
    cookie.set(name, JSON.stringify(value), expires);
  },
  getItem(name: string): any {
    const raw = cookie.get(name);
    if (raw === null) return null;
    try {
      return JSON.parse(raw);
    } catch {
      return null;
    }
  },
  remove(name: string): void {
    cookie.set(name, '', -1);
  },
};

export interface UrlParameter {
  readonly name: string;
  readonly value: string;
}

export const url = {
  parameter: {
    /** The query's pairs, split on `&` and `=` and not decoded. */
    getList(): UrlParameter[] {
      const query = window.location.search.slice(1);
      if (query === '') return [];
      return query.split('&').map((pair) => {
        const at = pair.indexOf('=');
        return at < 0 ? { name: pair, value: '' } : { name: pair.slice(0, at), value: pair.slice(at + 1) };
      });
    },
    get(name: string): string | null {
      const found = url.parameter.getList().filter((item) => item.name === name)[0];
      if (!found) return null;
      try {
        return decodeURIComponent(found.value);
      } catch {
        return found.value;
      }
    },
  },
};

export const browser = {
  isMobile(): boolean {
    return /(ipad|iphone|android|mobile|touch)/i.test(navigator.userAgent);
  },
};

/** The hostname of a URL or host, read through an anchor like the portal tracker does; '' when unreadable. */
export function hostnameOf(address: string): string {
  const anchor = document.createElement('a');
  anchor.href = address;
  return anchor.hostname || '';
}

/** Runs `work` once the DOM is ready. */
export function onReady(work: () => void): void {
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', work);
  else work();
}
