// `POST /pub/form/{code}`: a site form posted by a plain HTML form or by fetch from a page of an
// active own site. It stores the visitor's trace (the `trace` field: getTrace()'s JSON) with a
// `form` channel naming the form, creates the contact (if the form says so) and the lead as
// crm.contact.add and crm.lead.add create them with that trace as TRACE, links the guest, and
// answers JSON or a 303 to the form's thank-you page. A honeypot field and the per-IP limit stop
// simple spam; bad input gets a clear error and nothing is written.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Caller } from '../../auth/caller.js';
import type { CrmTypedAdds } from '../../crm/contract.js';
import type { PhpMap } from '../../php/query.js';
import { restError } from '../../rest/errors.js';
import { TRACE_MAX_BYTES } from '../../tracking/parseTrace.js';
import type { TrackingPort } from '../../tracking/contract.js';
import { hostOf } from '../../tracking/channels.js';
import type { FormRecord, FormsPort, GuestItem, GuestsPort } from '../contract.js';
import {
  checkRate,
  cookieGid,
  corsHeaders,
  guestCookie,
  PUBLIC_BODY_LIMIT,
  publicParams,
  sendFailure,
  sendJson,
  validGid,
  type PublicEndpointContext,
} from './publicRequest.js';

export interface FormEndpointContext extends PublicEndpointContext {
  readonly forms: FormsPort;
  readonly guests: GuestsPort;
  readonly tracking: Pick<TrackingPort, 'prepare' | 'storeSiteTrace'>;
  readonly crm: CrmTypedAdds;
}

/** The field a person leaves empty and a simple bot fills: hide it with CSS. */
export const HONEYPOT_FIELD = 'salestrace_hp';
/** The hidden field that carries b24Tracker.guest.getTrace(). */
export const TRACE_FIELD = 'trace';
export const FORM_VALUE_MAX = 2000;

const LEAD = 1;
const CONTACT = 3;
const EMAIL = /^[\w.+~'!$&*^`|#%/?{}=-]+@(?:[a-z0-9_-]+\.)+[a-z0-9-]{2,20}$/i;

/** The page the post comes from: Origin, else the Referer's origin; null when neither is usable. */
function postingOrigin(request: FastifyRequest): string | null {
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== '' && origin !== 'null') return origin;
  const referer = request.headers.referer;
  if (typeof referer !== 'string') return null;
  try {
    const url = new URL(referer);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.origin : null;
  } catch {
    return null;
  }
}

async function checkOrigin(context: FormEndpointContext, request: FastifyRequest, form: FormRecord): Promise<string> {
  const origin = postingOrigin(request);
  if (origin === null) throw restError('PUBLIC_FORM_ORIGIN_MISSING');
  const host = /^https?:\/\/[^/]+$/i.test(origin) ? hostOf(origin) : null;
  const siteId = host === null ? undefined : (await context.settings.activeSiteHosts()).get(host);
  if (siteId === undefined || (form.siteId !== null && form.siteId !== siteId)) throw restError('PUBLIC_ORIGIN_DENIED', { origin });
  return origin;
}

function textOf(value: unknown): string {
  if (typeof value === 'string') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return '';
}

/** The lead's fields from the posted ones, through the form's map. */
function leadValues(form: FormRecord, params: PhpMap): Map<string, string> {
  const values = new Map<string, string>();
  for (const [name, target] of Object.entries(form.fields)) {
    const text = textOf(params[name]);
    if (text.length > FORM_VALUE_MAX) throw restError('PUBLIC_FORM_FIELD_TOO_LONG', { field: name, limit: FORM_VALUE_MAX }, { argument: name });
    if (text === '') continue;
    if (target === 'EMAIL' && !EMAIL.test(text)) throw restError('CRM_EMAIL_INVALID', { field: 'EMAIL' });
    const before = values.get(target);
    values.set(target, before === undefined ? text : `${before}${target === 'COMMENTS' ? '\n' : ' '}${text}`);
  }
  if (values.size === 0) throw restError('PUBLIC_FORM_EMPTY');
  return values;
}

/** The visitor's trace with the form's channel added; without one, a trace of the posting page. */
function traceWithForm(params: PhpMap, form: FormRecord, referer: string | undefined): Record<string, unknown> {
  const text = textOf(params[TRACE_FIELD]);
  let trace: Record<string, unknown> = referer === undefined ? {} : { url: referer };
  if (text !== '') {
    let decoded: unknown;
    try {
      decoded = Buffer.byteLength(text, 'utf8') <= TRACE_MAX_BYTES ? JSON.parse(text) : undefined;
    } catch {
      decoded = undefined;
    }
    if (decoded === null || typeof decoded !== 'object' || Array.isArray(decoded)) {
      throw restError('PUBLIC_FORM_TRACE_INVALID', {}, { argument: TRACE_FIELD });
    }
    trace = decoded as Record<string, unknown>;
  }
  const channels = Array.isArray(trace.channels) ? trace.channels : [];
  return { ...trace, channels: [...channels, { code: 'form', value: String(form.id) }] };
}

function multi(value: string | undefined) {
  return value === undefined ? undefined : [{ VALUE: value, VALUE_TYPE: 'WORK' }];
}

/** Only the fields the form filled: a field given as nothing would be a value to check. */
function given(fields: Record<string, unknown>): PhpMap {
  return Object.fromEntries(Object.entries(fields).filter(([, value]) => value !== undefined));
}

interface Created {
  readonly traceId: number;
  readonly leadId: number;
  readonly contactId: number | null;
  readonly gid: string;
}

/**
 * The trace, the contact and the lead (crm.contact.add and crm.lead.add, whose hooks bind the
 * trace and write the events) and the guest's links, in one transaction: a post that fails
 * anywhere leaves nothing behind.
 */
async function createItems(
  context: FormEndpointContext,
  form: FormRecord,
  values: Map<string, string>,
  trace: Record<string, unknown>,
  knownGid: string | null,
): Promise<Created> {
  // The form acts for its responsible user, with the rights a portal's own forms have.
  const caller: Caller = { userId: form.responsibleId, isAdmin: true, authType: 'webhook', credentialId: 0, scopes: new Set(['crm']) };
  const prepared = await context.tracking.prepare(trace);
  return context.crm.inTransaction(async (db) => {
    const traceId = await context.tracking.storeSiteTrace(prepared, db);
    const common = { ASSIGNED_BY_ID: form.responsibleId, SOURCE_ID: 'WEB', TRACE: String(traceId) };
    let contactId: number | null = null;
    if (form.createContact) {
      const name = values.get('NAME') ?? (values.has('LAST_NAME') || values.has('SECOND_NAME') ? undefined : (values.get('EMAIL') ?? values.get('PHONE') ?? form.name));
      const contact = given({
        ...common,
        NAME: name,
        LAST_NAME: values.get('LAST_NAME'),
        SECOND_NAME: values.get('SECOND_NAME'),
        POST: values.get('POST'),
        PHONE: multi(values.get('PHONE')),
        EMAIL: multi(values.get('EMAIL')),
      });
      contactId = await context.crm.addTyped(db, CONTACT, contact, caller);
    }
    const lead: Record<string, unknown> = { ...common, TITLE: values.get('TITLE') ?? form.name };
    for (const [field, value] of values) {
      if (field === 'PHONE' || field === 'EMAIL' || field === 'WEB') lead[field] = multi(value);
      else if (field !== 'TITLE') lead[field] = value;
    }
    if (contactId !== null) lead.CONTACT_ID = contactId;
    const leadId = await context.crm.addTyped(db, LEAD, given(lead), caller);
    const gid = knownGid ?? (await context.guests.registerGuest(db));
    const items: GuestItem[] = [{ entityTypeId: LEAD, entityId: leadId }];
    if (contactId !== null) items.push({ entityTypeId: CONTACT, entityId: contactId });
    await context.guests.linkGuestItems(gid, items, db);
    return { traceId, leadId, contactId, gid };
  });
}

function wantsJson(request: FastifyRequest): boolean {
  const accept = request.headers.accept;
  return typeof accept === 'string' && accept.includes('application/json');
}

export function installFormEndpoint(app: FastifyInstance, context: FormEndpointContext): void {
  const handler = async (request: FastifyRequest<{ Params: { code: string } }>, reply: FastifyReply) => {
    let cors: Record<string, string> = {};
    try {
      checkRate(context, request, reply);
      const form = await context.forms.formByCode(request.params.code);
      if (form === undefined) throw restError('PUBLIC_FORM_NOT_FOUND', { code: request.params.code });
      const origin = await checkOrigin(context, request, form);
      cors = corsHeaders(origin);
      if (request.method === 'OPTIONS') {
        return reply
          .code(204)
          .headers({ ...cors, 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type, accept', vary: 'Origin' })
          .send();
      }
      const params = publicParams(context, request);
      if (textOf(params[HONEYPOT_FIELD]) !== '') throw restError('PUBLIC_FORM_SPAM');
      const values = leadValues(form, params);
      const referer = typeof request.headers.referer === 'string' ? request.headers.referer : undefined;
      const trace = traceWithForm(params, form, referer);
      const created = await createItems(context, form, values, trace, validGid(trace.gid) ?? cookieGid(request));
      const gid = created.gid;
      reply.header('set-cookie', guestCookie(gid, context.isHttps(request)));
      if (form.thanksUrl !== null && !wantsJson(request)) {
        return reply.code(303).headers({ ...cors, location: form.thanksUrl, 'cache-control': 'no-store' }).send();
      }
      return sendJson(reply, 200, { result: { LEAD_ID: created.leadId, CONTACT_ID: created.contactId, TRACE_ID: created.traceId, GID: gid } }, cors);
    } catch (error) {
      return sendFailure(context, request, reply, error, cors);
    }
  };
  app.route({ method: ['POST', 'OPTIONS'], url: '/pub/form/:code', bodyLimit: PUBLIC_BODY_LIMIT, handler });
}
