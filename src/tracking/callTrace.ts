// The trace of an incoming call (tracker-and-calls.md §4.1 step 4, §4.3, §4.4): a `call` channel
// valued with the number called. When that number is in a ready source's PHONE list, the oldest
// unbound trace of the last ten minutes with the same `call` value (a web visit that showed the
// number) is bound instead, so the call's items inherit the visit. Otherwise a new trace is
// written, its source the first ready source listing the number.
import type { CrmItemAccess, ItemUtmCopier } from '../crm/contract.js';
import type { Executor } from '../db/schema.js';
import { bindItems } from './bindings.js';
import { normalizeChannelValue } from './channels.js';
import { loadTrackingSettings } from './settings.js';
import { matchableSources } from './sourceCatalog.js';
import { loadSources } from './sources.js';
import { appendChannel, lockTrace, type ItemRef } from './traceStore.js';

/** Bitrix's DETECT_TIME_MINUTES (sales-intelligence.md §2.5 step 2). */
export const DETECT_SECONDS = 10 * 60;

export interface CallTraceRequest {
  /** The number called (the PBX's LINE_NUMBER), normalised by the caller (E.164). */
  readonly number: string;
  /** Whether a stored number (a source's PHONE value, a `call` channel value) is the number called. */
  readonly sameNumber: (stored: string) => boolean;
  readonly items: readonly ItemRef[];
  readonly createdBy: number;
}

export interface CallTraceResult {
  readonly traceId: number;
  /** True when a web visit's trace was bound instead of writing a new one. */
  readonly reused: boolean;
}

/** Inside the caller's transaction `db`. */
export async function saveCallTrace(
  db: Executor,
  request: CallTraceRequest,
  nowSeconds: number,
  crm: CrmItemAccess,
  utm: ItemUtmCopier | undefined,
): Promise<CallTraceResult> {
  const ready = matchableSources(await loadSources(db), await loadTrackingSettings(db));
  const sourceId = ready.find((source) => source.values.PHONE.some(request.sameNumber))?.id ?? null;
  // Channel\Call supports detection only for a number some ready source lists (§4.3).
  if (sourceId !== null) {
    const candidates = await db
      .selectFrom('tracking_traces as t')
      .innerJoin('tracking_trace_channels as c', 'c.trace_id', 't.id')
      .select(['t.id', 'c.value'])
      .where('c.code', '=', 'call')
      .where('t.bound', '=', 0)
      .where('t.created_at', '>', Math.floor(nowSeconds) - DETECT_SECONDS)
      .orderBy('t.id')
      .execute();
    for (const candidate of candidates) {
      if (candidate.value === null || !request.sameNumber(candidate.value)) continue;
      // Locked, then read again: of two calls at once, the second waits and takes the next visit.
      if (!(await lockTrace(db, candidate.id, 'update'))) continue;
      const now = await db.selectFrom('tracking_traces').select('bound').where('id', '=', candidate.id).executeTakeFirst();
      if (now?.bound !== 0) continue;
      await bindItems(db, candidate.id, request.items, crm, utm);
      return { traceId: candidate.id, reused: true };
    }
  }
  const inserted = await db
    .insertInto('tracking_traces')
    .values({ created_at: Math.floor(nowSeconds), source_id: sourceId, created_by: request.createdBy })
    .returning('id')
    .executeTakeFirstOrThrow();
  await appendChannel(db, inserted.id, { code: 'call', value: normalizeChannelValue('call', request.number) });
  await bindItems(db, inserted.id, request.items, crm, utm, { tags: {}, previousIds: [] });
  return { traceId: inserted.id, reused: false };
}
