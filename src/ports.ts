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
import type { EventsPort } from './events/contract.js';
import type { TelephonyPort } from './telephony/contract.js';
import type { TrackerPort } from './tracker/contract.js';
import type { AnalyticsPort } from './analytics/contract.js';
import type { AttributionPort } from './analytics/attribution/contract.js';
import type { FormsPort, SitesPort } from './sites/contract.js';

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
  /** Outbound events: handlers and the offline queue (src/events/contract.ts). */
  readonly events: EventsPort;
  readonly telephony: TelephonyPort;
  /** Own sites, site forms and guests (src/sites/contract.ts). */
  readonly sites: SitesPort;
  /** The site tracker pack and its loader (src/tracker/). */
  readonly tracker: TrackerPort;
  /** Attribution models and the attribution window's settings (src/analytics/attribution). */
  readonly attribution: AttributionPort;
  readonly forms: FormsPort;
  /** For the test-only methods. */
  readonly faults: DatabaseFaults;
  /** Sales Intelligence analytics: expenses and reports (src/analytics/contract.ts). */
  readonly analytics: AnalyticsPort;
}
