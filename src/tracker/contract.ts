// What the site tracker module promises the server and asks of the others: the tracker pack
// served to websites (tracker-and-calls.md §1.1, §1.2) and its loader snippet, built from the
// ready sources, the ready own sites and the attribution window.
import type { SiteRecord } from '../sites/contract.js';

/** An own site as the pack needs it: the parts of the sites module's record it reads. */
export type TrackedSite = Pick<
  SiteRecord,
  'host' | 'phones' | 'emails' | 'replaceText' | 'enrichText' | 'resolveDup' | 'active' | 'installed'
>;

/** Where the pack's sites come from, with a version that changes whenever any site changes. */
export interface TrackedSites {
  listActiveSites(): Promise<readonly TrackedSite[]>;
  sitesVersion(): Promise<string>;
}

export type PackName = 'call.tracker' | 'guest';

export interface PackFile {
  readonly body: string;
  /** A strong validator of exactly this body. */
  readonly etag: string;
}

export interface LoaderSnippet {
  /** The pack's address the loader fetches (without the cache buster). */
  readonly url: string;
  /** The `<script>` tag to paste into every page. */
  readonly loader: string;
  /** The one-line hook that puts getTrace() into a form's hidden TRACE (or trace) field on submit. */
  readonly formHook: string;
}

export interface TrackerPort {
  /** The pack as it is now, rebuilt when a source, a site or the attribution window changed. */
  pack(name: PackName, address: string): Promise<PackFile>;
  /** The loader snippet for a server reached at `address` (scheme, host, port). */
  loader(address: string): LoaderSnippet;
  /** The address websites reach this server at: the configured public URL, else `fallback`. */
  publicAddress(fallback: string): string;
}
