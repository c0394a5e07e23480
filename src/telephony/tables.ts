// Row types of the telephony tables (migration 0600), shaped after voximplant's external line,
// call and statistic tables and CRM's call activities. Names are Salestrace's own.
import type { Generated } from 'kysely';

/** Unix seconds; PostgreSQL's bigint comes back as a string. */
type Seconds = number | string;

export interface TelephonyLinesTable {
  id: Generated<number>;
  /** `app:<id>` or `webhook:<id>`: lines belong to the application (webhook) that added them. */
  owner: string;
  /** As given, trimmed. */
  number: string;
  name: Generated<string>;
  crm_auto_create: Generated<string>;
  created_at: Seconds;
}

export interface TelephonyCallsTable {
  id: Generated<number>;
  call_id: string;
  owner: string;
  user_id: number;
  phone_number: string;
  portal_number: string;
  /** LINE_NUMBER as given ('' when absent): a key of re-registration. */
  line_number: Generated<string>;
  type: number;
  external_call_id: string | null;
  start_at: Seconds;
  registered_at: Seconds;
  crm_entity_type: Generated<string>;
  crm_entity_id: number | null;
  created_lead_id: number | null;
  /** CRM_CREATED_ENTITIES as JSON: `[{"ENTITY_TYPE":"LEAD","ENTITY_ID":1}]`. */
  created_json: Generated<string>;
  /** The items the call's activity is bound to, as JSON `[[entityTypeId, id], …]`. */
  items_json: Generated<string>;
  trace_id: number | null;
  call_list_id: number | null;
}

export interface TelephonyStatisticsTable {
  id: Generated<number>;
  call_id: string;
  external_call_id: string | null;
  portal_user_id: number;
  phone_number: string;
  portal_number: string;
  incoming: string;
  call_duration: number;
  call_start_date: Seconds;
  call_status: number;
  call_vote: number | null;
  cost: number;
  cost_currency: string;
  call_failed_code: string;
  call_failed_reason: string;
  rest_app_id: number | null;
  rest_app_name: string | null;
  crm_activity_id: number | null;
  crm_entity_type: string;
  crm_entity_id: number | null;
  record_url: string | null;
}

export interface CallActivitiesTable {
  id: Generated<number>;
  owner_type_id: number;
  owner_id: number;
  subject: string;
  /** CRM's direction: 1 incoming, 2 outgoing. */
  direction: number;
  responsible_id: number;
  author_id: number;
  start_time: Seconds;
  end_time: Seconds;
  created: Seconds;
  /** `VI_<CALL_ID>`. */
  origin_id: string;
  phone_number: string;
  /** 1 for a missed incoming call (status 304). */
  missed: number;
  description: Generated<string>;
}

export interface CallActivityBindingsTable {
  activity_id: number;
  owner_type_id: number;
  owner_id: number;
}

export interface TelephonyTables {
  telephony_lines: TelephonyLinesTable;
  telephony_calls: TelephonyCallsTable;
  telephony_statistics: TelephonyStatisticsTable;
  call_activities: CallActivitiesTable;
  call_activity_bindings: CallActivityBindingsTable;
}
