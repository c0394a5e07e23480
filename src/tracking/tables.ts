// Row types of the Sales Intelligence tables (migration 0200), shaped after Bitrix's
// b_crm_tracking_* tables (sales-intelligence.md §1). Names are Salestrace's own.
import type { Generated } from 'kysely';

/** b_crm_tracking_trace: one recorded customer journey. */
export interface TrackingTracesTable {
  id: Generated<number>;
  /** Unix seconds: "now" for a new trace, `tags.ts` for a previous one (§2.4). */
  created_at: number;
  /** NULL is organic traffic, the virtual source 0. No foreign key: a deleted source stays referenced, as in Bitrix. */
  source_id: number | null;
  is_mobile: Generated<number>;
  /** TAGS_RAW as JSON: `{"UTM_SOURCE": "…", …}` in the order the tags arrived. */
  tags_json: Generated<string>;
  /** PAGES_RAW as JSON: `[{"URL", "DATE_INSERT", "TITLE", "IS_REF"?}, …]`. */
  pages_json: Generated<string>;
  /** The user whose call created it (trace.add, a typed item add, `salestrace seed`); NULL before migration 0210. */
  created_by: number | null;
  /** 1 while at least one item is bound to it (bindings.ts keeps it), 0 otherwise. */
  bound: Generated<number>;
}

/** b_crm_tracking_trace_entity: which CRM items a trace is bound to. */
export interface TrackingTraceItemsTable {
  id: Generated<number>;
  trace_id: number;
  entity_type_id: number;
  entity_id: number;
}

/** b_crm_tracking_trace_channel: one row per (trace, channel code). */
export interface TrackingTraceChannelsTable {
  id: Generated<number>;
  trace_id: number;
  code: string;
  value: string | null;
}

/** b_crm_tracking_trace_tree: `child_id` is a previous visit carried by `parent_id`. */
export interface TrackingTraceTreeTable {
  id: Generated<number>;
  parent_id: number;
  child_id: number;
}

/** b_crm_tracking_source: built-in sources (seeded, with a code) and custom ones (code NULL). */
export interface TrackingSourcesTable {
  id: Generated<number>;
  code: string | null;
  name: string;
  active: Generated<number>;
  /** Unix seconds; NULL for the built-in rows the migration seeds. */
  created_at: number | null;
}

/** b_crm_tracking_source_field: the values a source is recognised by. */
export interface TrackingSourceValuesTable {
  id: Generated<number>;
  source_id: number;
  /** UTM_SOURCE, REF_DOMAIN, PHONE or EMAIL. */
  kind: string;
  value: string;
}

export interface TrackingTables {
  tracking_traces: TrackingTracesTable;
  tracking_trace_items: TrackingTraceItemsTable;
  tracking_trace_channels: TrackingTraceChannelsTable;
  tracking_trace_tree: TrackingTraceTreeTable;
  tracking_sources: TrackingSourcesTable;
  tracking_source_values: TrackingSourceValuesTable;
}
