// The attribution window (sales-intelligence.md §4.4, Bitrix's Entity::checkAttrWindow): a lead
// or deal added without UTM_SOURCE takes its client's source when the client's newest trace is
// younger than the window, as a new trace with that source bound to the new item. It runs as an
// item add hook, inside the item's own transaction, for every add path (crm.{lead,deal}.add,
// crm.item.add, and their batch rows), before Sales Intelligence's own add hook, which then
// finds this trace already bound (§5.2 step 2). The client is the contact, else the company:
// Bitrix's company branch looks the company up by CONTACT_ID, a bug not copied (COMPATIBILITY.md).
import type { Clock } from '../../clock.js';
import { CRM_ENTITY_TYPES, type ItemAddedEvent, type ItemAddedHook } from '../../crm/contract.js';
import { phpEmpty } from '../../php/values.js';
import type { TraceAttribution } from '../../tracking/contract.js';
import { loadWindowSettings } from './windowSettings.js';

const DAY = 86_400;

/** UTM_SOURCE as the add sent it: UPPER_CASE for crm.{type}.add, camelCase for crm.item.add. */
function sentUtmSource(event: ItemAddedEvent): unknown {
  return event.viaTypedMethod ? event.fields.UTM_SOURCE : event.fields.utmSource;
}

export class AttributionWindow {
  constructor(
    private readonly traces: TraceAttribution,
    private readonly clock: Clock,
  ) {}

  readonly onItemAdded: ItemAddedHook = async (trx, event) => {
    if (event.entityTypeId !== CRM_ENTITY_TYPES.LEAD && event.entityTypeId !== CRM_ENTITY_TYPES.DEAL) return;
    // PHP's empty(): '' and '0' count as not given, as in Bitrix.
    if (!phpEmpty(sentUtmSource(event))) return;
    const client =
      event.contactId !== null
        ? { entityTypeId: CRM_ENTITY_TYPES.CONTACT, entityId: event.contactId }
        : event.companyId !== null
          ? { entityTypeId: CRM_ENTITY_TYPES.COMPANY, entityId: event.companyId }
          : undefined;
    if (client === undefined) return;
    const settings = await loadWindowSettings(trx);
    if (!settings.offline) return;
    const latest = await this.traces.latestTraceOf(trx, client);
    if (latest === undefined || latest.sourceId === null || latest.sourceId <= 0) return;
    // The add brings that very trace as TRACE (a site form binds the visitor's trace to the
    // contact, then to the lead): it is bound as it is, not copied as a bare source (COMPATIBILITY.md).
    if (event.viaTypedMethod && String(event.fields.TRACE ?? '').trim() === String(latest.id)) return;
    const now = Math.floor(this.clock.now() / 1000);
    if (latest.createdAt + settings.days * DAY < now) return;
    await this.traces.createSourceTrace(trx, latest.sourceId, [{ entityTypeId: event.entityTypeId, entityId: event.id }], event.caller.userId);
  };
}
