// What the website methods ask of the server: the website module's own contract.
import type { FormsPort, SitesPort } from '../contract.js';

export interface SitesPorts {
  readonly sites: SitesPort;
  readonly forms: FormsPort;
}
