// Delivers the outbox (events.md §4): one POST per delivery, form-encoded with PHP bracket keys,
// in order per handler (a handler's next event waits until the previous one is delivered or
// given up), with a timeout per attempt and a bounded number of retries with growing delays.
// It runs in the background of the server: a request that raised an event never waits for it.
import http from 'node:http';
import https from 'node:https';
import type { Clock } from '../clock.js';
import type { Db } from '../db/schema.js';
import type { Logger } from '../logger.js';
import { issueTokenPair, ACCESS_TOKEN_SECONDS, type IssuedPair } from '../auth/oauth/tokens.js';
import { LOCAL_APP_STATUS } from '../auth/oauth/apps.js';
import { buildPhpQuery } from '../php/form.js';
import { applicationTokenOf, portalMemberId } from './appToken.js';
import { eventSpec } from './catalogue.js';
import type { SenderLease } from './senderLease.js';
import { appForDelivery, deleteDelivery, findHandler, pendingDeliveries, rescheduleDelivery, type DeliveryRow, type HandlerRow } from './store.js';

export interface SenderOptions {
  /** Per attempt. */
  readonly timeoutMs: number;
  /** Attempts after the first; 0 sends once, as Bitrix does. */
  readonly retries: number;
  /** The first retry's delay; each next one waits five times longer. */
  readonly retryDelayMs: number;
  /** How often the outbox is read when nothing wakes the sender. */
  readonly pollMs: number;
  /** Handlers served at the same time. */
  readonly concurrency: number;
}

export const DEFAULT_SENDER_OPTIONS: SenderOptions = { timeoutMs: 5000, retries: 3, retryDelayMs: 1000, pollMs: 500, concurrency: 8 };

/** Where apps reach this server: `http://host:port`. */
export interface PortalEndpoint {
  readonly origin: string;
  readonly host: string;
}

/** The data as the handler receives it: every scalar a string (§4.2). */
function parseData(json: string): unknown {
  return JSON.parse(json) as unknown;
}

/**
 * One POST with node:http (cheaper per request than fetch): 'delivered' for a 2xx answer,
 * 'aborted' when the sender stops, else why it failed. Redirects are not followed.
 */
function post(url: string, body: string, timeoutMs: number, stop: AbortSignal, agents: { http: http.Agent; https: https.Agent }): Promise<string> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return resolve('bad URL');
    }
    const secure = target.protocol === 'https:';
    const request = (secure ? https : http).request(
      target,
      {
        method: 'POST',
        agent: secure ? agents.https : agents.http,
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body) },
        signal: stop,
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          resolve(status >= 200 && status < 300 ? 'delivered' : `status ${status}`);
        });
        response.on('error', () => resolve('network: answer broken off'));
      },
    );
    // The whole exchange, not only a silent socket, must end within the timeout.
    const timer = setTimeout(() => request.destroy(new Error('timeout')), timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('error', (error) => resolve(stop.aborted ? 'aborted' : error.message === 'timeout' ? 'timeout' : `network: ${error.message}`));
    request.end(body);
  });
}

/** A delivery that carries its own target: the handler row is gone (ONAPPUNINSTALL). */
function detachedHandler(id: number, json: string): HandlerRow {
  const target = JSON.parse(json) as { url: string; applicationToken: string };
  return { id, app_id: 0, event_name: '', handler: target.url, user_id: 0, connector_id: '', application_token: target.applicationToken, options_json: '{}' };
}

export class EventSender {
  private timer: NodeJS.Timeout | undefined;
  private stopped = true;
  private polling: Promise<void> | undefined;
  private readonly busy = new Set<number>();
  private readonly running = new Set<Promise<void>>();
  private readonly abort = new AbortController();
  private readonly tokens = new Map<string, IssuedPair>();
  private memberId: string | undefined;
  /** Keep-alive connections to the handlers, reused between deliveries. */
  private readonly agents = { http: new http.Agent({ keepAlive: true, maxSockets: 1 }), https: new https.Agent({ keepAlive: true, maxSockets: 1 }) };

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly endpoint: PortalEndpoint,
    private readonly options: SenderOptions,
    /** Where several processes share the database: only the lease's holder delivers (senderLease.ts). */
    private readonly lease?: SenderLease,
  ) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Something was written to the outbox: look soon. */
  wake(): void {
    if (!this.stopped) this.schedule(20);
  }

  /** Stops polling and aborts attempts in flight; those deliveries stay in the outbox for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.abort.abort();
    await this.polling;
    await Promise.allSettled([...this.running]);
    await this.lease?.release().catch((error: unknown) => this.log.warn({ err: error }, 'event delivery: could not give up the lease'));
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.polling) return this.schedule(delayMs || 20);
      this.polling = this.poll()
        .catch((error: unknown) => this.log.error({ err: error }, 'event delivery: reading the outbox failed'))
        .finally(() => {
          this.polling = undefined;
          this.schedule(this.options.pollMs);
        });
    }, delayMs);
  }

  private async poll(): Promise<void> {
    // The lease is written only when something waits, so an idle server writes nothing.
    if (this.lease && ((await pendingDeliveries(this.db, 1)).length === 0 || !(await this.lease.renew()))) return;
    // A delivery in flight while the outbox is read may end (and delete its row) before the read
    // does: its handler's rows are left to the next poll, so no row read stale is sent again.
    const busyBefore = new Set(this.busy);
    const rows = await pendingDeliveries(this.db, 500);
    const byHandler = new Map<number, DeliveryRow[]>();
    for (const row of rows) {
      if (this.busy.has(row.handler_id) || busyBefore.has(row.handler_id)) continue;
      const list = byHandler.get(row.handler_id);
      if (list) list.push(row);
      else byHandler.set(row.handler_id, [row]);
    }
    const now = this.clock.now();
    for (const [handlerId, list] of byHandler) {
      if (this.stopped || this.busy.size >= this.options.concurrency) break;
      if (Number(list[0]!.next_at) > now) continue;
      this.busy.add(handlerId);
      const work = this.deliverInOrder(handlerId, list)
        .then(
          // More may be waiting behind what was read: look again at once.
          () => this.schedule(0),
          // A failing database is not retried in a tight loop: the next poll comes as usual.
          (error: unknown) => this.log.error({ err: error, handlerId }, 'event delivery failed unexpectedly'),
        )
        .finally(() => {
          this.busy.delete(handlerId);
          this.running.delete(work);
        });
      this.running.add(work);
    }
  }

  private async deliverInOrder(handlerId: number, rows: DeliveryRow[]): Promise<void> {
    const found = await findHandler(this.db, handlerId);
    for (const row of rows) {
      if (this.stopped) return;
      const handler = row.detached_json === null ? found : detachedHandler(handlerId, row.detached_json);
      if (!handler) {
        // Unbound since: nobody to deliver to.
        await deleteDelivery(this.db, row.id);
        continue;
      }
      if (Number(row.next_at) > this.clock.now()) return;
      // The lease may have run short since the poll: the next holder takes this row.
      if (this.lease && !this.lease.usable()) return;
      const outcome = await this.attempt(handler, row);
      if (outcome === 'aborted') return;
      if (outcome === 'delivered') {
        await deleteDelivery(this.db, row.id);
        continue;
      }
      const attempts = row.attempts + 1;
      if (attempts > this.options.retries) {
        this.log.warn({ handlerId, event: row.event_name, attempts, reason: outcome }, 'event not delivered: giving up');
        await deleteDelivery(this.db, row.id);
        continue;
      }
      const delay = this.options.retryDelayMs * 5 ** (attempts - 1);
      await rescheduleDelivery(this.db, row.id, attempts, Math.floor(this.clock.now() + delay));
      // Later events of this handler wait for this one.
      return;
    }
  }

  private async attempt(handler: HandlerRow, row: DeliveryRow): Promise<'delivered' | 'aborted' | string> {
    let body: string;
    try {
      body = await this.body(handler, row);
    } catch (error) {
      this.log.error({ err: error, handlerId: handler.id }, 'event delivery: could not build the request');
      return 'build failed';
    }
    return post(handler.handler, body, this.options.timeoutMs, this.abort.signal, this.agents);
  }

  private async portalMemberId(): Promise<string> {
    this.memberId ??= await portalMemberId(this.db);
    return this.memberId;
  }

  /** A token pair for the app and user: reused while it has ten minutes left, fresh when a refresh token is sent. */
  private async tokenPair(appId: number, userId: number, fresh: boolean): Promise<IssuedPair | undefined> {
    const key = `${appId}:${userId}`;
    const now = this.clock.now() / 1000;
    const cached = this.tokens.get(key);
    if (!fresh && cached && cached.expires - now > 600) return cached;
    try {
      const pair = await issueTokenPair(this.db, appId, userId, now);
      if (!fresh) this.tokens.set(key, pair);
      return pair;
    } catch {
      // The user is gone: no token can be minted (§4.2 fallback).
      return undefined;
    }
  }

  private async body(handler: HandlerRow, row: DeliveryRow): Promise<string> {
    const memberId = await this.portalMemberId();
    const spec = eventSpec(row.event_name);
    const endpoint = `${this.endpoint.origin}/rest/`;
    const payload: Record<string, unknown> = {
      event: row.event_name,
      event_handler_id: handler.id,
      data: parseData(row.data_json),
      ts: row.ts,
    };
    if (handler.app_id === 0 || row.detached_json !== null) {
      payload.auth = {
        domain: this.endpoint.host,
        client_endpoint: endpoint,
        server_endpoint: endpoint,
        member_id: memberId,
        application_token: handler.application_token,
      };
      return buildPhpQuery(payload);
    }
    const app = await appForDelivery(this.db, handler.app_id);
    if (!app) throw new Error(`application ${handler.app_id} is gone`);
    const applicationToken = applicationTokenOf(memberId, app.id, app.secretHash);
    const sendAuth = spec?.sendAuth ?? true;
    const refresh = spec?.sendRefreshToken ?? false;
    const pair = sendAuth && row.user_id > 0 ? await this.tokenPair(app.id, row.user_id, refresh) : undefined;
    if (!pair) {
      payload.auth = {
        domain: this.endpoint.host,
        client_endpoint: endpoint,
        server_endpoint: endpoint,
        member_id: memberId,
        application_token: applicationToken,
      };
      return buildPhpQuery(payload);
    }
    payload.auth = {
      access_token: pair.accessToken,
      expires: pair.expires,
      expires_in: ACCESS_TOKEN_SECONDS,
      scope: app.scopes,
      domain: this.endpoint.host,
      server_endpoint: endpoint,
      status: LOCAL_APP_STATUS,
      client_endpoint: endpoint,
      member_id: memberId,
      user_id: pair.userId,
      ...(refresh && { refresh_token: pair.refreshToken }),
      application_token: applicationToken,
    };
    return buildPhpQuery(payload);
  }
}
