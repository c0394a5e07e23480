// The location hash as the route: `#/path?query`. A page keeps its view in the query (a period,
// a filter, the picked deal), so a reload or a shared link shows the same view, and each change is
// a history entry the back button returns from. A hash without a query keeps the page's defaults.
import { useEffect, useRef, useState } from 'preact/hooks';

/** The hash's path (`report`, `traces/12`; `sources` when empty) and its query's values by name. */
export function readRoute() {
  const hash = location.hash.replace(/^#\/?/, '');
  const mark = hash.indexOf('?');
  const path = (mark < 0 ? hash : hash.slice(0, mark)) || 'sources';
  const query = Object.fromEntries(new URLSearchParams(mark < 0 ? '' : hash.slice(mark + 1)));
  return { path, query };
}

export function useRoute() {
  const [route, setRoute] = useState(readRoute);
  useEffect(() => {
    const changed = () => setRoute(readRoute());
    addEventListener('hashchange', changed);
    return () => removeEventListener('hashchange', changed);
  }, []);
  return route;
}

/**
 * Shows `path` with these query values (empty ones left out): a new history entry, or with
 * `replace` the current entry rewritten (a bare link that takes the page's remembered view).
 */
export function showView(path, values, replace = false) {
  const query = new URLSearchParams(Object.entries(values).filter(([, value]) => value !== undefined && value !== null && value !== '')).toString();
  const hash = `#/${path}${query ? `?${query}` : ''}`;
  if (hash === location.hash) return;
  if (!replace) {
    location.hash = hash;
    return;
  }
  history.replaceState(history.state, '', hash);
  // replaceState fires no hashchange; the shell reads the route on this one.
  dispatchEvent(new HashChangeEvent('hashchange'));
}

/**
 * For a page whose forms show the view in uncontrolled inputs: `show` (as showView) and a key for
 * those forms that changes only when the address changes by anything else (back, forward, a
 * link), so they are built again with the new values, while the user's own changes leave the
 * inputs (and their focus) alone.
 */
export function useViewKey(path) {
  const seen = useRef({ hash: location.hash, key: 0 });
  if (location.hash !== seen.current.hash) seen.current = { hash: location.hash, key: seen.current.key + 1 };
  const show = (values) => {
    showView(path, values);
    seen.current.hash = location.hash;
  };
  return [seen.current.key, show];
}

/** A `YYYY-MM-DD` day that exists in the calendar, or undefined. */
export function dayValue(text) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text ?? '');
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]) - 1, Number(match[3])];
  const date = new Date(year, month, day);
  return date.getFullYear() === year && date.getMonth() === month && date.getDate() === day ? text : undefined;
}

/** A number of days as the report methods take it (digits, an optional fraction) within [min, max], or undefined. */
export function daysValue(text, min, max) {
  if (!/^\d+(\.\d+)?$/.test(text ?? '')) return undefined;
  const days = Number(text);
  return days >= min && days <= max ? text : undefined;
}

/** A positive integer ID as text, or undefined. */
export function idValue(text) {
  return /^[1-9]\d{0,8}$/.test(text ?? '') ? text : undefined;
}
