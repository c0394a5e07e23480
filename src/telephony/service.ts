// Telephony: external lines, calls registered and finished by a PBX integration, and the call
// activities a finished call leaves in CRM (tracker-and-calls.md §4; the telephony pages under
// bitrix24-docs/). The lead a call creates and its trace go through the CRM and tracking
// contracts, in one transaction with the call.
import { createHash, randomBytes } from 'node:crypto';
import type { CountryCode } from 'libphonenumber-js';
import type { Clock } from '../clock.js';
import type { UserDirectory } from '../auth/contract.js';
import type { Caller } from '../auth/caller.js';
import type { CrmCallItems, CrmItemRef, ItemReadScopes } from '../crm/contract.js';
import { listActivityRows, type ActivityPage } from './activityList.js';
import type { ActivityListQuery } from './activityFilter.js';
import { entityTypeName, CRM_ENTITY_TYPES } from '../crm/contract.js';
import type { Db, Executor } from '../db/schema.js';
import type { TrackingPort } from '../tracking/contract.js';
import { readSetting, writeSetting } from '../system/settings.js';
import { TelephonyError } from './errors.js';
import { DEFAULT_COUNTRY, DEFAULT_COUNTRY_SETTING, formatPhone, isCountryCode, phoneKey } from './phone.js';
import {
  activityBindings,
  allLines,
  deleteActivity,
  deleteCall,
  deleteLine,
  findActivity,
  findCall,
  findLine,
  findRepeatCall,
  insertActivity,
  insertCall,
  insertLine,
  insertStatistics,
  listLines,
  updateLine,
  type ActivityRow,
  type CallRow,
  type ItemKey,
  type LineRow,
  type StatisticsRow,
} from './store.js';

/** Who owns lines and calls: the OAuth application, or the webhook (COMPATIBILITY.md). */
export interface CallOwner {
  readonly key: string;
  /** The statistics' REST_APP_ID: the application's ID, null for a webhook. */
  readonly appId: number | null;
  readonly appName: string | null;
  /** PORTAL_NUMBER of a call registered without LINE_NUMBER: `REST_APP:<app>`. */
  readonly portalNumber: string;
}

export const CALL_TYPES = { OUTGOING: 1, INCOMING: 2, INCOMING_REDIRECTED: 3, CALLBACK: 4, INFO: 5 } as const;

export function isIncoming(type: number): boolean {
  return type === CALL_TYPES.INCOMING || type === CALL_TYPES.INCOMING_REDIRECTED;
}

/** Bitrix's stock lead sources (crm.status ENTITY_ID=SOURCE): CRM_SOURCE must be one of them. */
export const LEAD_SOURCES = ['CALL', 'EMAIL', 'WEB', 'ADVERTISING', 'PARTNER', 'RECOMMENDATION', 'TRADE_SHOW', 'WEBFORM', 'CALLBACK', 'RC_GENERATOR', 'STORE', 'OTHER'];

/** Re-registration window (telephony-external-call-register.md). */
export const REPEAT_SECONDS = 30 * 60;

export interface RegisterInput {
  /** USER_ID, or undefined when only USER_PHONE_INNER was given. */
  readonly userId: number | undefined;
  readonly phoneNumber: string;
  readonly type: number;
  /** Unix seconds; undefined: now. */
  readonly startAt: number | undefined;
  readonly crmCreate: boolean;
  readonly crmSource: string;
  readonly crmEntity: { readonly type: string; readonly id: number } | undefined;
  readonly lineNumber: string | undefined;
  readonly externalCallId: string | undefined;
  readonly callListId: number | null;
}

export interface RegisterResult {
  readonly callId: string;
  readonly createdLeadId: number | null;
  readonly created: readonly CrmItemRef[];
  readonly entity: CrmItemRef | null;
}

export interface FinishInput {
  readonly callId: string;
  readonly userId: number | undefined;
  readonly duration: number;
  readonly cost: number;
  readonly costCurrency: string;
  readonly statusCode: string;
  readonly failedReason: string;
  readonly recordUrl: string | null;
  readonly vote: number | null;
}

export interface LineChanges {
  readonly name?: string;
  readonly crmAutoCreate?: string;
}

export interface PoolEntry {
  /** As shown: international format when the number reads as one. */
  readonly number: string;
  /** What calls are compared by: E.164, or the digits of a short number. */
  readonly key: string;
  /** `<id> <name>` of the source that lists it, '' for a line. */
  readonly source: string;
  /** The line's application or webhook, '' for a source's number. */
  readonly owner: string;
}

export interface ActivityRecord {
  readonly row: ActivityRow;
  readonly bindings: ItemKey[];
}

const CLIENT_TYPES: Record<string, number> = { CONTACT: CRM_ENTITY_TYPES.CONTACT, COMPANY: CRM_ENTITY_TYPES.COMPANY, LEAD: CRM_ENTITY_TYPES.LEAD };

function itemsOf(json: string): CrmItemRef[] {
  return (JSON.parse(json) as [number, number][]).map(([entityTypeId, entityId]) => ({ entityTypeId, entityId }));
}

export class TelephonyService {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    private readonly crm: CrmCallItems & { itemExists(entityTypeId: number, id: number, db?: Executor): Promise<boolean> },
    private readonly tracking: Pick<TrackingPort, 'saveCallTrace' | 'sources'>,
    private readonly users: UserDirectory,
    private readonly readScopes: ItemReadScopes,
  ) {}

  private now(): number {
    return Math.floor(this.clock.now() / 1000);
  }

  /** The country of numbers written without one (setting `telephony.defaultCountry`). */
  async country(db: Executor = this.db): Promise<CountryCode> {
    const value = (await readSetting(db, DEFAULT_COUNTRY_SETTING))?.trim().toUpperCase();
    return value !== undefined && isCountryCode(value) ? value : DEFAULT_COUNTRY;
  }

  /** Sets the default country; false for a code that is not an ISO 3166 country with phone numbers. */
  async setCountry(code: string): Promise<boolean> {
    const value = code.trim().toUpperCase();
    if (!isCountryCode(value)) return false;
    await writeSetting(this.db, DEFAULT_COUNTRY_SETTING, value);
    return true;
  }

  /**
   * The phone pool (tracker-and-calls.md §4.2): every source's PHONE numbers, then every
   * application's external lines, each shown formatted and with its comparison key.
   */
  async pool(): Promise<PoolEntry[]> {
    const country = await this.country();
    const entries: PoolEntry[] = [];
    for (const source of await this.tracking.sources()) {
      for (const number of source.values.PHONE) {
        entries.push({ number: formatPhone(number, country), key: phoneKey(number, country) ?? '', source: `${source.id} ${source.name}`, owner: '' });
      }
    }
    for (const line of await allLines(this.db)) {
      entries.push({ number: formatPhone(line.number, country), key: phoneKey(line.number, country) ?? '', source: '', owner: line.owner });
    }
    return entries;
  }

  async activeUser(id: number | undefined): Promise<number> {
    // No user has an inner number here (COMPATIBILITY.md): USER_PHONE_INNER alone names nobody.
    if (id === undefined) throw new TelephonyError('userNotFound');
    const user = await this.users.findById(id);
    if (!user?.active) throw new TelephonyError('userNotFound');
    return user.id;
  }

  // External lines (telephony.externalLine.*).

  async addLine(owner: CallOwner, number: string, name: string, crmAutoCreate: string): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      if (await findLine(trx, owner.key, number)) throw new TelephonyError('lineExists');
      return insertLine(trx, { owner: owner.key, number, name, crm_auto_create: crmAutoCreate, created_at: this.now() });
    });
  }

  lines(owner: CallOwner): Promise<LineRow[]> {
    return listLines(this.db, owner.key);
  }

  async updateLine(owner: CallOwner, number: string, changes: LineChanges): Promise<number> {
    return this.db.transaction().execute(async (trx) => {
      const line = await findLine(trx, owner.key, number);
      if (!line) throw new TelephonyError('lineNotFound', { number });
      await updateLine(trx, line.id, {
        ...(changes.name !== undefined && { name: changes.name }),
        ...(changes.crmAutoCreate !== undefined && { crm_auto_create: changes.crmAutoCreate }),
      });
      return line.id;
    });
  }

  async deleteLine(owner: CallOwner, number: string): Promise<void> {
    await this.db.transaction().execute(async (trx) => {
      const line = await findLine(trx, owner.key, number);
      if (!line) throw new TelephonyError('lineNotFound', { number });
      await deleteLine(trx, line.id);
    });
  }

  // Calls.

  /** telephony.externalCall.register after its parameter checks (§4.2). */
  async register(owner: CallOwner, createdBy: number, input: RegisterInput): Promise<RegisterResult> {
    const userId = await this.activeUser(input.userId);
    const now = this.now();
    const repeat = await findRepeatCall(
      this.db,
      { owner: owner.key, userId, phoneNumber: input.phoneNumber, type: input.type, lineNumber: input.lineNumber, externalCallId: input.externalCallId },
      now - REPEAT_SECONDS,
    );
    if (repeat) return this.registered(repeat);

    const country = await this.country();
    const callerKey = phoneKey(input.phoneNumber, country);
    const sameCaller = (value: string) => callerKey !== null && phoneKey(value, country) === callerKey;
    const portalNumber = input.lineNumber ?? owner.portalNumber;
    const line = input.lineNumber === undefined ? undefined : await findLine(this.db, owner.key, input.lineNumber);

    // The primary item: the one named, else the first found by number (contacts, companies, leads).
    let entity: CrmItemRef | null = null;
    if (input.crmEntity && (await this.crm.itemExists(CLIENT_TYPES[input.crmEntity.type], input.crmEntity.id))) {
      entity = { entityTypeId: CLIENT_TYPES[input.crmEntity.type], entityId: input.crmEntity.id };
    }
    const found = callerKey === null ? [] : await this.crm.findByPhone(callerKey.slice(-1), sameCaller);
    entity ??= found[0] ? { entityTypeId: found[0].entityTypeId, entityId: found[0].entityId } : null;
    // No lead for a known client; outgoing calls on a line with CRM_AUTO_CREATE=N create none either.
    const createLead =
      input.crmCreate && entity === null && !(input.type === CALL_TYPES.OUTGOING && line?.crm_auto_create === 'N');

    const callId = `externalCall.${createHash('md5').update(randomBytes(16)).digest('hex')}.${now}`;
    const call = {
      call_id: callId,
      owner: owner.key,
      user_id: userId,
      phone_number: input.phoneNumber,
      portal_number: portalNumber,
      line_number: input.lineNumber ?? '',
      type: input.type,
      external_call_id: input.externalCallId ?? null,
      start_at: input.startAt ?? now,
      registered_at: now,
      call_list_id: input.callListId,
    };
    const writeCall = async (db: Executor, leadId: number | null, traceId: number | null) => {
      const primary = leadId !== null ? { entityTypeId: CRM_ENTITY_TYPES.LEAD, entityId: leadId } : entity;
      // A line used by a call is added to the application's lines on the fly (§4.2).
      if (input.lineNumber !== undefined && !(await findLine(db, owner.key, input.lineNumber))) {
        await insertLine(db, { owner: owner.key, number: input.lineNumber, created_at: now });
      }
      await insertCall(db, {
        ...call,
        crm_entity_type: primary ? (entityTypeName(primary.entityTypeId) ?? '') : '',
        crm_entity_id: primary?.entityId ?? null,
        created_lead_id: leadId,
        created_json: JSON.stringify(leadId === null ? [] : [{ ENTITY_TYPE: 'LEAD', ENTITY_ID: leadId }]),
        items_json: JSON.stringify(primary ? [[primary.entityTypeId, primary.entityId]] : []),
        trace_id: traceId,
      });
    };

    if (!createLead) {
      await this.db.transaction().execute((trx) => writeCall(trx, null, null));
    } else {
      const lineKey = input.lineNumber === undefined ? null : phoneKey(input.lineNumber, country);
      await this.crm.addCallLead(
        {
          title: `${formatPhone(input.phoneNumber, country)} - ${leadTitleSuffix(input.type)}`,
          phone: input.phoneNumber,
          sourceId: LEAD_SOURCES.includes(input.crmSource) ? input.crmSource : 'CALL',
          sourceDescription: `Call to ${input.lineNumber === undefined ? portalNumber : formatPhone(portalNumber, country)}`,
          assignedById: userId,
        },
        createdBy,
        async (trx, leadId) => {
          let traceId: number | null = null;
          // Only incoming calls leave a trace (§4.1 step 4), valued with the number called.
          if (isIncoming(input.type)) {
            const saved = await this.tracking.saveCallTrace(trx, {
              number: lineKey ?? portalNumber,
              // A call without LINE_NUMBER matches no pooled number and no visit (§4.2).
              sameNumber: (stored) => lineKey !== null && phoneKey(stored, country) === lineKey,
              items: [{ entityTypeId: CRM_ENTITY_TYPES.LEAD, entityId: leadId }],
              createdBy,
            });
            traceId = saved.traceId;
          }
          await writeCall(trx, leadId, traceId);
        },
      );
    }
    const stored = await findCall(this.db, callId);
    return this.registered(stored!);
  }

  private registered(call: CallRow): RegisterResult {
    return {
      callId: call.call_id,
      createdLeadId: call.created_lead_id,
      created: (JSON.parse(call.created_json) as { ENTITY_TYPE: string; ENTITY_ID: number }[]).map((item) => ({
        entityTypeId: CLIENT_TYPES[item.ENTITY_TYPE],
        entityId: item.ENTITY_ID,
      })),
      entity: call.crm_entity_id === null ? null : { entityTypeId: CLIENT_TYPES[call.crm_entity_type], entityId: call.crm_entity_id },
    };
  }

  /** The live call, or undefined (show, hide). */
  call(callId: string): Promise<CallRow | undefined> {
    return findCall(this.db, callId);
  }

  /** telephony.externalCall.finish after its parameter checks. */
  async finish(owner: CallOwner, input: FinishInput): Promise<StatisticsRow> {
    const call = await findCall(this.db, input.callId);
    if (!call) throw new TelephonyError('callNotFound');
    const userId = await this.activeUser(input.userId);
    const country = await this.country();
    return this.db.transaction().execute(async (trx) => {
      if (!(await deleteCall(trx, call.id))) throw new TelephonyError('callNotFound');
      const created = this.registered(call).created;
      // Items the call created become the answering user's (telephony-external-call-finish.md).
      await this.crm.reassign(created, userId, trx);
      const items: CrmItemRef[] = [];
      for (const item of itemsOf(call.items_json)) if (await this.crm.itemExists(item.entityTypeId, item.entityId, trx)) items.push(item);
      const start = Number(call.start_at);
      const missed = isIncoming(call.type) && input.statusCode === '304';
      let activityId: number | null = null;
      if (items.length > 0) {
        const shown = formatPhone(call.phone_number, country);
        activityId = await insertActivity(
          trx,
          {
            owner_type_id: items[0].entityTypeId,
            owner_id: items[0].entityId,
            subject: missed ? `Missed call from ${shown}` : isIncoming(call.type) ? `Incoming call from ${shown}` : `Outgoing call to ${shown}`,
            direction: isIncoming(call.type) ? 1 : 2,
            responsible_id: userId,
            author_id: userId,
            start_time: start,
            end_time: start + input.duration,
            created: this.now(),
            origin_id: `VI_${call.call_id}`,
            phone_number: call.phone_number,
            missed: missed ? 1 : 0,
          },
          items,
        );
      }
      return insertStatistics(trx, {
        call_id: call.call_id,
        external_call_id: call.external_call_id,
        portal_user_id: userId,
        phone_number: call.phone_number,
        portal_number: call.portal_number,
        incoming: String(call.type),
        call_duration: input.duration,
        call_start_date: start,
        call_status: input.statusCode === '200' ? 1 : 0,
        call_vote: input.vote,
        cost: input.cost,
        cost_currency: input.costCurrency,
        call_failed_code: input.statusCode,
        call_failed_reason: input.failedReason,
        rest_app_id: owner.appId,
        rest_app_name: owner.appName,
        crm_activity_id: activityId,
        crm_entity_type: call.crm_entity_type,
        crm_entity_id: call.crm_entity_id,
        record_url: input.recordUrl,
      });
    });
  }

  // Call activities (crm.activity.*).

  async activity(id: number): Promise<ActivityRecord | undefined> {
    const row = await findActivity(this.db, id);
    if (!row) return undefined;
    return { row, bindings: (await activityBindings(this.db, [id])).get(id) ?? [] };
  }

  /** crm.activity.list: one page of the activities that meet the query and the caller may read (activityList.ts). */
  async listActivities(caller: Caller, query: ActivityListQuery, page: ActivityPage): Promise<{ records: ActivityRecord[]; total: number | undefined }> {
    // Readable when bound to an item the caller may read; an administrator reads all.
    const scopes = caller.isAdmin ? null : await this.readScopes.readScopes(caller);
    const { rows, total } = await listActivityRows(this.db, query, scopes, page);
    const bindings = await activityBindings(this.db, rows.map((row) => row.id));
    return { records: rows.map((row) => ({ row, bindings: bindings.get(row.id) ?? [] })), total };
  }

  async deleteActivity(id: number): Promise<void> {
    await this.db.transaction().execute((trx) => deleteActivity(trx, id));
  }
}

/** The lead title's tail by call type (§4.1 step 2). */
function leadTitleSuffix(type: number): string {
  if (isIncoming(type)) return 'Incoming call';
  if (type === CALL_TYPES.CALLBACK) return 'Callback';
  return 'Outgoing call';
}
