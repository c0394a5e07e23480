// The list paging helper (rest-protocol.md §6).
import { describe, expect, it } from 'vitest';
import { PAGE_SIZE, pageRequest, pagedResult } from '../../src/rest/paging.js';

describe('pageRequest', () => {
  it('uses pages of 50 and snaps an offset down to a page boundary', () => {
    expect(PAGE_SIZE).toBe(50);
    expect(pageRequest(0)).toEqual({ offset: 0, limit: 50, countTotal: true });
    expect(pageRequest(50)).toEqual({ offset: 50, limit: 50, countTotal: true });
    expect(pageRequest(77)).toEqual({ offset: 50, limit: 50, countTotal: true });
  });

  it('start=-1 (any negative start, as in core getNavData) skips the COUNT query', () => {
    expect(pageRequest(-1)).toEqual({ offset: 0, limit: 50, countTotal: false });
    expect(pageRequest(-5)).toEqual({ offset: 0, limit: 50, countTotal: false });
  });
});

describe('pagedResult', () => {
  it('reports next only while rows remain, and always the total', () => {
    expect(pagedResult([], 50, pageRequest(0), 120, 'd7')).toMatchObject({ next: 50, total: 120 });
    expect(pagedResult([], 50, pageRequest(50), 120, 'd7')).toMatchObject({ next: 100, total: 120 });
    expect(pagedResult([], 20, pageRequest(100), 120, 'd7')).toMatchObject({ next: undefined, total: 120 });
    expect(pagedResult([], 50, pageRequest(50), 100, 'legacy')).toMatchObject({ next: undefined, total: 100 });
    expect(pagedResult([], 0, pageRequest(0), 0, 'legacy')).toMatchObject({ next: undefined, total: 0 });
  });

  it('start=-1: legacy methods report total 0, D7 methods neither next nor total', () => {
    expect(pagedResult([], 50, pageRequest(-1), undefined, 'legacy')).toMatchObject({ next: undefined, total: 0 });
    expect(pagedResult([], 50, pageRequest(-1), undefined, 'd7')).toMatchObject({ next: undefined, total: undefined });
  });
});
