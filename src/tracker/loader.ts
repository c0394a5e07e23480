// The loader snippet a site owner pastes into every page (tracker-and-calls.md §1.1): an async
// script injector whose query string is the number of minutes since the epoch, so a browser
// fetches a fresh pack at most once a minute; and the form hook that hands getTrace() to a form.
import type { LoaderSnippet } from './contract.js';

export const PACK_PATH = '/upload/crm/tag/call.tracker.js';
export const GUEST_PATH = '/upload/crm/tag/guest.js';

export function loaderSnippet(address: string): LoaderSnippet {
  const url = address.replace(/\/+$/, '') + PACK_PATH;
  const loader =
    '<script>\n' +
    "(function(w,d,u){var s=d.createElement('script');s.async=true;s.src=u+'?'+(Date.now()/60000|0);" +
    "var h=d.getElementsByTagName('script')[0];h.parentNode.insertBefore(s,h);})" +
    `(window,document,${JSON.stringify(url).replace(/</g, '\\u003c')});\n` +
    '</script>';
  const formHook =
    '<script>' +
    "document.addEventListener('submit',function(e){var g=window.b24Tracker&&window.b24Tracker.guest,f=e.target.elements;f=f&&(f.TRACE||f.trace);if(g&&f)f.value=g.getTrace();},true);" +
    '</script>';
  return { url, loader, formHook };
}
