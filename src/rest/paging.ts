// The list paging helper (rest-protocol.md §6): pages of 50, `start` as an offset that snaps
// down to a page boundary, `next` only while rows remain, and `start=-1` for keyset paging
// without a COUNT query.
import { ListResult } from './method.js';

export const PAGE_SIZE = 50;

export type PagingStyle =
  /** Legacy CDBResult methods (crm.deal.list …): `start=-1` still reports `total: 0`. */
  | 'legacy'
  /** D7 controller methods (crm.item.list …): `start=-1` reports neither `next` nor `total`. */
  | 'd7';

export interface PageRequest {
  readonly offset: number;
  readonly limit: number;
  /** False in fast mode (`start=-1`): callers must skip the COUNT query. */
  readonly countTotal: boolean;
}

export function pageRequest(start: number): PageRequest {
  // Core's getNavData: any negative start is a plain "first 50" without a count; -1 is the
  // value clients send.
  if (start < 0) return { offset: 0, limit: PAGE_SIZE, countTotal: false };
  return { offset: Math.floor(start / PAGE_SIZE) * PAGE_SIZE, limit: PAGE_SIZE, countTotal: true };
}

/**
 * Wraps one page of rows. `total` is required unless the request was in fast mode.
 * `next` is offset + rows while that is below the total, as both legacy and D7 core compute it.
 */
export function pagedResult(
  result: unknown,
  rowCount: number,
  page: PageRequest,
  total: number | undefined,
  style: PagingStyle,
): ListResult {
  if (!page.countTotal || total === undefined) {
    return new ListResult(result, undefined, style === 'legacy' ? 0 : undefined);
  }
  const next = page.offset + rowCount < total ? page.offset + rowCount : undefined;
  return new ListResult(result, next, total);
}
