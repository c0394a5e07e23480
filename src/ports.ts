// Every port a REST method may declare, as the composition root (services.ts) fills them. Each
// interface is stated by the module that owns it; a method names only the ones it needs.
import type { AppDescriber, UserDirectory } from './auth/contract.js';
import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { CrmService } from './crm/services/crmService.js';
import type { DatabaseFaults } from './db/faults.js';
import type { Logger } from './logger.js';
import type { MethodCalls, MethodCatalog } from './rest/contract.js';
import type { MethodDeclaration } from './rest/method.js';
import type { TrackingPort } from './tracking/contract.js';
import type { FormsPort, SitesPort } from './sites/contract.js';
import type { TrackerPort } from './tracker/contract.js';

export interface Ports {
  readonly config: Config;
  readonly clock: Clock;
  readonly log: Logger;
  readonly calls: MethodCalls<MethodDeclaration<Ports>>;
  readonly methods: MethodCatalog;
  readonly users: UserDirectory;
  readonly apps: AppDescriber | null;
  /** The CRM service: its own methods use all of it, other modules the interfaces of crm/contract.ts. */
  readonly crm: CrmService;
  readonly tracking: TrackingPort;
  /** Own sites, site forms and guests (src/sites/contract.ts). */
  readonly sites: SitesPort;
  readonly forms: FormsPort;
  /** The site tracker pack and its loader (src/tracker/). */
  readonly tracker: TrackerPort;
  /** For the test-only methods. */
  readonly faults: DatabaseFaults;
}
