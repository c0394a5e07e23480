// The composition root: every long-lived object the server needs, built once from the config.
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import type { TokenAuthenticator } from './auth/contract.js';
import { oauthAppDescriber, oauthTokenAuthenticator } from './auth/oauth/tokenAuth.js';
import { dashboardTokenAuthenticator } from './dashboard/tokenAuth.js';
import { userDirectory } from './auth/users.js';
import type { DialectHelpers } from './db/dialects/types.js';
import type { SyncLog } from './db/dialects/groupCommit.js';
import type { Durability } from './db/durability.js';
import { databaseFaults } from './db/faults.js';
import { openDatabase } from './db/open.js';
import type { Db } from './db/schema.js';
import type { OperatingTime, RequestRateLimit } from './limits/contract.js';
import { LeakyBucket, memoryRateLimit, type RatePlan } from './limits/leakyBucket.js';
import { SharedOperatingTime } from './limits/sharedOperatingTime.js';
import { sharedRateLimit } from './limits/sharedRateLimit.js';
import { OperatingTimeLimiter } from './limits/operatingTime.js';
import { CrmService } from './crm/services/crmService.js';
import { CrmReadScopes } from './crm/services/readScope.js';
import { createLogger, type Logger } from './logger.js';
import { allMethods, testMethodsFrom } from './methods.js';
import type { Ports } from './ports.js';
import { checkForRun, runMethod, writeRun, type MethodRuntime } from './rest/dispatch.js';
import { MethodRegistry } from './rest/registry.js';
import { TrackingService } from './tracking/service.js';
import { TelephonyService } from './telephony/service.js';
import { SitesService } from './sites/service.js';
import { TrackerService } from './tracker/service.js';
import { PortalState } from './system/portalState.js';
import { changeTokenFor, type ChangeToken } from './system/changeToken.js';
import { WebhookCredentialCache } from './auth/credentialCache.js';
import { EventService } from './events/service.js';
import { EventSender, DEFAULT_SENDER_OPTIONS, type PortalEndpoint } from './events/sender.js';
import { SenderLease, leaseTermMs } from './events/senderLease.js';
import { AnalyticsService } from './analytics/service.js';
import { isAvailable } from './tracking/sourceCatalog.js';
import { AttributionService } from './analytics/attribution/service.js';
import { AttributionWindow } from './analytics/attribution/window.js';

export interface Services {
  readonly config: Config;
  readonly clock: Clock;
  readonly log: Logger;
  readonly db: Db;
  readonly dbHelpers: DialectHelpers;
  pingDatabase(): Promise<void>;
  /** Every answer that follows a write waits for `durability.afterWrites()` (src/db/durability.ts). */
  readonly durability: Durability;
  /** Runs a batch's rows in one database transaction where the database allows (src/db/dialects/heldTransaction.ts). */
  inOneTransaction<T>(work: () => Promise<T>): Promise<T>;
  readonly registry: MethodRegistry<Ports>;
  /** What REST methods get, each the part it declares (src/ports.ts). */
  readonly ports: Ports;
  readonly tokens: TokenAuthenticator;
  /** Moves after every committed write to the tables the caches below read (null: do not cache). */
  readonly changes: ChangeToken;
  /** Webhook user and row per (login, secret), exact (src/auth/credentialCache.ts). */
  readonly credentials: WebhookCredentialCache;
  /** Null when the plan is unlimited. In the database where processes share it (src/limits/contract.ts). */
  readonly rateLimiter: RequestRateLimit | null;
  readonly operating: OperatingTime;
  /** CRM items, permissions and the hooks Sales Intelligence registers (src/crm/contract.ts). */
  readonly crm: CrmService;
  /** Sales Intelligence: traces, sources, and the hooks the CRM module calls. */
  readonly tracking: TrackingService;
  /** Own sites, site forms, guests (src/sites/). */
  readonly sites: SitesService;
  /** Attribution models and the attribution window's settings. */
  readonly attribution: AttributionService;
  /** The `portal close|open` switch (PORTAL_DELETED). */
  readonly portal: PortalState;
  /** Outbound events (src/events): raised inside the items' transactions, written to the outbox. */
  readonly events: EventService;
  /** Starts the background sender of the outbox (the server does, once it listens); close() stops it. */
  startEventDelivery(endpoint: PortalEndpoint): void;
  /** Sales Intelligence analytics: expenses and the source report. */
  readonly analytics: AnalyticsService;
  close(): Promise<void>;
}

export interface ServiceOptions {
  readonly clock?: Clock;
  readonly log?: Logger;
  /**
   * The server's way: commits share syncs, and answers wait for `durability.afterWrites()`.
   * Without it every commit syncs by itself, for callers (CLI commands) that do not wait.
   */
  readonly groupCommit?: boolean;
  /** With groupCommit, replaces the sync of SQLite's log (tests). */
  readonly syncLog?: SyncLog;
  /** With groupCommit, makes the checkpoint thread fail while set (tests; CheckpointerOptions.faultSwitch). */
  readonly checkpointFaults?: Int32Array;
}

const PLAN_RATES: Record<Config['plan'], RatePlan | null> = {
  unlimited: null,
  free: null,
  standard: { drainPerSecond: 2, burst: 50 },
  enterprise: { drainPerSecond: 5, burst: 250 },
};

export function ratePlanFor(config: Config): RatePlan | null {
  const base = PLAN_RATES[config.plan];
  if (config.rateDrain === null && config.rateBurst === null) return base;
  return {
    drainPerSecond: config.rateDrain ?? base?.drainPerSecond ?? 2,
    burst: config.rateBurst ?? base?.burst ?? 50,
  };
}

export async function createServices(config: Config, options: ServiceOptions = {}): Promise<Services> {
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config.logLevel);
  // Before the database opens, so that a bad module path leaves nothing open.
  const methods = config.testMethods ? [...allMethods(), ...(await testMethodsFrom(config.testMethods))] : allMethods();
  const opened = await openDatabase(config, {
    commits: options.groupCommit ? 'grouped' : 'perCommit',
    syncLog: options.syncLog,
    checkpoints: options.checkpointFaults ? { faultSwitch: options.checkpointFaults } : undefined,
  });
  const ratePlan = ratePlanFor(config);
  const changes = await changeTokenFor(opened.db, opened.watchChanges, opened.insideOneTransaction);
  const crm = new CrmService(opened.db, clock, { strictFields: config.strictFields });
  const users = userDirectory(opened.db);
  const sites = new SitesService(opened.db, clock, users);
  const readScopes = new CrmReadScopes(opened.db);
  const tracking = new TrackingService(opened.db, clock, crm, crm, readScopes, changes, sites);
  // Sales Intelligence follows item lifecycles inside the items' own transactions (§5, §1.13),
  // and binding a trace gives an item without UTM values the trace's tags (§1.2).
  // The attribution window first: the add hook below then finds its trace bound (§4.4, §5.2 step 2).
  crm.onItemAdded(new AttributionWindow(tracking, clock).onItemAdded);
  crm.onItemAdded(tracking.onItemAdded);
  const attribution = new AttributionService(opened.db, clock);
  crm.onItemDeleted(tracking.onItemDeleted);
  // Every change of an item raises its ONCRM* event inside the item's transaction (events.md §5.1).
  const events = new EventService(opened.db, clock);
  crm.onItemAdded(events.onItemAdded);
  crm.onItemUpdated(events.onItemUpdated);
  crm.onItemDeleted(events.onItemDeleted);
  let sender: EventSender | undefined;
  const telephony = new TelephonyService(opened.db, clock, crm, tracking, users, readScopes);
  // The report's rows: the sources a portal of this region has and that are not archived (§3.2).
  const reportSources = async () => {
    const settings = await tracking.settings();
    return (await tracking.sources()).map((source) => ({ ...source, active: source.active && isAvailable(source, settings) }));
  };
  const analytics = new AnalyticsService(opened.db, clock, reportSources, users);
  // Saved traces of ad sources are split into campaign, ad group and keyword rows (§4.3).
  tracking.onTracesSaved(analytics.onTracesSaved);
  const registry = new MethodRegistry<Ports>(methods, { strict: config.strict });
  // Several processes on one database share one set of limits, kept in it (src/limits/shared*.ts).
  const shared = opened.helpers.sharedByProcesses;
  const operating: OperatingTime = shared
    ? new SharedOperatingTime(opened.db, config.operatingLimitSeconds, clock)
    : new OperatingTimeLimiter(config.operatingLimitSeconds, clock);
  const rateLimiter = !ratePlan
    ? null
    : shared
      ? sharedRateLimit(opened.db, ratePlan, clock)
      : memoryRateLimit(new LeakyBucket(ratePlan, clock));
  const ports: Ports = {
    config,
    clock,
    log,
    calls: {
      find: (name) => registry.get(name),
      run: (method, caller, params, startedAt, inBatch) => runMethod(runtime, method, caller, params, startedAt, inBatch),
      inOneTransaction: opened.inOneTransaction,
      insideOneTransaction: opened.insideOneTransaction,
      writesInRuns: (method) => method.inRuns !== undefined,
      check: (method, caller, params, startedAt, previous) => checkForRun(runtime, method, caller, params, startedAt, previous),
      writeRun: (method, caller, checked) => writeRun(runtime, method, caller, checked),
    },
    methods: registry,
    users,
    apps: oauthAppDescriber(opened.db),
    crm,
    tracking,
    events,
    telephony,
    sites,
    tracker: new TrackerService(opened.db, sites, config),
    attribution,
    forms: sites,
    faults: databaseFaults(opened.db),
    analytics,
  };
  const runtime: MethodRuntime<Ports> = { ports, operating, clock };
  return {
    config,
    clock,
    log,
    db: opened.db,
    dbHelpers: opened.helpers,
    pingDatabase: opened.ping,
    durability: opened.durability,
    inOneTransaction: opened.inOneTransaction,
    registry,
    ports,
    tokens: dashboardTokenAuthenticator(opened.db, clock, config, oauthTokenAuthenticator(opened.db, clock, config)),
    changes,
    credentials: new WebhookCredentialCache(changes),
    rateLimiter,
    operating,
    crm,
    tracking,
    sites,
    attribution,
    portal: new PortalState(opened.db),
    events,
    startEventDelivery(endpoint) {
      if (sender || !config.eventDelivery) return;
      // Several processes on one database: only one of them delivers (src/events/senderLease.ts).
      const lease = shared ? new SenderLease(opened.db, clock, leaseTermMs(config.eventTimeoutMs)) : undefined;
      sender = new EventSender(
        opened.db,
        clock,
        log,
        endpoint,
        { ...DEFAULT_SENDER_OPTIONS, timeoutMs: config.eventTimeoutMs, retries: config.eventRetries, retryDelayMs: config.eventRetryDelayMs },
        lease,
      );
      events.onRaised(() => sender?.wake());
      sender.start();
    },
    async close() {
      await sender?.stop();
      await opened.close();
    },
    analytics,
  };
}
