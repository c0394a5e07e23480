// Every module's migrations, by name. Names sort in the order they must run:
// 0001-0099 foundation, 0100-0199 CRM, 0200-0299 tracking, 0300-0399 limits and OAuth,
// 0400-0499 analytics, 0500-0599 events, 0600-0699 telephony, 0700-0749 own sites,
// 0800-0899 limits shared by processes, 0900-0949 the dashboard.
import type { MigrationFactory } from './factory.js';
import { foundation } from './0001_foundation.js';
import { webhookHashKey } from './0002_webhook_hash_key.js';
import { crm } from './0100_crm.js';
import { tracking } from './0200_tracking.js';
import { traceCreator } from './0210_trace_creator.js';
import { oauth } from './0300_oauth.js';
import { analytics } from './0400_analytics.js';
import { analyticsTraceCounts } from './0401_analytics_trace_counts.js';
import { attribution } from './0450_attribution.js';
import { attributionTouches } from './0460_attribution_touches.js';
import { events } from './0500_events.js';
import { eventSenderLease } from './0510_event_sender_lease.js';
import { telephony } from './0600_telephony.js';
import { sites } from './0700_sites.js';
import { sharedLimits } from './0800_shared_limits.js';
import { dashboard } from './0900_dashboard.js';

export const migrations: Record<string, MigrationFactory> = {
  '0001_foundation': foundation,
  '0002_webhook_hash_key': webhookHashKey,
  '0100_crm': crm,
  '0200_tracking': tracking,
  '0210_trace_creator': traceCreator,
  '0300_oauth': oauth,
  '0400_analytics': analytics,
  '0401_analytics_trace_counts': analyticsTraceCounts,
  '0450_attribution': attribution,
  '0460_attribution_touches': attributionTouches,
  '0500_events': events,
  '0510_event_sender_lease': eventSenderLease,
  '0600_telephony': telephony,
  '0700_sites': sites,
  '0800_shared_limits': sharedLimits,
  '0900_dashboard': dashboard,
};
