// `/pub/guest.php` (tracker-and-calls.md §3): the endpoint the browser tracker talks to. Any
// method; `a` picks the action, `d` carries data as a JSON string or a form array, `gid` the
// guest (else the `b24_crm_guest_id` cookie). The answer is always `{"error":false,"data":…}`
// with `data` `[]` when empty. Salestrace adds a per-IP limit, size limits and CORS for the
// origins of active own sites only (COMPATIBILITY.md, "The website side").
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PhpMap } from '../../php/query.js';
import { isPhpArray, phpEmpty } from '../../php/values.js';
import { restError } from '../../rest/errors.js';
import { decodeTraceText } from '../../tracking/parseTrace.js';
import type { TrackingPort } from '../../tracking/contract.js';
import type { GuestsPort } from '../contract.js';
import {
  checkRate,
  cookieGid,
  corsHeaders,
  guestCookie,
  originAllowed,
  originOf,
  PUBLIC_BODY_LIMIT,
  publicParams,
  sendFailure,
  sendJson,
  validGid,
  type PublicEndpointContext,
} from './publicRequest.js';

export interface GuestEndpointContext extends PublicEndpointContext {
  readonly guests: GuestsPort;
  readonly tracking: Pick<TrackingPort, 'prepare' | 'storeSiteTrace' | 'removeStaleSiteTraces'>;
}

/** `d`: a JSON string (decode errors ignored) or a form array; anything else is `[]`. */
function dataOf(params: PhpMap): PhpMap {
  const d = params.d;
  if (typeof d === 'string') {
    try {
      const decoded: unknown = JSON.parse(d);
      return isPhpArray(decoded) && !Array.isArray(decoded) ? (decoded as PhpMap) : {};
    } catch {
      return {};
    }
  }
  return isPhpArray(d) && !Array.isArray(d) ? (d as PhpMap) : {};
}

/** `d.trace` as decoded JSON, or undefined when it is empty or not a trace Salestrace can read. */
function traceOf(data: PhpMap): unknown {
  const trace = data.trace;
  if (phpEmpty(trace)) return undefined;
  if (isPhpArray(trace)) return trace;
  if (typeof trace !== 'string' || trace.trim() === '') return undefined;
  try {
    return decodeTraceText(trace.trim());
  } catch {
    // Bitrix swallows a TRACE it cannot decode; Salestrace then stores nothing (COMPATIBILITY.md).
    return undefined;
  }
}

type Answer = { gid: string | null } | null;

async function runAction(context: GuestEndpointContext, request: FastifyRequest, reply: FastifyReply, params: PhpMap): Promise<Answer> {
  const action = params.a;
  const gid = validGid(params.gid) ?? cookieGid(request);
  switch (action) {
    // `register` is what the tracker's register() sends; the portal knows only `reg` (§5 note 2).
    case 'reg':
    case 'register':
      if (gid !== null) return null;
      return { gid: await context.guests.registerGuest() };
    case 'link':
      if (gid === null) return { gid: null };
      reply.header('set-cookie', guestCookie(gid, context.isHttps(request)));
      return { gid };
    case 'storeTrace':
    case 'registerOrder': {
      const decoded = traceOf(dataOf(params));
      if (decoded === undefined) return null;
      let prepared;
      try {
        prepared = await context.tracking.prepare(decoded);
      } catch {
        return null;
      }
      await context.tracking.storeSiteTrace(prepared);
      scheduleCleanup(context);
      return null;
    }
    // `event` with e=Return fires the portal's automation triggers; Salestrace has none.
    default:
      return null;
  }
}

let nextCleanupAt = 0;

/** Bitrix runs its cleanup as a background job after a stored trace; so does this, without delaying the answer. */
function scheduleCleanup(context: GuestEndpointContext): void {
  const now = Date.now();
  // The database row throttles across processes; this spares each store a transaction.
  if (now < nextCleanupAt) return;
  nextCleanupAt = now + 60_000;
  setImmediate(() => {
    context.tracking.removeStaleSiteTraces().then(
      (removed) => {
        if (removed !== null && removed.length > 0) context.log.info({ removed: removed.length }, 'removed unused site traces');
      },
      (error: unknown) => context.log.error({ err: error }, 'could not remove unused site traces'),
    );
  });
}

/** For tests that move a manual clock: the next stored trace checks for stale ones again. */
export function resetCleanupGate(): void {
  nextCleanupAt = 0;
}

export function installGuestEndpoint(app: FastifyInstance, context: GuestEndpointContext): void {
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const origin = originOf(request);
    let cors: Record<string, string> = {};
    try {
      checkRate(context, request, reply);
      if (origin !== null) {
        if (!(await originAllowed(context, origin))) throw restError('PUBLIC_ORIGIN_DENIED', { origin });
        cors = corsHeaders(origin);
      }
      if (request.method === 'OPTIONS') {
        return reply
          .code(204)
          .headers({ ...cors, 'access-control-allow-methods': 'GET, POST', 'access-control-allow-headers': 'content-type', vary: 'Origin' })
          .send();
      }
      const answer = await runAction(context, request, reply, publicParams(context, request));
      return sendJson(reply, 200, { error: false, data: answer === null ? [] : answer }, cors);
    } catch (error) {
      return sendFailure(context, request, reply, error, cors);
    }
  };
  for (const url of ['/pub/guest.php']) {
    app.route({ method: ['GET', 'POST', 'OPTIONS'], url, bodyLimit: PUBLIC_BODY_LIMIT, handler });
  }
}
