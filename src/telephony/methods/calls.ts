// telephony.externalCall.{register,finish,show,hide,searchCrmEntities} (tracker-and-calls.md
// §4.2, §4.6; telephony-external-call-*.md): a PBX integration reports its calls.
import { restError } from '../../rest/errors.js';
import { defineMethod } from '../../rest/method.js';
import { entityTypeName } from '../../crm/contract.js';
import { PHP_EMPTY_OBJECT } from '../../php/json.js';
import { phpEmpty, phpIntval, phpIsNumeric, phpString } from '../../php/values.js';
import { TelephonyError } from '../errors.js';
import { phoneKey } from '../phone.js';
import { callOwner } from './owner.js';
import { startDateParam, textParam, userParam } from './params.js';
import type { TelephonyPorts } from './ports.js';

const CLIENT_TYPES = ['CONTACT', 'COMPANY', 'LEAD'];

/** An ID an integer column can hold (a larger one names nothing). */
const INT_MAX = 2_147_483_647;
const fitsId = (id: number) => Number.isSafeInteger(id) && id > 0 && id <= INT_MAX;

/** CRM_CREATE / SHOW / ADD_TO_CHAT style flags: 1 (or "Y") is on. */
function flag(value: unknown): boolean {
  return phpIntval(value) === 1 || (typeof value === 'string' && value.trim().toUpperCase() === 'Y') || value === true;
}

export const registerMethod = defineMethod<Pick<TelephonyPorts, 'telephony' | 'apps'>>({
  name: 'telephony.externalcall.register',
  scope: 'telephony',
  async handler({ params, caller, ports: { telephony, apps } }) {
    // The core's order: the user, TYPE, CALL_START_DATE, the number, then the user's record.
    const userId = userParam(params);
    const type = phpIntval(params.TYPE);
    if (type < 1 || type > 5) throw new TelephonyError('unknownType');
    const startAt = startDateParam(params.CALL_START_DATE);
    const phoneNumber = textParam(params.PHONE_NUMBER);
    if (phoneNumber === undefined || phoneKey(phoneNumber, await telephony.country()) === null) throw new TelephonyError('phoneFormat');
    const entityType = textParam(params.CRM_ENTITY_TYPE)?.toUpperCase();
    const entityId = phpIntval(params.CRM_ENTITY_ID);
    const callListId = phpIntval(params.CALL_LIST_ID);
    const result = await telephony.register(await callOwner(caller, apps), caller.userId, {
      userId,
      phoneNumber,
      type,
      startAt,
      crmCreate: flag(params.CRM_CREATE),
      crmSource: textParam(params.CRM_SOURCE) ?? '',
      crmEntity: entityType !== undefined && CLIENT_TYPES.includes(entityType) && fitsId(entityId) ? { type: entityType, id: entityId } : undefined,
      lineNumber: textParam(params.LINE_NUMBER)?.slice(0, 50),
      externalCallId: textParam(params.EXTERNAL_CALL_ID),
      callListId: fitsId(callListId) ? callListId : null,
    });
    return {
      CALL_ID: result.callId,
      CRM_CREATED_LEAD: result.createdLeadId,
      CRM_CREATED_ENTITIES: result.created.map((item) => ({ ENTITY_TYPE: entityTypeName(item.entityTypeId), ENTITY_ID: item.entityId })),
      CRM_ENTITY_TYPE: result.entity ? entityTypeName(result.entity.entityTypeId) : '',
      CRM_ENTITY_ID: result.entity ? result.entity.entityId : null,
    };
  },
});

/** COST as PHP's floatval of a numeric value; anything else (or an overflow) is 0. */
function finiteNumber(value: unknown): number {
  const number = phpIsNumeric(value) ? Number(phpString(value).trim()) : 0;
  return Number.isFinite(number) ? number : 0;
}

const STATUS_CODES = ['200', '304', '603', '603-S', '403', '404', '486', '484', '503', '480', '402', '423', 'OTHER'];

export const finishMethod = defineMethod<Pick<TelephonyPorts, 'telephony' | 'apps'>>({
  name: 'telephony.externalcall.finish',
  scope: 'telephony',
  async handler({ params, caller, ports: { telephony, apps } }) {
    if (typeof params.CALL_ID !== 'string') throw restError('TELEPHONY_CALL_ID_NOT_STRING');
    const userId = userParam(params);
    // Longer than the column holds (68 years) is read as the longest it holds.
    const duration = Math.min(Math.max(0, phpIntval(params.DURATION)), INT_MAX);
    const given = textParam(params.STATUS_CODE)?.toUpperCase();
    const statusCode = given === undefined ? (duration > 0 ? '200' : '304') : STATUS_CODES.includes(given) ? given : 'OTHER';
    const vote = phpIntval(params.VOTE);
    const record = await telephony.finish(await callOwner(caller, apps), {
      callId: params.CALL_ID,
      userId,
      duration,
      cost: finiteNumber(params.COST),
      costCurrency: textParam(params.COST_CURRENCY) ?? '',
      statusCode,
      failedReason: textParam(params.FAILED_REASON) ?? '',
      recordUrl: textParam(params.RECORD_URL) ?? null,
      vote: vote >= 1 && vote <= 5 ? vote : null,
    });
    // The statistic record in the core's key order; CALL_START_DATE is a PHP DateTime object,
    // which json_encode writes as {} (telephony-external-call-finish.md's example).
    return {
      CALL_ID: record.call_id,
      EXTERNAL_CALL_ID: record.external_call_id,
      PORTAL_USER_ID: record.portal_user_id,
      PHONE_NUMBER: record.phone_number,
      PORTAL_NUMBER: record.portal_number,
      INCOMING: record.incoming,
      CALL_DURATION: record.call_duration,
      CALL_START_DATE: PHP_EMPTY_OBJECT,
      CALL_STATUS: record.call_status,
      CALL_VOTE: record.call_vote,
      COST: Number(record.cost),
      COST_CURRENCY: record.cost_currency,
      CALL_FAILED_CODE: record.call_failed_code,
      CALL_FAILED_REASON: record.call_failed_reason,
      REST_APP_ID: record.rest_app_id === null ? null : String(record.rest_app_id),
      REST_APP_NAME: record.rest_app_name,
      CRM_ACTIVITY_ID: record.crm_activity_id,
      COMMENT: null,
      CRM_ENTITY_TYPE: record.crm_entity_type,
      CRM_ENTITY_ID: record.crm_entity_id,
      ID: record.id,
    };
  },
});

/** show and hide: the card goes to the users' browsers, which a self-hosted server has none of (COMPATIBILITY.md). */
function cardMethod(name: string) {
  return defineMethod<Pick<TelephonyPorts, 'telephony'>>({
    name,
    scope: 'telephony',
    async handler({ params, ports: { telephony } }) {
      if (typeof params.CALL_ID !== 'string') return false;
      return (await telephony.call(params.CALL_ID)) !== undefined;
    },
  });
}

export const showMethod = cardMethod('telephony.externalcall.show');
export const hideMethod = cardMethod('telephony.externalcall.hide');

export const searchCrmEntitiesMethod = defineMethod<Pick<TelephonyPorts, 'telephony' | 'crm'>>({
  name: 'telephony.externalcall.searchcrmentities',
  scope: 'telephony',
  async handler({ params, caller, ports: { telephony, crm } }) {
    if (phpEmpty(params.PHONE_NUMBER)) throw restError('TELEPHONY_PHONE_EMPTY');
    const country = await telephony.country();
    const key = phoneKey(textParam(params.PHONE_NUMBER) ?? '', country);
    if (key === null) return [];
    const matches = await crm.findByPhone(key.slice(-1), (value) => phoneKey(value, country) === key);
    const result = [];
    for (const match of matches) {
      // Only items the caller may read (COMPATIBILITY.md).
      if (!(await crm.canRead(match.entityTypeId, match.entityId, caller))) continue;
      result.push({
        CRM_ENTITY_TYPE: entityTypeName(match.entityTypeId),
        CRM_ENTITY_ID: match.entityId,
        ASSIGNED_BY_ID: match.assignedById,
        NAME: match.name,
        ASSIGNED_BY: {
          ID: match.assignedById === null ? null : String(match.assignedById),
          TIMEMAN_STATUS: 'NOT_INSTALLED',
          USER_PHONE_INNER: null,
          WORK_PHONE: null,
          PERSONAL_PHONE: null,
          PERSONAL_MOBILE: null,
        },
      });
    }
    return result;
  },
});
