// Row types of the event tables (migration 0500).
import type { Generated } from 'kysely';

/** b_rest_event: one bound handler (events.md §1). */
export interface EventHandlersTable {
  id: Generated<number>;
  /** The OAuth application; 0 for an outgoing webhook. */
  app_id: number;
  /** Upper-case event code. */
  event_name: string;
  /** The URL; '' for an offline handler. */
  handler: string;
  /** auth_type: whose token the event carries; 0 is the user whose action raised it. */
  user_id: Generated<number>;
  /** The offline handler's auth_connector ('' for none). */
  connector_id: Generated<string>;
  /** Outgoing webhooks' token ('' for apps, whose token is derived). */
  application_token: Generated<string>;
  options_json: Generated<string>;
  created_at: number;
}

/** One delivery still to make to one online handler. */
export interface EventOutboxTable {
  id: Generated<number>;
  handler_id: number;
  event_name: string;
  data_json: string;
  user_id: Generated<number>;
  ts: number;
  attempts: Generated<number>;
  next_at: Generated<number>;
  /** Set when the handler row may be gone before delivery (ONAPPUNINSTALL): `{"url","applicationToken"}`. */
  detached_json: string | null;
}

/** b_rest_event_offline (events.md §2.6). */
export interface EventOfflineTable {
  id: Generated<number>;
  timestamp_x: number;
  message_id: string;
  app_id: number;
  event_name: string;
  event_data: string;
  event_additional: string;
  process_id: Generated<string>;
  connector_id: Generated<string>;
  error: Generated<number>;
}

/** Which process's sender delivers the outbox (migration 0510, senderLease.ts). */
export interface EventSenderLeaseTable {
  name: string;
  holder: string;
  until_ms: number;
}

export interface EventTables {
  event_handlers: EventHandlersTable;
  event_outbox: EventOutboxTable;
  event_offline: EventOfflineTable;
  event_sender_lease: EventSenderLeaseTable;
}
