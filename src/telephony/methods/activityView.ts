// A call activity as crm.activity.get and .list print it (crm-activity-get.md, -fields.md):
// CCrmActivity's row with every value a string, as the legacy CRM REST prints rows.
import { formatDateC } from '../../rest/time.js';
import { DATE_FIELDS, FIXED_VALUES, MISSED_VALUES } from '../activityFilter.js';
import type { ActivityRecord } from '../contract.js';

/** crm.activity.fields, in the docs' order: [name, type, flags (R required, O read-only, I immutable, M multiple), title]. */
export const ACTIVITY_FIELDS: readonly (readonly [string, string, string, string])[] = [
  ['ID', 'integer', 'O', 'ID'],
  ['OWNER_ID', 'integer', 'I', 'Owner ID'],
  ['OWNER_TYPE_ID', 'crm_enum_ownertype', 'I', 'Owner Type'],
  ['TYPE_ID', 'crm_enum_activitytype', 'RI', 'Type'],
  ['PROVIDER_ID', 'string', '', 'Provider ID'],
  ['PROVIDER_TYPE_ID', 'string', '', 'Provider Type'],
  ['PROVIDER_GROUP_ID', 'string', '', 'Connector Type'],
  ['ASSOCIATED_ENTITY_ID', 'integer', 'O', 'Associated Entity ID'],
  ['SUBJECT', 'string', 'R', 'Subject'],
  ['START_TIME', 'datetime', '', 'Start'],
  ['END_TIME', 'datetime', '', 'Deadline'],
  ['DEADLINE', 'datetime', '', 'Execution Deadline'],
  ['COMPLETED', 'char', '', 'Completed'],
  ['STATUS', 'crm_enum_activitystatus', '', 'Status'],
  ['RESPONSIBLE_ID', 'user', 'R', 'Responsible'],
  ['PRIORITY', 'crm_enum_activitypriority', '', 'Priority'],
  ['NOTIFY_TYPE', 'crm_enum_activitynotifytype', '', 'Notification Type'],
  ['NOTIFY_VALUE', 'integer', '', 'Notification Parameter'],
  ['DESCRIPTION', 'string', '', 'Description'],
  ['DESCRIPTION_TYPE', 'crm_enum_contenttype', '', 'Description Type'],
  ['DIRECTION', 'crm_enum_activitydirection', '', 'Direction'],
  ['LOCATION', 'string', '', 'Location'],
  ['CREATED', 'datetime', 'O', 'Creation Date'],
  ['AUTHOR_ID', 'user', 'O', 'Created By'],
  ['LAST_UPDATED', 'datetime', 'O', 'Last Updated Date'],
  ['EDITOR_ID', 'user', 'O', 'Edited By'],
  ['SETTINGS', 'object', '', 'Settings'],
  ['ORIGIN_ID', 'string', '', 'External Code'],
  ['ORIGINATOR_ID', 'string', '', 'External Source'],
  ['RESULT_STATUS', 'integer', '', 'RESULT_STATUS'],
  ['RESULT_STREAM', 'integer', '', 'RESULT_STREAM'],
  ['RESULT_SOURCE_ID', 'string', '', 'RESULT_SOURCE_ID'],
  ['PROVIDER_PARAMS', 'object', '', 'Provider Parameters'],
  ['PROVIDER_DATA', 'string', '', 'Provider Data'],
  ['RESULT_MARK', 'integer', '', 'RESULT_MARK'],
  ['RESULT_VALUE', 'double', '', 'RESULT_VALUE'],
  ['RESULT_SUM', 'double', '', 'RESULT_SUM'],
  ['RESULT_CURRENCY_ID', 'string', '', 'RESULT_CURRENCY_ID'],
  ['AUTOCOMPLETE_RULE', 'integer', '', 'Autocomplete'],
  ['BINDINGS', 'crm_activity_binding', 'OM', 'Bindings'],
  ['COMMUNICATIONS', 'crm_activity_communication', 'RM', 'Communication Channel'],
  ['FILES', 'diskfile', 'M', 'Files'],
  ['WEBDAV_ELEMENTS', 'diskfile', 'M', 'Added Files'],
  ['IS_INCOMING_CHANNEL', 'char', 'O', 'IS_INCOMING_CHANNEL'],
];

export function activityFields(): Record<string, unknown> {
  return Object.fromEntries(
    ACTIVITY_FIELDS.map(([name, type, flags, title]) => [
      name,
      {
        type,
        isRequired: flags.includes('R'),
        isReadOnly: flags.includes('O'),
        isImmutable: flags.includes('I'),
        isMultiple: flags.includes('M'),
        isDynamic: false,
        title,
      },
    ]),
  );
}

/** Fields a row carries unless `select` leaves them out; COMMUNICATIONS, FILES and the rest only when selected. */
export const ROW_FIELDS = ACTIVITY_FIELDS.map(([name]) => name).filter(
  (name) => !['BINDINGS', 'COMMUNICATIONS', 'FILES', 'WEBDAV_ELEMENTS', 'IS_INCOMING_CHANNEL'].includes(name),
);

/** Every value of a call activity, typed (dates in unix seconds). */
export function activityValues(record: ActivityRecord): Record<string, string | number | null> {
  const row = record.row;
  const which = row.missed === 1 ? 0 : 1;
  return {
    ...FIXED_VALUES,
    ID: row.id,
    OWNER_ID: row.owner_id,
    OWNER_TYPE_ID: row.owner_type_id,
    SUBJECT: row.subject,
    START_TIME: Number(row.start_time),
    END_TIME: Number(row.end_time),
    DEADLINE: Number(row.start_time),
    COMPLETED: MISSED_VALUES.COMPLETED[which],
    STATUS: MISSED_VALUES.STATUS[which],
    RESPONSIBLE_ID: row.responsible_id,
    DESCRIPTION: row.description,
    DIRECTION: row.direction,
    CREATED: Number(row.created),
    AUTHOR_ID: row.author_id,
    LAST_UPDATED: Number(row.created),
    EDITOR_ID: row.author_id,
    ORIGIN_ID: row.origin_id,
  };
}

/** The printed row: `fields` in the order given, values as strings the way the legacy proxy prints them. */
export function activityView(record: ActivityRecord, fields: readonly string[]): Record<string, unknown> {
  const values = activityValues(record);
  const out: Record<string, unknown> = {};
  for (const name of fields) {
    if (name === 'SETTINGS') out.SETTINGS = record.row.missed === 1 ? { MISSED_CALL: true } : [];
    else if (name === 'PROVIDER_PARAMS') out.PROVIDER_PARAMS = [];
    else if (name === 'COMMUNICATIONS') {
      out.COMMUNICATIONS = [
        {
          ID: String(record.row.id),
          TYPE: 'PHONE',
          VALUE: record.row.phone_number,
          ENTITY_ID: String(record.row.owner_id),
          ENTITY_TYPE_ID: String(record.row.owner_type_id),
        },
      ];
    } else if (name === 'BINDINGS') {
      out.BINDINGS = record.bindings.map((item) => ({ OWNER_ID: String(item.entityId), OWNER_TYPE_ID: String(item.entityTypeId) }));
    } else if (name === 'FILES' || name === 'WEBDAV_ELEMENTS') out[name] = [];
    else if (name === 'IS_INCOMING_CHANNEL') out[name] = values.DIRECTION === 1 ? 'Y' : 'N';
    else {
      const value = values[name];
      out[name] = value === null || value === undefined ? null : DATE_FIELDS.has(name) ? formatDateC(Number(value)) : String(value);
    }
  }
  return out;
}
